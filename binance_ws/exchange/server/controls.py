"""What a test does to the local exchange: fault injection and connection trouble.

Mixed into :class:`~binance_ws.exchange.LocalExchange`. Every method takes an optional
``connection=`` tag: then it concerns only the connections whose URL carries ``?tag=<tag>``
(:meth:`LocalExchange.url_for` makes such a URL), so a test's fault cannot be taken by another
client of a shared exchange. A tag names a client rather than one TCP connection: a client
that reconnects to the same URL carries it again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from ... import _json
from ..engine import wallet
from ..model.clock import now_ms
from ..services.connections import close_in_background
from .faults import Fault, FaultOdds, FaultPlan
from .links import LinkTable

if TYPE_CHECKING:
    from websockets.sync.server import ServerConnection

    from ..engine.core import Engine
    from ..services.session import Session
    from ..services.userdata import UserDataHub

__all__ = ["ExchangeControls"]


class ExchangeControls:
    """Fault injection, connection trouble and wallet changes (see :class:`LocalExchange`)."""

    faults: FaultPlan
    _links: LinkTable
    user_data: UserDataHub
    engine: Engine

    if TYPE_CHECKING:

        def sessions(self) -> list[Session]: ...

        def _later(self, delay: float, action: Callable[[], None]) -> None: ...

    # -- connection trouble ----------------------------------------------------------------

    @property
    def connection_attempts(self) -> int:
        """TCP connections the exchange has accepted so far, refused ones included.

        Counts each attempt once, whatever became of it (served, refused with a reset or an
        HTTP status, or limited), so a test can watch a client's reconnect backoff.
        """
        return self._links.attempts

    def send_server_shutdown(
        self, *, close_after: float | None = None, connection: str | None = None
    ) -> None:
        """Push ``{"event": {"e": "serverShutdown", "E": ms}}`` to every connection.

        ``close_after``: also close every connection that many seconds later, as the real
        server does once its grace period ends. ``connection``: only those with this tag.
        """
        tag = _tag(connection)
        frame = _json.dumps({"event": {"e": "serverShutdown", "E": now_ms()}})
        sessions = [s for s in self.sessions() if tag is None or s.tag == tag]
        for session in sessions:
            session.send(frame)
        if close_after is not None:

            def close_all() -> None:
                for session in sessions:
                    close_in_background(cast("ServerConnection", session.conn), 1001, "server shutdown")

            self._later(close_after, close_all)

    def send_user_event(
        self,
        event: dict[str, object],
        *,
        subscription_id: int | None = None,
        connection: str | None = None,
    ) -> int:
        """Push ``{"subscriptionId": n, "event": event}`` as is, for each active subscription.

        For a test to send what the engine never makes (an event type from the future, odd
        values). ``subscription_id``: only that id; ``connection``: only connections with
        this tag. Delivered in order with the engine's events. Returns how many were sent.
        """
        return self.user_data.send_each(self.sessions(), _tag(connection), subscription_id, event)

    def drop_all_connections(self, *, connection: str | None = None) -> int:
        """Cut client connections at once (TCP close, no close frame); returns how many.

        Every connection the exchange has accepted and not yet closed is cut, including one
        whose opening handshake is still under way; a connection accepted afterwards is a
        new one. ``connection``: only those whose URL carries this tag.
        """
        return self._links.cut(_tag(connection))

    def go_half_open(self, *, connection: str | None = None) -> int:
        """Make the open connections go silent without closing them; returns how many.

        The TCP connection stays up, but the exchange reads nothing from it: no request is
        answered, no ping is answered (no pong) and the exchange sends no pings of its own
        (so it does not drop the client for a missing pong meanwhile). It is what a client sees
        when a link dies without a FIN, or when a server hangs. :meth:`end_half_open` lets
        the connections go on: requests sent meanwhile are then processed, as TCP delivers
        data late. :meth:`drop_all_connections` still cuts them.

        Only connections open now are affected (``connection``: those with this tag); new
        ones are served normally, as after a real outage; add :meth:`refuse_connections`
        to keep them out too.

        Example::

            >>> import json, websocket
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     ws = websocket.create_connection(ex.url, timeout=0.3)
            ...     frozen = ex.go_half_open()
            ...     _ = ws.send(json.dumps({"id": 1, "method": "ping"}))
            ...     try:
            ...         ws.recv()
            ...     except websocket.WebSocketTimeoutException:
            ...         print("no answer")
            ...     thawed = ex.end_half_open()
            ...     ws.settimeout(5)
            ...     answer = json.loads(ws.recv())
            ...     ws.close()
            no answer
            >>> (frozen, thawed, answer["id"])
            (1, 1, 1)
        """
        return self._links.hold(_tag(connection))

    def end_half_open(self, *, connection: str | None = None) -> int:
        """Let half-open connections go on (``connection``: only those with this tag); returns how many."""
        return self._links.release(_tag(connection))

    def refuse_connections(self, seconds: float | None = None, *, status: int | None = None) -> None:
        """Refuse new connections, for ``seconds`` or until :meth:`accept_connections`.

        Without ``status`` a new TCP connection is reset (RST) as soon as it is accepted;
        with ``status`` (an HTTP error status such as 503) its opening handshake is answered
        with it and a Binance error body. Connections already open are left alone. Every
        attempt is counted in :attr:`connection_attempts`.

        Example::

            >>> import websocket
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     ex.refuse_connections(status=503)
            ...     try:
            ...         websocket.create_connection(ex.url, timeout=5)
            ...     except websocket.WebSocketBadStatusException as exc:
            ...         print(exc.status_code)
            ...     ex.accept_connections()
            ...     websocket.create_connection(ex.url, timeout=5).close()
            ...     ex.connection_attempts
            503
            2
        """
        if seconds is not None and (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or math.isnan(seconds)
            or seconds <= 0
        ):
            raise ValueError(
                f"seconds must be a positive number or None (until accept_connections), got {seconds!r}"
            )
        if status is not None and (
            isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599
        ):
            raise ValueError(
                f"status must be an HTTP error status (400...599) or None for a TCP reset, got {status!r}"
            )
        self._links.refuse(None if seconds is None else float(seconds), status)

    def accept_connections(self) -> None:
        """End :meth:`refuse_connections`: new connections are served again."""
        self._links.accept()

    @property
    def refusing_connections(self) -> bool:
        """True while :meth:`refuse_connections` is in effect."""
        return self._links.refusing

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
        connection: str | None = None,
        executed: bool = False,
    ) -> None:
        """Answer the next request(s) of ``method`` with this error status (400...503).

        ``connection``: only a connection whose URL carries this tag takes the fault.
        ``executed=True``: handle the request first (an order is placed), then answer with
        the error instead of the result; by default the request is not handled at all.
        """
        fault = Fault(status=status, code=code, msg=msg, data=data, executed=executed)
        self.faults.add(method, fault, times, connection=_tag(connection))

    def delay_next(
        self, method: str, seconds: float, *, times: int = 1, connection: str | None = None
    ) -> None:
        """Answer the next request(s) of ``method`` only after ``seconds`` (``connection``: a tag)."""
        self.faults.add(method, Fault(delay=seconds), times, connection=_tag(connection))

    def garbage_next(
        self,
        method: str,
        frame: str | bytes = "}{ not json",
        *,
        times: int = 1,
        connection: str | None = None,
    ) -> None:
        """Send ``frame`` (bytes: as a binary frame) before answering the next request(s).

        ``connection``: only a connection whose URL carries this tag takes the fault.
        """
        self.faults.add(method, Fault(garbage=frame), times, connection=_tag(connection))

    def drop_next(
        self, method: str, *, times: int = 1, connection: str | None = None, executed: bool = False
    ) -> None:
        """Cut the connection instead of answering the next request of ``method`` (``connection``: a tag).

        The request is not handled, unless ``executed=True``: then it is handled first (an
        order is placed) and the connection is cut instead of sending the answer.
        """
        self.faults.add(method, Fault(drop=True, executed=executed), times, connection=_tag(connection))

    def wrong_id_next(self, method: str, *, times: int = 1, connection: str | None = None) -> None:
        """Answer the next request(s) of ``method`` with an id nobody asked for (``connection``: a tag)."""
        self.faults.add(method, Fault(wrong_id=True), times, connection=_tag(connection))

    def duplicate_id_next(self, method: str, *, times: int = 1, connection: str | None = None) -> None:
        """Answer the next request(s) of ``method`` twice, with the same id (``connection``: a tag)."""
        self.faults.add(method, Fault(duplicate=True), times, connection=_tag(connection))

    def random_faults(
        self,
        *,
        delay: float = 0.0,
        max_delay: float = 1.0,
        error: float = 0.0,
        error_executed: float = 0.0,
        garbage: float = 0.0,
        wrong_id: float = 0.0,
        duplicate: float = 0.0,
        seed: int | None = None,
        connection: str | None = None,
    ) -> None:
        """Give every request a chance of a fault, until called again (all zero: off).

        Each argument is a probability per request (together at most 1): ``delay`` (a wait
        of up to ``max_delay`` s), ``error`` (500 or 503 instead of executing),
        ``error_executed`` (execute, then answer 500 or 503), ``garbage`` (a stray frame
        first), ``wrong_id`` (the answer carries an id nobody asked for), ``duplicate``
        (answered twice). Queued faults (:meth:`fail_next`...) still come first. ``seed``
        makes the draws repeatable; ``connection``: only connections with this tag.

        Example::

            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     ex.random_faults(error=1.0)
            ...     ex.faults.take("ping").status in (500, 503)
            ...     ex.random_faults()
            ...     ex.faults.take("ping") is None
            True
            True
        """
        odds = FaultOdds(
            delay=delay,
            max_delay=max_delay,
            error=error,
            error_executed=error_executed,
            garbage=garbage,
            wrong_id=wrong_id,
            duplicate=duplicate,
        )
        off = not any((delay, error, error_executed, garbage, wrong_id, duplicate))
        self.faults.set_odds(None if off else odds, connection=_tag(connection), seed=seed)

    def send_garbage(self, frame: str | bytes = "}{ not json", *, connection: str | None = None) -> int:
        """Push ``frame`` (bytes: a binary frame) to every connection now; returns how many.

        A frame no request asked for, between answers. ``connection``: only those with this tag.
        """
        if not isinstance(frame, (str, bytes)):
            raise TypeError(f"frame must be str or bytes, got {type(frame).__name__}")
        tag = _tag(connection)
        sessions = [s for s in self.sessions() if tag is None or s.tag == tag]
        for session in sessions:
            session.send(frame)
        return len(sessions)

    # -- wallet changes from outside -------------------------------------------------------

    def deposit(
        self, asset: str, amount: Decimal | str | int, *, account: str | None = None
    ) -> dict[str, Any]:
        """Credit (positive ``amount``: a deposit) or debit (negative: a withdrawal) a free balance.

        Sends ``balanceUpdate`` (``d`` is the delta), then ``outboundAccountPosition``, to the
        account's subscriptions. ``account``: an account id (default: the demo account's).
        A withdrawal of more than is free raises ValueError. Returns the ``balanceUpdate`` sent.

        Example::

            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     ex.deposit("BTC", "0.5")["d"]
            ...     ex.accounts.get("demo").free["BTC"]
            '0.50000000'
            Decimal('1.5')
        """
        return wallet.deposit(self.engine, asset, amount, account=account)

    def lock_externally(
        self, asset: str, amount: Decimal | str | int, *, account: str | None = None
    ) -> dict[str, Any]:
        """Lock ``amount`` of a free balance for an external system (negative: release it).

        As when Binance uses spot funds as margin collateral: free moves to locked (or back),
        then ``externalLockUpdate`` (``d`` is the delta) and ``outboundAccountPosition`` are
        sent to the account's subscriptions. Only what was locked this way can be released;
        locking more than is free raises ValueError. ``account``: an account id (default:
        the demo account's). Returns the ``externalLockUpdate`` sent.

        Example::

            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     ex.lock_externally("USDT", "250")["d"]
            ...     ex.accounts.get("demo").locked["USDT"]
            '250.00000000'
            Decimal('250')
        """
        return wallet.lock_externally(self.engine, asset, amount, account=account)


def _tag(connection: str | None) -> str | None:
    if connection is not None and (not isinstance(connection, str) or not connection):
        raise ValueError(
            f"connection must be a tag (a non-empty str, as given to url_for) or None, got {connection!r}"
        )
    return connection
