"""LocalExchange: the loopback server, its connections and the request dispatch.

Threads: one accept loop (``binance-ws-exchange-N``) from the ``websockets`` package's
threaded server, one handler thread per connection, a housekeeping thread that ends
connections past their lifetime, short timer threads for delayed answers, and the scripted
market participant when it is on. Everything stops in :meth:`LocalExchange.close`.
Fault injection and connection trouble (drops, half-open, refusals) live in ``controls``;
the table of accepted connections in ``links``; everything but the sockets (books,
accounts, engine, limits) in the :class:`~binance_ws.exchange.services.venue.Venue`.

A request goes: fault injection (here) -> :func:`.pipeline.answer` (request weight, method
and parameter checks, security, unfilled order count, handler) -> the answer frame, sent
now, later, twice or not at all as the fault says.
"""

from __future__ import annotations

import inspect
import itertools
import json
import logging
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from ..model.clock import Clock
from ..model.errors import DEFAULT_FAULTS
from ..services.connections import cut
from ..services.session import Session
from ..services.venue import (
    DEFAULT_BAN_AFTER,
    DEFAULT_CONNECTION_ATTEMPTS,
    DEFAULT_MAX_CONNECTION_AGE,
    DEFAULT_ORDER_LIMIT_10S,
    DEFAULT_ORDER_LIMIT_DAY,
    DEFAULT_WEIGHT_LIMIT,
    Venue,
)
from . import pipeline
from .controls import ExchangeControls
from .faults import FaultPlan
from .links import TAG_KEY, LinkTable, tag_of

if TYPE_CHECKING:
    from ..engine.core import Engine
    from ..model.accounts import Accounts
    from ..model.book import Book
    from ..model.keys import KeyStore
    from ..model.symbols import SymbolInfo
    from ..services.ratelimit import OrderCounter, WeightCounter
    from ..services.scripted import ScriptedMarket
    from ..services.userdata import UserDataHub
    from .tls import LocalCA

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

# Binance pings every 20 s and drops a connection that has not answered within a minute.
DEFAULT_PING_INTERVAL = 20.0
DEFAULT_PING_TIMEOUT = 60.0
# Big enough for any request a client sends (Binance's own frames are small).
MAX_REQUEST_FRAME = 1 << 20

_exchange_numbers = itertools.count(1)
# websockets 17 closes connections itself on shutdown, with a code of our choosing.
_SHUTDOWN_TAKES_CODE = "code" in inspect.signature(Server.shutdown).parameters


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
        limits_clock: Clock | None = None,
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
            from .tls import LocalCA

            self._ca = LocalCA()
            ssl_context = self._ca.server_context()
        self._ssl_context = ssl_context
        self._requested_port = port
        #: Everything but the sockets; the attributes below are its parts.
        self.venue = Venue(
            book_levels=book_levels,
            extra_symbols=extra_symbols,
            seed=seed,
            weight_limit=weight_limit,
            balances=balances,
            order_limit_10s=order_limit_10s,
            order_limit_day=order_limit_day,
            ban_after=ban_after,
            connection_attempt_limit=connection_attempt_limit,
            max_connections=max_connections,
            enforce_limits=enforce_limits,
            limits_clock=limits_clock,
            max_connection_age=max_connection_age,
        )
        venue = self.venue
        self.symbols: dict[str, SymbolInfo] = venue.symbols
        self.books: dict[str, Book] = venue.books
        #: REQUEST_WEIGHT per IP and minute.
        self.weights: WeightCounter = venue.weights
        #: ORDERS (unfilled order count) per account; ``account.rateLimits.orders`` reads it.
        self.order_limits: OrderCounter = venue.order_limits
        self.accounts: Accounts = venue.accounts
        #: The demo API keys (``keys.hmac``, ``keys.ed25519``, ``keys.rsa``).
        self.keys: KeyStore = venue.keys
        self.engine: Engine = venue.engine
        #: User Data Stream subscriptions of every connection.
        self.user_data: UserDataHub = venue.user_data
        self._gate = venue.connections
        self.faults = FaultPlan()
        self._links = LinkTable()
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._scripted_market = scripted_market
        self._market: ScriptedMarket | None = None
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
            from ..services.scripted import ScriptedMarket

            self._market = ScriptedMarket(self.engine)
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
            code, msg = DEFAULT_FAULTS.get(status, pipeline.UNKNOWN_ERROR)
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
                target=cast("ServerConnection", s.conn).close,
                args=(code, reason),
                name="binance-ws-exchange-close",
                daemon=True,
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
        return self.venue.rate_limit_config()

    def account_of(self, api_key: str | None) -> str:
        """The account an API key acts for (the demo account for keys the store does not know)."""
        return self.keys.account_of(api_key)

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
        request = pipeline.parse(message)
        if isinstance(request, str):
            session.send(request)
            return
        request_id, method, params = request
        self.requests.append((method, params))
        venue = self.venue
        fault = self.faults.take(method, session.tag)
        if fault is None:
            session.send(pipeline.answer(venue, session, request_id, method, params))
            return
        if fault.drop:
            if fault.executed:
                pipeline.answer(venue, session, request_id, method, params)
            cut(cast("ServerConnection", session.conn))
            return
        if fault.garbage is not None:
            session.send(fault.garbage)
        frame = pipeline.answer(venue, session, request_id, method, params, fault=fault)
        if fault.status is not None and fault.executed:
            # Executed, and answered as a failure: the caller cannot tell what happened.
            frame = pipeline.error_frame(
                f"not-{request_id}" if fault.wrong_id else request_id, pipeline.fault_error(fault)
            )
        for _ in range(2 if fault.duplicate else 1):
            if fault.delay > 0:
                self._later(fault.delay, lambda: session.send(frame))
            else:
                session.send(frame)

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
