"""The exception tree of binance_ws.

Every exception the SDK raises on purpose derives from :class:`BinanceWSError`::

    BinanceWSError
    ├─ InvalidParameterError (ValueError)  nothing sent: bad input, named parameter and fix
    ├─ ClientClosedError (RuntimeError)    nothing sent: the client is not connected
    ├─ InsecureTransportError              nothing sent: credentials over ws:// to a remote host
    ├─ ConnectError (ConnectionError)      the connection could not be opened
    ├─ ProtocolError                       a frame or result the SDK could not decode
    ├─ APIError                            the server answered with a status other than 200
    │   ├─ BadRequestError         400
    │   ├─ UnauthorizedError       401 (session key revoked)
    │   ├─ WAFBlockedError         403
    │   ├─ PartialSuccessError     409 (order.cancelReplace: one half failed)
    │   ├─ RateLimitedError        429 (retry_after)
    │   │   └─ IPBannedError       418 (a stronger 429)
    │   └─ ServerError             5xx ─┐
    └─ ExecutionUnknownError  ◄─────────┘ no usable answer: an order may have executed
        ├─ ServerError
        ├─ RequestTimeoutError (TimeoutError)
        │   └─ ResolveTimeoutError     resolve_unknown() could not decide in time
        └─ ConnectionClosedError

Their messages give the recovery that fits the method: query the order before retrying one
that changes state (``changes_state``), simply retry a read.

Messages never contain request parameters: those carry the API key, the signature and the
timestamp.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._ratelimits import RateLimit

__all__ = [
    "APIError",
    "BadRequestError",
    "BinanceWSError",
    "ClientClosedError",
    "ConnectError",
    "ConnectionClosedError",
    "ExecutionUnknownError",
    "IPBannedError",
    "InsecureTransportError",
    "InvalidParameterError",
    "PartialSuccessError",
    "ProtocolError",
    "RateLimitedError",
    "RequestTimeoutError",
    "ResolveTimeoutError",
    "ServerError",
    "UnauthorizedError",
    "WAFBlockedError",
    "error_for_response",
]

_READ_ONLY_HINT = "nothing was changed by this read-only request: it is safe to retry"
_NO_ORDER_HINT = "this request places, cancels and amends no order: it is safe to retry"
# How to find out what a state-changing request did; an order list is looked up as a list.
_ORDER_QUERY = "query the order (e.g. order_status(symbol=..., orig_client_order_id=...))"
_LIST_QUERY = "query the order list (e.g. order_list_status(orig_client_order_id=...))"
_OPEN_QUERY = "query the open orders (e.g. open_orders_status(symbol=...))"


class _MethodFacts(Protocol):
    """What the advice needs of a method table entry (binance_ws._spec.MethodSpec)."""

    @property
    def changes_state(self) -> bool: ...
    @property
    def read_only(self) -> bool: ...


#: The method table, given by binance_ws._spec when it loads (it raises these errors, so
#: it sits above this module and hands the table down rather than being imported).
METHOD_FACTS: dict[str, _MethodFacts] = {}


def _spec_of(method: str | None) -> _MethodFacts | None:
    return METHOD_FACTS.get(method) if method else None


def _changes_state(method: str | None) -> bool | None:
    """The method's ``changes_state`` in the method table; None for a method it lacks."""
    spec = _spec_of(method)
    return None if spec is None else spec.changes_state


def _advice(method: str | None, sent: ExecutionUnknownError | None = None) -> str:
    """What to do after a request of ``method`` got no usable answer.

    ``sent``: the error, whose ids (when the call carried some) the advice names.
    """
    spec = _spec_of(method)
    if spec is not None and not spec.changes_state:
        return _READ_ONLY_HINT if spec.read_only else _NO_ORDER_HINT
    # A state-changing method, or one the table lacks (then assume the worst).
    query = None if sent is None else sent._query_hint()
    if query is not None:
        return f"execution status is unknown: {query} before retrying (or call client.resolve_unknown(err))"
    if method and method.startswith("orderList."):
        query = _LIST_QUERY
    elif method == "openOrders.cancelAll":
        query = _OPEN_QUERY
    else:
        query = _ORDER_QUERY
    return f"execution status is unknown: {query} before retrying"


