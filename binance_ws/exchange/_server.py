"""LocalExchange: the loopback server, its connections and the request dispatch.

Threads: one accept loop (``binance-ws-exchange-N``) from the ``websockets`` package's
threaded server, one handler thread per connection, a housekeeping thread that ends
connections past their lifetime, short timer threads for delayed answers, and the scripted
market participant when it is on. Everything stops in :meth:`LocalExchange.close`.
Fault injection and connection trouble (drops, half-open, refusals) live in ``_control``;
the table of accepted connections in ``_links``.

A request goes: decode (decimals as ``Decimal``) -> fault injection -> request weight (429,
418) -> method and parameter checks -> security (``_security.authenticate``) -> unfilled
order count (429) -> handler. Parameter values sent as text, as Binance's own SDK sends
them (``"limit": "5"``, ``"omitZeroBalances": "true"``, ``"symbols": "[\\"A\\"]"``), are turned
into ints, bools and lists first, in a way that keeps their signed text unchanged.
"""

from __future__ import annotations

import inspect
import itertools
import json
import logging
import random
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from .. import _json
from .._spec import METHODS
from .._weights import failure_weight_refund, request_weight
from . import _errors
from ._accounts import DEMO_ACCOUNT, Accounts
from ._connections import ConnectionGate, cut
from ._control import ExchangeControls
from ._engine import Engine
from ._errors import DEFAULT_FAULTS, ExchangeError
from ._faults import Fault, FaultPlan
from ._handlers import HANDLERS, now_ms
from ._keys import KeyStore
from ._links import TAG_KEY, LinkTable, tag_of
from ._market import Book, SymbolInfo, default_symbols, synthetic_symbols
from ._params import check_params, normalize_params
from ._ratelimit import OrderCounter, WeightCounter, ms_now
from ._security import authenticate
from ._userdata import Subscription, UserDataHub

if TYPE_CHECKING:
    from ._tls import LocalCA

try:
    from websockets.exceptions import ConnectionClosed
    from websockets.http11 import Request, Response
    from websockets.sync.server import Server, ServerConnection, serve
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "binance_ws.exchange needs the 'websockets' package: pip install 'binance-ws[exchange]'"
    ) from exc

logger = logging.getLogger(__name__)

__all__ = ["LocalExchange", "Session"]

# Binance's documented defaults: 6000 request weight per minute per IP, 50 orders per
# 10 seconds and 160,000 per day per account, 300 connection attempts per 5 minutes per IP.
DEFAULT_WEIGHT_LIMIT = 6000
DEFAULT_ORDER_LIMIT_10S = 50
DEFAULT_ORDER_LIMIT_DAY = 160_000
DEFAULT_CONNECTION_ATTEMPTS = 300
# 429s an IP may receive within one minute before it is banned (Binance does not publish it).
DEFAULT_BAN_AFTER = 10
# Binance pings every 20 s and drops a connection that has not answered within a minute.
DEFAULT_PING_INTERVAL = 20.0
DEFAULT_PING_TIMEOUT = 60.0
# A connection lives at most 24 hours.
DEFAULT_MAX_CONNECTION_AGE = 24 * 3600.0
# Big enough for any request a client sends (Binance's own frames are small).
MAX_REQUEST_FRAME = 1 << 20

_exchange_numbers = itertools.count(1)
# websockets 17 closes connections itself on shutdown, with a code of our choosing.
_SHUTDOWN_TAKES_CODE = "code" in inspect.signature(Server.shutdown).parameters


