"""LocalExchange: the loopback server, its connections and the request dispatch.

Threads: one accept loop (``binance-ws-exchange``) from the ``websockets`` package's
threaded server, one handler thread per connection, and short timer threads for delayed
answers. Everything stops in :meth:`LocalExchange.close`.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import threading
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .._spec import METHODS
from . import _errors
from ._accounts import DEMO_ACCOUNT, Accounts
from ._engine import Engine
from ._errors import DEFAULT_FAULTS, ExchangeError
from ._faults import Fault, FaultPlan
from ._handlers import HANDLERS, now_ms
from ._keys import KeyStore
from ._market import Book, SymbolInfo, default_symbols, synthetic_symbols
from ._ratelimit import WeightCounter, weight_of
from ._security import authenticate

try:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.server import Server, ServerConnection, serve
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "binance_ws.exchange needs the 'websockets' package: pip install 'binance-ws[exchange]'"
    ) from exc

logger = logging.getLogger(__name__)

__all__ = ["LocalExchange", "Session"]

# Binance's documented default: 6000 request weight per minute per IP.
DEFAULT_WEIGHT_LIMIT = 6000
# Big enough for any request a client sends (Binance's own frames are small).
MAX_REQUEST_FRAME = 1 << 20

_exchange_numbers = itertools.count(1)


class Session:
    """Per-connection state (session key, subscriptions grow here)."""

    def __init__(self, conn: ServerConnection) -> None:
        self.conn = conn
        self.connected_since = now_ms()
        #: The API key of session.logon, or None.
        self.api_key: str | None = None
        #: The key the request being handled acts for (set by security before the handler).
        self.request_key: str | None = None

    def send(self, text: str | bytes) -> None:
        try:
            self.conn.send(text)
        except ConnectionClosed:
            logger.debug("answer dropped: the connection is closed")


class LocalExchange:
    """A Binance-compatible WebSocket API server on 127.0.0.1.

    ``port=0`` (the default) picks a free port; read the address from :attr:`url`.
    ``balances`` (asset -> amount) seeds the demo account. ``book_levels`` sets the resting liquidity per side (enough for ``depth`` limit=5000 by
    default); ``extra_symbols`` adds synthetic symbols so ``exchangeInfo`` can be as large as
    Binance's. Use it as a context manager, or call :meth:`start` and :meth:`close`.

    Fault injection for tests (each applies to the next ``times`` requests of ``method``;
    ``"*"`` matches any method): :meth:`fail_next`, :meth:`delay_next`,
    :meth:`garbage_next`, :meth:`drop_next`, :meth:`wrong_id_next`.

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
    ) -> None:
        self._requested_port = port
        self.symbols: dict[str, SymbolInfo] = {
            s.symbol: s for s in default_symbols() + synthetic_symbols(extra_symbols)
        }
        rng = random.Random(seed)
        self.books: dict[str, Book] = {
            name: Book(info, book_levels if i < 4 else 20, rng)
            for i, (name, info) in enumerate(self.symbols.items())
        }
        self.weights = WeightCounter(weight_limit)
        self.accounts = Accounts.demo(balances)
        #: The demo API keys (``keys.hmac``, ``keys.ed25519``, ``keys.rsa``).
        self.keys = KeyStore.demo(DEMO_ACCOUNT)
        self.engine = Engine(self)
        self.faults = FaultPlan()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._timers: set[threading.Timer] = set()
        self._timers_lock = threading.Lock()
        self._sessions: set[Session] = set()
        self._sessions_lock = threading.Lock()
        #: Every request the exchange received, as ``(method, params)`` (tests read it).
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The ``ws://127.0.0.1:PORT/ws-api/v3`` address to give to :class:`binance_ws.Client`."""
        if not self.port:
            raise RuntimeError("the exchange is not started: call start() or use it in a with block")
        return f"ws://127.0.0.1:{self.port}/ws-api/v3"

    def start(self) -> LocalExchange:
        """Bind 127.0.0.1 and serve in a background thread; returns once it accepts connections."""
        if self._server is not None:
            return self
        server = serve(
            self._handle_connection,
            "127.0.0.1",
            self._requested_port,
            compression=None,
            max_size=MAX_REQUEST_FRAME,
            # Binance pings every 20 s and expects a pong; so does the simulator.
            ping_interval=20,
            ping_timeout=60,
            close_timeout=2,
        )
        self._server = server
        self.port = server.socket.getsockname()[1]
        self._thread = threading.Thread(
            target=server.serve_forever, name=f"binance-ws-exchange-{next(_exchange_numbers)}", daemon=True
        )
        self._thread.start()
        logger.info("local exchange listening on %s", self.url)
        return self

    def close(self) -> None:
        """Close every connection, stop serving and join the threads. Idempotent."""
        server, self._server = self._server, None
        with self._timers_lock:
            timers, self._timers = list(self._timers), set()
        for timer in timers:
            timer.cancel()
        if server is None:
            return
        server.shutdown()
        if self._thread is not None:
            self._thread.join(5)
        for timer in timers:
            timer.join(1)

    def __enter__(self) -> LocalExchange:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = f"ws://127.0.0.1:{self.port}" if self.port else "not started"
        return f"<LocalExchange {where} symbols={len(self.symbols)} connections={len(self._sessions)}>"

    @property
    def connection_count(self) -> int:
        """How many clients are connected right now."""
        return len(self._sessions)

    def rate_limit_config(self) -> list[dict[str, Any]]:
        return [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": self.weights.limit,
            },
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000},
            {"rateLimitType": "CONNECTIONS", "interval": "MINUTE", "intervalNum": 5, "limit": 300},
        ]

    # -- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        *,
        code: int | None = None,
        msg: str | None = None,
        data: dict[str, object] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next request(s) of ``method`` with this error status (400...503)."""
        self.faults.add(method, Fault(status=status, code=code, msg=msg, data=data), times)

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next request(s) of ``method`` only after ``seconds``."""
        self.faults.add(method, Fault(delay=seconds), times)

    def garbage_next(self, method: str, frame: str | bytes = "}{ not json", *, times: int = 1) -> None:
        """Send ``frame`` (bytes: as a binary frame) before answering the next request(s)."""
        self.faults.add(method, Fault(garbage=frame), times)

    def drop_next(self, method: str, *, times: int = 1) -> None:
        """Cut the connection instead of answering the next request of ``method``."""
        self.faults.add(method, Fault(drop=True), times)

    def wrong_id_next(self, method: str, *, times: int = 1) -> None:
        """Answer the next request(s) of ``method`` with an id nobody asked for."""
        self.faults.add(method, Fault(wrong_id=True), times)

    def drop_all_connections(self) -> None:
        """Cut every client connection at once (TCP close, no close frame)."""
        with self._sessions_lock:
            sessions = list(self._sessions)
        for session in sessions:
            session.conn.socket.close()

    # -- serving ---------------------------------------------------------------------------

    def _handle_connection(self, conn: ServerConnection) -> None:
        session = Session(conn)
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
            with self._sessions_lock:
                self._sessions.discard(session)

    def _handle_message(self, session: Session, message: str | bytes) -> None:
        try:
            request = json.loads(message)
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
        fault = self.faults.take(method)
        if fault is not None:
            if fault.drop:
                session.conn.socket.close()
                return
            if fault.garbage is not None:
                session.send(fault.garbage)
        frame = self._answer(session, request_id, method, params, fault)
        if fault is not None and fault.delay > 0:
            self._send_later(session, frame, fault.delay)
        else:
            session.send(frame)

    def _answer(
        self, session: Session, request_id: Any, method: str, params: dict[str, Any], fault: Fault | None
    ) -> str:
        used = self.weights.add(weight_of(method, params))
        limits = self.weights.report(used)
        if fault is not None and fault.wrong_id:
            request_id = f"not-{request_id}"
        if fault is not None and fault.status is not None:
            code, msg = DEFAULT_FAULTS.get(
                fault.status, (-1000, "An unknown error occurred while processing the request.")
            )
            data = fault.data
            if data is None and fault.status in (418, 429):
                data = {"serverTime": now_ms(), "retryAfter": now_ms() + 60_000}
            error = ExchangeError(
                fault.status, fault.code if fault.code is not None else code, fault.msg or msg, data
            )
            return self._error_frame(request_id, error, limits)
        handler = HANDLERS.get(method)
        spec = METHODS.get(method)
        try:
            if handler is None or spec is None:
                raise _errors.unknown_method(method)
            unknown = [
                name
                for name in params
                if name not in spec.param_map
                and name not in ("apiKey", "signature", "timestamp", "returnRateLimits")
            ]
            if unknown:
                raise _errors.unread_params(len(params) - len(unknown), len(params))
            for p in spec.params:
                if p.required and p.name not in params:
                    raise _errors.mandatory_missing(p.name)
            session.request_key = authenticate(self, session, spec, params)
            result = handler(self, session, params)
        except ExchangeError as exc:
            return self._error_frame(request_id, exc, limits)
        except Exception:
            logger.exception("handler for %s failed", method)
            return self._error_frame(
                request_id,
                ExchangeError(500, -1000, "An unknown error occurred while processing the request."),
                limits,
            )
        frame: dict[str, Any] = {"id": request_id, "status": 200, "result": result}
        if params.get("returnRateLimits", True) is not False:
            frame["rateLimits"] = limits
        return json.dumps(frame, default=_json_default)

    @staticmethod
    def _error_frame(
        request_id: Any, error: ExchangeError, limits: list[dict[str, Any]] | None = None
    ) -> str:
        frame: dict[str, Any] = {"id": request_id, "status": error.status, "error": error.payload()}
        if limits is not None:
            frame["rateLimits"] = limits
        return json.dumps(frame)

    def _send_later(self, session: Session, frame: str, delay: float) -> None:
        def fire() -> None:
            with self._timers_lock:
                self._timers.discard(timer)
            session.send(frame)

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        with self._timers_lock:
            self._timers.add(timer)
        timer.start()


def _json_default(obj: object) -> str:
    if isinstance(obj, Decimal):
        return format(obj, "f")
    raise TypeError(f"cannot encode {type(obj).__name__}")