class BinanceWSError(Exception):
    """Base class of every error raised by binance_ws.

    Example::

        try:
            client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
        except binance_ws.ExecutionUnknownError:
            ...  # may have executed: query it before doing anything else
        except binance_ws.APIError as exc:
            print(exc.code, exc.msg)  # rejected: nothing happened
    """


class InvalidParameterError(BinanceWSError, ValueError):
    """Bad input caught before anything was sent; the message names the parameter and the fix."""

    def __init__(self, param: str, problem: str) -> None:
        super().__init__(param, problem)
        self.param = param
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.param}: {self.problem}"


class ClientClosedError(BinanceWSError, RuntimeError):
    """The client is not connected (never opened, already closed, or used in a forked child).

    Nothing was sent. A client that was never opened needs ``connect()`` (or a ``with``
    block); a closed one cannot be reopened: create a new :class:`~binance_ws.Client`.
    """

    @classmethod
    def not_open(cls, method: str, *, closed: bool) -> ClientClosedError:
        """The error for ``method`` on a client that is not open, with the fix that works."""
        if closed:
            return cls(f"{method}: this client was closed; create a new Client")
        return cls(f"{method}: the client is not connected yet; call connect() or use it in a with block")


class ConnectError(BinanceWSError, ConnectionError):
    """The connection could not be opened (refused, handshake rejected, timed out)."""


class InsecureTransportError(BinanceWSError):
    """Credentials would travel unencrypted (``ws://``) to a host that is not loopback."""


class ProtocolError(BinanceWSError):
    """The server sent something the SDK could not decode; the cause is chained."""