class Session:
    """Per-connection state: the logon key, options from the URL, subscriptions."""

    def __init__(
        self, conn: ServerConnection, *, return_rate_limits: bool = True, tag: str | None = None
    ) -> None:
        self.conn = conn
        #: The ``?tag=`` of the connection URL (faults aimed at it go to this connection only).
        self.tag = tag
        #: The client's IP (request weight and connection limits count per IP).
        self.ip: str = _peer_ip(conn)
        self.connected_since = now_ms()
        #: The API key of session.logon, or None.
        self.api_key: str | None = None
        #: When session.logon succeeded (epoch ms), or None.
        self.authorized_since: int | None = None
        #: The key the request being handled acts for (set by security before the handler).
        self.request_key: str | None = None
        #: The ORDERS-limit refusal of the request being handled, when the method itself
        #: decides what to do about it (order.cancelReplace with CANCEL_ONLY).
        self.order_refusal: ExchangeError | None = None
        #: Whether answers carry ``rateLimits`` unless a request says otherwise
        #: (``?returnRateLimits=false`` on the connection URL turns it off).
        self.return_rate_limits = return_rate_limits
        #: Active User Data Stream subscriptions by id (changed only by the UserDataHub).
        self.subscriptions: dict[int, Subscription] = {}
        #: Subscriptions made over the connection's life (the next id).
        self.subscriptions_created = 0

    def send(self, text: str | bytes) -> None:
        try:
            self.conn.send(text)
        except ConnectionClosed:
            logger.debug("frame dropped: the connection is closed")

    def __repr__(self) -> str:
        return f"<Session {self.ip} since={self.connected_since} subscriptions={len(self.subscriptions)}>"


def _peer_ip(conn: ServerConnection) -> str:
    try:
        address = conn.remote_address
    except OSError:
        return "unknown"
    return str(address[0]) if isinstance(address, tuple) and address else "unknown"