class ExecutionUnknownError(BinanceWSError):
    """A request got no usable answer: a 5xx, no answer in time, or a lost connection.

    Raised as :class:`ServerError` (5xx, or -1007 TIMEOUT), :class:`RequestTimeoutError`
    (no response within the timeout) and :class:`ConnectionClosedError` (the connection
    closed while waiting). What that means depends on the method, given by ``changes_state``:

    - ``True`` (``order.place``, ``order.cancel``, ``orderList.place.oco``... : TRADE methods
      served by the matching engine): the request may or may not have executed. Never resend
      it blindly, or an order may be placed twice: find out first with
      :meth:`~binance_ws.Client.resolve_unknown`.
    - ``False`` (``ping``, ``depth``, ``order.status``, ``order.test``, ``session.logon``...):
      no order was placed, cancelled or amended, so the same request can simply be sent again
      (the client already retried a read once, see ``Client(retry_reads=True)``).
    - ``None``: a method the SDK does not know (``client.request("someNewMethod")``); treat
      it as ``True``.

    A :class:`ConnectionClosedError` with ``sent=False`` certainly did not execute.

    A state-changing call says what it sent, to look it up with: ``client_order_id`` (the
    order it places; for ``order.cancelReplace`` the new order), ``list_client_order_id`` (the
    order list it places or cancels), ``symbol``, and for a cancel or an amendment the order
    it concerns (``orig_client_order_id`` / ``order_id``, ``order_list_id`` for a list).
    Orders given no client order id get one from the SDK (``bws...``), so there is always one
    to query with. ``sent_at`` is when the request reached the server at the latest (epoch
    seconds). Each is None where it does not apply; ``str(err)`` shows them.

    Recovery for a state-changing call: :meth:`~binance_ws.Client.resolve_unknown` returns
    the order if it executed, None once Binance says it does not exist (a "does not exist"
    counts only after its 10 s matching-engine window), and never re-sends it; still unknown
    within its timeout, it raises :class:`ResolveTimeoutError`: call it again. After a lost
    connection the same client waits for its reconnect (or use a new Client)::

        >>> import binance_ws
        >>> from binance_ws.exchange import LocalExchange
        >>> with LocalExchange(book_levels=20) as ex:
        ...     key = ex.keys.hmac
        ...     with binance_ws.Client(ex.url, api_key=key.api_key, api_secret=key.api_secret) as client:
        ...         ex.fail_next("order.place", 503)  # refused before the matching engine
        ...         try:
        ...             client.order_place(symbol="BTCUSDT", side="BUY", type="LIMIT",
        ...                                time_in_force="GTC", price="50000", quantity="0.001")
        ...         except binance_ws.ExecutionUnknownError as err:
        ...             print(err.client_order_id.startswith("bws"), err.symbol)
        ...             print(client.resolve_unknown(err, window=0.2))  # window: 10 s by default
        True BTCUSDT
        None

    By hand: ``order_status(symbol=err.symbol, orig_client_order_id=err.client_order_id)``
    (-2013 "Order does not exist." means not placed, once 10 s have passed since
    ``sent_at``), ``order_list_status(orig_client_order_id=err.list_client_order_id)`` for an
    order list, ``open_orders_status(symbol=...)`` after a cancel-all.
    """

    client_order_id: str | None = None
    list_client_order_id: str | None = None
    symbol: str | None = None
    orig_client_order_id: str | None = None
    order_id: int | None = None
    order_list_id: int | None = None
    sent_at: float | None = None

    @property
    def changes_state(self) -> bool | None:
        """True if the method may have changed orders, False if not, None if not in the table."""
        method: str | None = getattr(self, "method", None)  # set by every subclass
        return _changes_state(method)

    def _sent_ids(self) -> str:
        """`` [sent: symbol=... clientOrderId=...]`` for str(), or "" when nothing was noted."""
        shown = [
            f"{name}={value}"
            for name, value in (
                ("symbol", self.symbol),
                ("clientOrderId", self.client_order_id),
                ("listClientOrderId", self.list_client_order_id),
                ("origClientOrderId", self.orig_client_order_id),
                ("orderId", self.order_id),
                ("orderListId", self.order_list_id),
            )
            if value is not None
        ]
        return f" [sent: {' '.join(shown)}]" if shown else ""

    def _query_hint(self) -> str | None:
        """The query that finds what this call did, with its ids; None without ids."""
        method: str | None = getattr(self, "method", None)
        if self.list_client_order_id is not None and self.client_order_id is None:
            return f"query the order list (order_list_status(orig_client_order_id={self.list_client_order_id!r}))"
        if self.order_list_id is not None:
            return f"query the order list (order_list_status(order_list_id={self.order_list_id}))"
        if self.symbol is None:
            return None
        if self.client_order_id is not None and method != "order.cancelReplace":
            key, value = "orig_client_order_id", repr(self.client_order_id)
        elif self.order_id is not None:
            key, value = "order_id", str(self.order_id)
        elif self.orig_client_order_id is not None:
            key, value = "orig_client_order_id", repr(self.orig_client_order_id)
        else:
            return None
        query = f"query the order (order_status(symbol={self.symbol!r}, {key}={value}))"
        if method == "order.cancelReplace" and self.client_order_id is not None:
            query += (
                f" and the new one (order_status(symbol={self.symbol!r}, "
                f"orig_client_order_id={self.client_order_id!r}))"
            )
        return query


class RequestTimeoutError(ExecutionUnknownError, TimeoutError):
    """No response arrived within the timeout.

    A state-changing request (``changes_state``) may still execute: query it before
    retrying. A read-only one changed nothing and can simply be sent again.
    """

    def __init__(self, method: str, request_id: object, timeout: float) -> None:
        super().__init__(method, request_id, timeout)
        self.method = method
        self.request_id = request_id
        self.timeout = timeout

    def __str__(self) -> str:
        return (
            f"{self.method} (id={self.request_id}): no response within {self.timeout:g} s; "
            f"{_advice(self.method, self)}{self._sent_ids()}"
        )


class ResolveTimeoutError(RequestTimeoutError):
    """:meth:`~binance_ws.Client.resolve_unknown` could not decide within its timeout.

    The outcome is still unknown (the server did not answer the queries, or Binance's
    matching-engine window had not passed yet). It carries the same ids as the error it
    was given: call ``client.resolve_unknown(err)`` again, with this error or the first.
    ``reason`` says what stood in the way.
    """

    reason: str = ""

    @classmethod
    def still_unknown(cls, err: ExecutionUnknownError, timeout: float, reason: str) -> ResolveTimeoutError:
        method: str = getattr(err, "method", None) or "?"
        out = cls(method, getattr(err, "request_id", None), timeout)
        for name in _SENT_FIELDS:
            setattr(out, name, getattr(err, name))
        out.reason = reason
        return out

    def __str__(self) -> str:
        return (
            f"{self.method} (id={self.request_id}): still unknown after resolve_unknown() waited "
            f"{self.timeout:g} s ({self.reason}); call client.resolve_unknown(err) again, it never "
            f"re-sends the request{self._sent_ids()}"
        )