class LocalExchange(ExchangeControls):
    """A Binance-compatible WebSocket API server on 127.0.0.1.

    ``port=0`` (the default) picks a free port; read the address from :attr:`url`.
    ``balances`` (asset -> amount) seeds the demo account. ``book_levels`` sets the resting
    liquidity per side (enough for ``depth`` limit=5000 by default); ``extra_symbols`` adds
    synthetic symbols so ``exchangeInfo`` can be as large as Binance's; ``seed`` makes the
    books reproducible.

    Limits (Binance's defaults; set them low to test how a bot copes):

    - ``weight_limit``: request weight per minute per IP (429 / -1003 beyond it);
      ``ban_after``: how many such 429s within a minute before the IP is banned (418,
      2 minutes, doubling for each later ban; ``None``: never);
    - ``order_limit_10s`` / ``order_limit_day``: unfilled orders per account (429 / -1015);
    - ``connection_attempt_limit``: connections opened per IP per 5 minutes, and
      ``max_connections``: connections open at once per IP (``None``: no limit); beyond
      either the handshake is refused with HTTP 429;
    - ``enforce_limits=False`` counts and reports every limit but never refuses (for test
      suites that share one exchange across many tests);
    - ``limits_clock``: epoch milliseconds that place the calendar windows of these limits
      (default: the real clock); a test shifts it to bring a window boundary near.

    A successful order placement, cancel, cancelReplace or order list costs its
    ``weight_on_success`` (0) request weight; a failed one pays its weight. Opening a
    connection costs 2.

    Connections: the server pings every ``ping_interval`` seconds and drops a client that
    has not answered within ``ping_timeout``; it closes any connection older than
    ``max_connection_age`` seconds (24 hours, as Binance; ``None``: never).
    ``scripted_market=True`` starts a participant that places and cancels orders at a gentle
    pace, so prices move and user-data events flow.

    TLS: ``tls=True`` serves ``wss://`` with a throwaway certificate for 127.0.0.1 (needs
    ``trustme``, in the ``test`` extra); a client trusts it through
    :meth:`client_ssl_context` or the CA file :attr:`ca_pem_path`. ``ssl_context=`` serves
    with a context of your own instead.

    Fault injection for tests (each applies to the next ``times`` requests of ``method``;
    ``"*"`` matches any method): :meth:`fail_next`, :meth:`delay_next`,
    :meth:`garbage_next`, :meth:`drop_next`, :meth:`wrong_id_next`,
    :meth:`duplicate_id_next`; random faults for every request: :meth:`random_faults`;
    a stray frame now: :meth:`send_garbage`. Connection trouble: :meth:`drop_all_connections`,
    :meth:`go_half_open`, :meth:`refuse_connections` (attempts are counted in
    :attr:`connection_attempts`), :meth:`send_server_shutdown` and :meth:`restart`. The
    fault methods, drops, half-open and the shutdown event take ``connection=<tag>`` to
    concern only the client connected to :meth:`url_for` that tag, so tests sharing one
    exchange never take each other's faults. Wallet changes from outside, with their
    events: :meth:`deposit` (and withdrawals), :meth:`lock_externally`.

    Example::

        >>> with LocalExchange() as ex:
        ...     ex.url.startswith("ws://127.0.0.1:")
        True
    """

    def __init__(
        self,
        *,
        port: int = 0,
        book_levels: int = 5000,
        extra_symbols: int = 0,
        seed: int = 7,
        weight_limit: int = DEFAULT_WEIGHT_LIMIT,
        balances: Mapping[str, Decimal | str] | None = None,
        order_limit_10s: int = DEFAULT_ORDER_LIMIT_10S,
        order_limit_day: int = DEFAULT_ORDER_LIMIT_DAY,
        ban_after: int | None = DEFAULT_BAN_AFTER,
        connection_attempt_limit: int = DEFAULT_CONNECTION_ATTEMPTS,
        max_connections: int | None = None,
        enforce_limits: bool = True,
        limits_clock: Callable[[], int] | None = None,
        ping_interval: float | None = DEFAULT_PING_INTERVAL,
        ping_timeout: float | None = DEFAULT_PING_TIMEOUT,
        max_connection_age: float | None = DEFAULT_MAX_CONNECTION_AGE,
        scripted_market: bool = False,
        tls: bool = False,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if tls and ssl_context is not None:
            raise ValueError("give tls=True (a test certificate) or ssl_context= (your own), not both")
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise TypeError(f"ssl_context must be an ssl.SSLContext, got {type(ssl_context).__name__}")
        self._ca: LocalCA | None = None
        if tls:
            from ._tls import LocalCA

            self._ca = LocalCA()
            ssl_context = self._ca.server_context()
        self._ssl_context = ssl_context
        self._requested_port = port
        self.symbols: dict[str, SymbolInfo] = {
            s.symbol: s for s in default_symbols() + synthetic_symbols(extra_symbols)
        }
        rng = random.Random(seed)
        self.books: dict[str, Book] = {
            name: Book(info, book_levels if i < 4 else 20, rng)
            for i, (name, info) in enumerate(self.symbols.items())
        }
        #: REQUEST_WEIGHT per IP and minute.
        clock = ms_now if limits_clock is None else limits_clock
        self.weights = WeightCounter(weight_limit, ban_after=ban_after, enforce=enforce_limits, clock=clock)
        #: ORDERS (unfilled order count) per account; ``account.rateLimits.orders`` reads it.
        self.order_limits = OrderCounter(
            order_limit_10s, order_limit_day, enforce=enforce_limits, clock=clock
        )
        self.accounts = Accounts.demo(balances)
        #: The demo API keys (``keys.hmac``, ``keys.ed25519``, ``keys.rsa``).
        self.keys = KeyStore.demo(DEMO_ACCOUNT)
        self.engine = Engine(self)
        self.faults = FaultPlan()
        self._links = LinkTable()
        #: User Data Stream subscriptions of every connection.
        self.user_data = UserDataHub()
        self._gate = ConnectionGate(
            self,
            attempt_limit=connection_attempt_limit,
            max_connections=max_connections,
            enforce=enforce_limits,
            max_age=max_connection_age,
        )
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._scripted_market = scripted_market
        self._market: Any = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._timers: set[threading.Timer] = set()
        self._timers_lock = threading.Lock()
        self._sessions: set[Session] = set()
        self._sessions_lock = threading.Lock()
        #: Every request the exchange received, as ``(method, params)`` (tests read it).
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.port = 0
        self._number = next(_exchange_numbers)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The ``ws://127.0.0.1:PORT/ws-api/v3`` address to give to :class:`binance_ws.Client`.

        ``wss://`` when the exchange serves TLS.
        """
        if not self.port:
            raise RuntimeError("the exchange is not started: call start() or use it in a with block")
        scheme = "ws" if self._ssl_context is None else "wss"
        return f"{scheme}://127.0.0.1:{self.port}/ws-api/v3"

    def url_for(self, tag: str) -> str:
        """:attr:`url` with ``?tag=<tag>``: a connection the ``connection=tag`` faults target.

        Example::

            >>> with LocalExchange() as ex:
            ...     ex.url_for("a b").endswith("/ws-api/v3?tag=a+b")
            True
        """
        if not isinstance(tag, str) or not tag:
            raise ValueError(f"tag must be a non-empty str, got {tag!r}")
        return f"{self.url}?{urllib.parse.urlencode({TAG_KEY: tag})}"

    def client_ssl_context(self) -> ssl.SSLContext:
        """An ``ssl.SSLContext`` trusting the test certificate of ``LocalExchange(tls=True)``.

        Example::

            >>> import json, websocket
            >>> with LocalExchange(tls=True) as ex:
            ...     ws = websocket.create_connection(ex.url, sslopt={"context": ex.client_ssl_context()})
            ...     _ = ws.send(json.dumps({"id": 1, "method": "ping"}))
            ...     json.loads(ws.recv())["status"]
            ...     ws.close()
            200
        """
        return self._local_ca("client_ssl_context()").client_context()

    @property
    def ca_pem_path(self) -> str:
        """A PEM file holding the CA of ``LocalExchange(tls=True)`` (removed by :meth:`close`)."""
        return self._local_ca("ca_pem_path").ca_pem_path()

    def _local_ca(self, what: str) -> LocalCA:
        if self._ca is None:
            raise RuntimeError(
                f"{what} is for LocalExchange(tls=True); with ssl_context= of your own, "
                "trust your own certificate authority"
            )
        return self._ca

    def start(self) -> LocalExchange:
        """Bind 127.0.0.1 and serve in a background thread; returns once it accepts connections."""
        if self._server is not None:
            return self
        self._serve(self._requested_port)
        self._gate.start(f"binance-ws-exchange-{self._number}-housekeeping")
        if self._scripted_market and self._market is None:
            from ._scripted import ScriptedMarket

            self._market = ScriptedMarket(self)
            self._market.start()
        logger.info("local exchange listening on %s", self.url)
        return self

    def _serve(self, port: int) -> None:
        server = serve(
            self._handle_connection,
            "127.0.0.1",
            port,
            ssl=self._ssl_context,
            process_request=self._admit,
            create_connection=cast("type[ServerConnection]", self._links.create),
            compression=None,
            max_size=MAX_REQUEST_FRAME,
            ping_interval=self._ping_interval,
            ping_timeout=self._ping_timeout,
            close_timeout=2,
        )
        self._server = server
        self.port = server.socket.getsockname()[1]
        self._thread = threading.Thread(
            target=server.serve_forever, name=f"binance-ws-exchange-{self._number}", daemon=True
        )
        self._thread.start()

    def _admit(self, conn: ServerConnection, request: Request) -> Response | None:
        """``process_request`` hook: refuse while asked to, else the connection limits decide."""
        status = self._links.refused_status(conn)
        if status is not None:
            code, msg = DEFAULT_FAULTS.get(
                status, (-1000, "An unknown error occurred while processing the request.")
            )
            return conn.respond(status, json.dumps({"code": code, "msg": msg}))
        return self._gate.admit(conn, request)

    def _close_connections(self, code: int, reason: str, wait: float = 3.0) -> None:
        # Done here, not by Server.shutdown(): before websockets 17 (all Python 3.10 gets) it
        # leaves the connections open and takes no close code. In parallel, so silent clients
        # cost one close_timeout in all. Half-open connections are let go first: a frozen
        # connection cannot close.
        self._links.release(None)
        closers = [
            threading.Thread(
                target=s.conn.close, args=(code, reason), name="binance-ws-exchange-close", daemon=True
            )
            for s in self.sessions()
        ]
        for t in closers:
            t.start()
        deadline = time.monotonic() + wait
        for t in closers:
            t.join(max(0.0, deadline - time.monotonic()))

    def _stop_serving(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._close_connections(1001, "going away")
        server.shutdown()
        if self._thread is not None:
            self._thread.join(5)
            if self._thread.is_alive():
                logger.warning("the exchange's accept thread did not stop within 5 s")

    def close(self) -> None:
        """Close every connection, stop serving and join the threads. Idempotent."""
        market, self._market = self._market, None
        if market is not None:
            market.stop()
        with self._timers_lock:
            timers, self._timers = list(self._timers), set()
        for timer in timers:
            timer.cancel()
        self._gate.stop()
        self._stop_serving()
        for timer in timers:
            timer.join(1)
        if self._ca is not None:
            self._ca.cleanup()

    def restart(self) -> None:
        """Drop every connection and serve again on the same port; accounts and orders stay.

        Clients see their connection close (code 1012, service restart) and can reconnect
        to the same :attr:`url`.
        """
        if self._server is None:
            raise RuntimeError("the exchange is not started")
        server, self._server = self._server, None
        if _SHUTDOWN_TAKES_CODE:
            # Stops accepting before it closes anything, so no client reconnects to the
            # server that is going away (and loses that connection too).
            self._links.release(None)
            server.shutdown(code=1012, reason="service restart")
        else:
            self._close_connections(1012, "service restart")
            server.shutdown()
        if self._thread is not None:
            self._thread.join(5)
        self._serve(self.port)
        logger.info("local exchange restarted on %s", self.url)

    def __enter__(self) -> LocalExchange:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        port = getattr(self, "port", 0)
        where = f"ws://127.0.0.1:{port}" if port else "not started"
        if port and getattr(self, "_ssl_context", None) is not None:
            where = f"wss://127.0.0.1:{port}"
        count = len(getattr(self, "_sessions", ()))
        return f"<LocalExchange {where} symbols={len(getattr(self, 'symbols', ()))} connections={count}>"

    @property
    def connection_count(self) -> int:
        """How many clients are connected right now."""
        return len(self._sessions)

    def sessions(self) -> list[Session]:
        """The connected clients' sessions (a snapshot)."""
        with self._sessions_lock:
            return list(self._sessions)

    def rate_limit_config(self) -> list[dict[str, Any]]:
        """The ``rateLimits`` of ``exchangeInfo``: the configured limits, without counts."""
        return [self.weights.config(), *self.order_limits.config(), self._gate.config()]

    def account_of(self, api_key: str | None) -> str:
        """The account an API key acts for (the demo account for keys the store does not know)."""
        if api_key is not None:
            record = self.keys.lookup(api_key)
            if record is not None:
                return record.account_id
        return DEMO_ACCOUNT

    # -- serving ---------------------------------------------------------------------------

    def _handle_connection(self, conn: ServerConnection) -> None:
        path = conn.request.path if conn.request else ""
        # Other query keys than these two are ignored, as Binance ignores them.
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        hide = [v.lower() for v in query.get("returnRateLimits", [])]
        session = Session(conn, return_rate_limits="false" not in hide, tag=tag_of(path))
        with self._sessions_lock:
            self._sessions.add(session)
        try:
            for message in conn:
                self._handle_message(session, message)
        except ConnectionClosed:
            pass
        except OSError as exc:
            logger.debug("connection ended: %s", exc)
        finally:
            self._gate.release(conn)
            self._links.forget(conn)
            self.user_data.drop_session(session)
            with self._sessions_lock:
                self._sessions.discard(session)

    def _handle_message(self, session: Session, message: str | bytes) -> None:
        try:
            # Decimals stay exact, so a price's text (and its signature) survives decoding.
            request = json.loads(message, parse_float=Decimal)
        except ValueError:
            session.send(self._error_frame(None, _errors.invalid_json()))
            return
        if not isinstance(request, dict):
            session.send(self._error_frame(None, _errors.invalid_json()))
            return
        request_id = request.get("id")
        method = request.get("method")
        params = request.get("params", {})
        if not isinstance(method, str) or not isinstance(params, dict) or "id" not in request:
            name = "id" if "id" not in request else "method" if not isinstance(method, str) else "params"
            session.send(self._error_frame(request_id, _errors.mandatory_missing(name)))
            return
        if method.startswith("v3/"):
            method = method[3:]
        self.requests.append((method, params))
        fault = self.faults.take(method, session.tag)
        if fault is not None:
            if fault.drop:
                if fault.executed:
                    self._answer(session, request_id, method, params, None)
                cut(session.conn)
                return
            if fault.garbage is not None:
                session.send(fault.garbage)
        frame = self._answer(session, request_id, method, params, fault)
        if fault is not None and fault.status is not None and fault.executed:
            # Executed, and answered as a failure: the caller cannot tell what happened.
            frame = self._error_frame(
                f"not-{request_id}" if fault.wrong_id else request_id, _fault_error(fault)
            )
        copies = 2 if fault is not None and fault.duplicate else 1
        for _ in range(copies):
            if fault is not None and fault.delay > 0:
                self._later(fault.delay, lambda: session.send(frame))
            else:
                session.send(frame)

    def _answer(
        self,
        session: Session,
        request_id: Any,
        method: str,
        raw: dict[str, Any],
        fault: Fault | None,
    ) -> str:
        spec = METHODS.get(method)
        params = normalize_params(spec, raw)
        show = params.get("returnRateLimits", session.return_rate_limits) is not False
        weight = request_weight(method, params)
        used, refusal = self.weights.charge(session.ip, weight)
        limits = self.weights.report(used)
        if fault is not None and fault.wrong_id:
            request_id = f"not-{request_id}"
        if fault is not None and fault.status is not None and not fault.executed:
            return self._error_frame(request_id, _fault_error(fault), limits if show else None)
        try:
            if refusal is not None:
                raise refusal
            handler = HANDLERS.get(method)
            if handler is None or spec is None:
                raise _errors.unknown_method(method)
            check_params(spec, params)
            session.request_key = authenticate(self, session, spec, params)
            if spec.unfilled_order_count:
                account = self.account_of(session.request_key)
                refused = self.order_limits.charge(account, spec.unfilled_order_count)
                limits = self.order_limits.snapshot(account) + limits
                session.order_refusal = refused
                # With CANCEL_ONLY, cancelReplace still cancels and reports the new order refused.
                if refused is not None and params.get("orderRateLimitExceededMode") != "CANCEL_ONLY":
                    raise refused
            result = handler(self, session, params)
            refund = failure_weight_refund(spec, weight)
            if refund:
                weights = self.weights.report(self.weights.refund(session.ip, refund))
                limits = [e for e in limits if e["rateLimitType"] != "REQUEST_WEIGHT"] + weights
        except ExchangeError as exc:
            return self._error_frame(request_id, exc, limits if show else None)
        except Exception:
            logger.exception("handler for %s failed", method)
            error = ExchangeError(500, -1000, "An unknown error occurred while processing the request.")
            return self._error_frame(request_id, error, limits if show else None)
        frame: dict[str, Any] = {"id": request_id, "status": 200, "result": result}
        if show:
            frame["rateLimits"] = limits
        return _json.dumps(frame)

    @staticmethod
    def _error_frame(
        request_id: Any, error: ExchangeError, limits: list[dict[str, Any]] | None = None
    ) -> str:
        frame: dict[str, Any] = {"id": request_id, "status": error.status, "error": error.payload()}
        if limits is not None:
            frame["rateLimits"] = limits
        return _json.dumps(frame)

    def _later(self, delay: float, action: Callable[[], None]) -> None:
        """Run ``action`` on a timer thread after ``delay`` seconds (cancelled by close)."""

        def fire() -> None:
            with self._timers_lock:
                self._timers.discard(timer)
            action()

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        with self._timers_lock:
            self._timers.add(timer)
        timer.start()


def _fault_error(fault: Fault) -> ExchangeError:
    assert fault.status is not None  # checked by the caller
    code, msg = DEFAULT_FAULTS.get(
        fault.status, (-1000, "An unknown error occurred while processing the request.")
    )
    data = fault.data
    if data is None and fault.status in (418, 429):
        data = {"serverTime": now_ms(), "retryAfter": now_ms() + 60_000}
    return ExchangeError(fault.status, fault.code if fault.code is not None else code, fault.msg or msg, data)