#: What a state-changing call notes on its ExecutionUnknownError (see there).
_SENT_FIELDS = (
    "client_order_id",
    "list_client_order_id",
    "symbol",
    "orig_client_order_id",
    "order_id",
    "order_list_id",
    "sent_at",
)


class ConnectionClosedError(ExecutionUnknownError):
    """The connection closed while the request was in flight (or before it could be sent).

    ``sent`` tells whether the request left this process: when it is ``False`` the request
    certainly did not execute and can be sent again (on a new :class:`~binance_ws.Client`).
    When it is ``True``, a state-changing request (``changes_state``) may have executed:
    query it before retrying.
    """

    def __init__(
        self, reason: str, *, method: str | None = None, request_id: object = None, sent: bool = True
    ) -> None:
        super().__init__(reason, method, request_id, sent)
        self.reason = reason
        self.method = method
        self.request_id = request_id
        self.sent = sent

    def __reduce__(self) -> tuple[Any, ...]:
        state = self.__dict__
        return (_rebuild_closed, (self.reason, self.method, self.request_id, self.sent), state)

    def __str__(self) -> str:
        where = f"{self.method} (id={self.request_id}): " if self.method else ""
        if not self.sent:
            return (
                f"{where}connection closed ({self.reason}); the request was not sent, "
                "so it did not execute: it is safe to retry"
            )
        return f"{where}connection closed ({self.reason}); {_advice(self.method, self)}{self._sent_ids()}"


def _rebuild_closed(reason: str, method: str | None, request_id: object, sent: bool) -> Any:
    return ConnectionClosedError(reason, method=method, request_id=request_id, sent=sent)


class APIError(BinanceWSError):
    """The server answered with a status other than 200.

    Attributes: ``status`` (HTTP-like status), ``code`` (Binance error code), ``msg``
    (Binance's message), ``data`` (the error's extra fields, or ``None``), ``rate_limits``,
    ``request_id`` and ``method``.
    """

    def __init__(
        self,
        status: int,
        code: int | None,
        msg: str,
        *,
        method: str = "",
        request_id: object = None,
        data: Mapping[str, Any] | None = None,
        rate_limits: tuple[RateLimit, ...] = (),
    ) -> None:
        super().__init__(status, code, msg, method, request_id, data, rate_limits)
        self.status = status
        self.code = code
        self.msg = msg
        self.method = method
        self.request_id = request_id
        self.data = data
        self.rate_limits = rate_limits

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_api_error,
            (
                type(self),
                self.status,
                self.code,
                self.msg,
                self.method,
                self.request_id,
                self.data,
                self.rate_limits,
            ),
            self.__dict__,
        )

    def _hint(self) -> str:
        return ""

    def __str__(self) -> str:
        code = "" if self.code is None else f" {self.code}"
        return f"{self.method or '?'} [{self.status}]{code}: {self.msg} (id={self.request_id}){self._hint()}"


def _rebuild_api_error(cls: type[APIError], *args: Any) -> APIError:
    status, code, msg, method, request_id, data, rate_limits = args
    return cls(status, code, msg, method=method, request_id=request_id, data=data, rate_limits=rate_limits)


class BadRequestError(APIError):
    """400: the request was rejected; fix it rather than retrying it unchanged."""

    def _hint(self) -> str:
        if self.code == -1021:
            return (
                "; the local clock is off or recv_window too small: "
                "use Client(..., sync_time=True) or a larger recv_window"
            )
        return ""


class UnauthorizedError(APIError):
    """401: the session's API key became invalid and the session was logged out."""


class WAFBlockedError(APIError):
    """403: the web application firewall blocked the request."""


class PartialSuccessError(APIError):
    """409: one half of a composite request succeeded and the other failed.

    ``data`` holds both halves, e.g. for ``order.cancelReplace``: ``cancel_result``,
    ``new_order_result``, ``cancel_response`` and ``new_order_response``.
    """

    @property
    def cancel_result(self) -> str | None:
        return None if self.data is None else self.data.get("cancelResult")

    @property
    def new_order_result(self) -> str | None:
        return None if self.data is None else self.data.get("newOrderResult")

    @property
    def cancel_response(self) -> Any:
        return None if self.data is None else self.data.get("cancelResponse")

    @property
    def new_order_response(self) -> Any:
        return None if self.data is None else self.data.get("newOrderResponse")


class RateLimitedError(APIError):
    """429: a rate limit was exceeded; wait until ``retry_after`` (UTC) before sending more.

    Sending on after a 429 is what gets an IP banned (418), so after one the client itself
    refuses every request until ``retry_after``: those errors have ``local=True`` (nothing
    was sent) and carry the server's ``retry_after``.
    """

    #: True when the client refused the request itself, before sending anything.
    local = False

    def held_back(self, method: str) -> RateLimitedError:
        """The error of a request refused locally while this one's ``retry_after`` holds."""
        error = type(self)(
            self.status,
            self.code,
            self.msg,
            method=method,
            data=self.data,
            rate_limits=self.rate_limits,
        )
        error.local = True
        return error

    def seconds_left(self, time_offset_ms: int = 0) -> float | None:
        """Seconds from now until ``retry_after`` (server clock minus ``time_offset_ms``)."""
        raw = None if self.data is None else self.data.get("retryAfter")
        if isinstance(raw, bool) or not isinstance(raw, int):
            return None
        import time

        try:
            return max(0.0, (raw - time_offset_ms) / 1000 - time.time())
        except OverflowError:  # beyond any float (stdlib json decodes any digit count)
            return float("inf") if raw > 0 else 0.0

    @property
    def retry_after(self) -> _dt.datetime | None:
        """When sending may resume, as a timezone-aware UTC datetime, if the server said."""
        raw = None if self.data is None else self.data.get("retryAfter")
        if isinstance(raw, bool) or not isinstance(raw, int):
            return None
        try:
            return _dt.datetime.fromtimestamp(raw / 1000, tz=_dt.timezone.utc)
        except (ValueError, OverflowError, OSError):  # beyond what a datetime holds
            return _dt.datetime.max.replace(tzinfo=_dt.timezone.utc) if raw > 0 else None

    def _hint(self) -> str:
        after = self.retry_after
        hint = f"; retry after {after.isoformat()}" if after else ""
        if self.local:
            hint += "; not sent: the client holds requests back until then, as Binance asks"
        return hint


class IPBannedError(RateLimitedError):
    """418: the IP is banned for ignoring 429s, until ``retry_after``."""


class ServerError(APIError, ExecutionUnknownError):
    """5xx, or -1007 TIMEOUT whatever its status: a server-side failure.

    A state-changing request (``changes_state``) may or may not have executed: query it
    before retrying. A read-only one changed nothing and can simply be sent again.
    """

    def _hint(self) -> str:
        return f"; {_advice(self.method, self)}{self._sent_ids()}"


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: WAFBlockedError,
    409: PartialSuccessError,
    418: IPBannedError,
    429: RateLimitedError,
}


def error_for_response(
    status: int,
    error: Any,
    *,
    method: str,
    request_id: object,
    rate_limits: tuple[RateLimit, ...],
) -> APIError:
    """Build the most specific :class:`APIError` for a non-200 response."""
    if isinstance(error, Mapping):
        code = error.get("code")
        msg = error.get("msg")
        data = error.get("data")
    else:
        code, msg, data = None, None, None
    # -1007 TIMEOUT: the matching engine did not answer in time; execution status unknown.
    cls = ServerError if status >= 500 or code == -1007 else _BY_STATUS.get(status, APIError)
    return cls(
        status,
        code if isinstance(code, int) else None,
        msg if isinstance(msg, str) else "(no message)",
        method=method,
        request_id=request_id,
        data=data if isinstance(data, Mapping) else None,
        rate_limits=rate_limits,
    )
