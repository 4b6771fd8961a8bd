"""Finding out what a state-changing request did after it ended in ExecutionUnknownError.

The request path notes on the error what the call sent (:func:`note_sent`); the
:class:`ResolveUnknown` mixin of :class:`binance_ws.Client` looks those ids up with the
read-only queries (``order.status``, ``orderList.status``) and never re-sends the request.

Binance's API waits at most 10 s for the matching engine: until then an order that "does
not exist" may still appear, so "it was not placed" is only concluded from a query sent
after that window.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import attrs

from ._errors import (
    APIError,
    ConnectionClosedError,
    ExecutionUnknownError,
    InvalidParameterError,
    RequestTimeoutError,
    ResolveTimeoutError,
)
from ._methods._base import MethodsBase
from ._spec import METHODS
from .enums import OrderListStatus, OrderStatus
from .models.account import Order
from .models.trading import OrderList

__all__ = ["MATCHING_ENGINE_WINDOW", "CancelReplaceResolution", "ResolveUnknown", "note_sent"]

#: Seconds Binance's API waits for the matching engine (then -1007 TIMEOUT, outcome unknown).
MATCHING_ENGINE_WINDOW = 10.0
# Statuses after which an order changes no more: a cancel or amendment has settled.
_ACTIVE = frozenset({OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED, OrderStatus.PENDING_NEW})
# "Order does not exist." (-2013); an unknown order list is -2011 "Order list does not exist."
_NO_ORDER = -2013
_NO_LIST = -2011


def note_sent(exc: ExecutionUnknownError, wire: str, params: Mapping[str, Any], started: float) -> None:
    """Note on ``exc`` the ids a state-changing ``wire`` call sent, and when it was sent.

    ``started``: ``time.time()`` before the request was handed to the connection. The
    ``sent_at`` noted is the latest the request can have reached the server (a timed-out
    request left ``timeout`` seconds before the error; anything else, by the error).
    """
    spec = METHODS.get(wire[3:] if wire.startswith("v3/") else wire)
    if spec is None or not spec.changes_state:
        return
    wire = spec.wire

    def text(name: str) -> str | None:
        value = params.get(name)
        return value if isinstance(value, str) else None

    def number(name: str) -> int | None:
        value = params.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    exc.symbol = text("symbol")
    if wire == "order.cancelReplace":
        exc.client_order_id = text("newClientOrderId")
        exc.orig_client_order_id = text("cancelOrigClientOrderId")
        exc.order_id = number("cancelOrderId")
    elif wire.startswith("orderList."):
        exc.list_client_order_id = text("listClientOrderId")
        exc.order_list_id = number("orderListId")
    elif spec.unfilled_order_count:
        exc.client_order_id = text("newClientOrderId")
    else:
        exc.orig_client_order_id = text("origClientOrderId")
        exc.order_id = number("orderId")
    now = time.time()
    exc.sent_at = max(started, now - exc.timeout) if isinstance(exc, RequestTimeoutError) else now


@attrs.frozen(kw_only=True)
class CancelReplaceResolution:
    """What an ``order.cancelReplace`` of unknown outcome did, as the server tells now.

    ``cancelled_order``: the order it was to cancel, as it is now (``status`` CANCELED if the
    cancel went through; None if no such order exists). ``new_order``: the order it was to
    place, or None when Binance says it does not exist (after the matching-engine window).
    """

    cancelled_order: Order | None
    new_order: Order | None


#: What resolve_unknown returns.
Outcome = Order | OrderList | CancelReplaceResolution | None


class ResolveUnknown(MethodsBase):
    """:meth:`resolve_unknown`, as a mixin of :class:`binance_ws.Client`."""

    timeout: float

    def resolve_unknown(
        self,
        err: ExecutionUnknownError,
        *,
        timeout: float | None = None,
        window: float = MATCHING_ENGINE_WINDOW,
    ) -> Outcome:
        """Find out what a state-changing call that raised ``err`` did; never re-sends it.

        Looks up the ids ``err`` carries (see :class:`~binance_ws.ExecutionUnknownError`):

        - ``order.place``, ``sor.order.place``: the :class:`~binance_ws.models.Order` if it
          was placed, None if not;
        - ``orderList.place*``: the :class:`~binance_ws.models.OrderList`, or None;
        - ``order.cancel``, ``order.amend.keepPriority``: the order as it is now (its
          ``status`` shows whether the cancel went through), or None if no such order;
          ``orderList.cancel``: the list likewise;
        - ``order.cancelReplace``: a :class:`CancelReplaceResolution` with both orders, or None
          if neither exists.

        None ("it does not exist") is concluded only from a query sent after ``window``
        seconds (Binance's 10 s matching-engine wait; shorten it for tests only) have passed
        since ``err.sent_at``: until then the lookup is repeated, as an order that does not
        exist yet may still appear. A found order is returned at once (a cancel or an
        amendment once the order can change no more, or after the window). A
        :class:`~binance_ws.ConnectionClosedError` with ``sent=False`` certainly did not
        execute: None at once.

        ``timeout``: how long to try, by default what is left of the window plus the
        client's timeout. Queries that fail with a timeout, a 5xx or a dropped connection
        are repeated within it. Raises :class:`~binance_ws.ResolveTimeoutError` (still
        unknown; call again, with either error) when it cannot decide in time, and
        :class:`~binance_ws.InvalidParameterError` naming ``err`` when ``err`` carries no
        ids to look up (a read-only call, ``openOrders.cancelAll``, an error of a raw
        request without ids). Other API errors of the queries (e.g. a 429) are raised.

        Example::

            >>> import binance_ws
            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     key = ex.keys.hmac
            ...     with Client(ex.url, api_key=key.api_key, api_secret=key.api_secret) as client:
            ...         ex.fail_next("order.place", 503, executed=True)  # placed, answer lost
            ...         try:
            ...             client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET",
            ...                                quantity="0.001")
            ...         except binance_ws.ExecutionUnknownError as err:
            ...             order = client.resolve_unknown(err)
            ...             print(order.status, order.client_order_id == err.client_order_id)
            FILLED True
        """
        if not isinstance(err, ExecutionUnknownError):
            raise InvalidParameterError(
                "err", f"expected the ExecutionUnknownError a call raised, got {type(err).__name__}"
            )
        method: str | None = getattr(err, "method", None)
        spec = METHODS.get(method or "")
        if spec is None or not spec.changes_state:
            raise InvalidParameterError(
                "err",
                f"{method or 'the request'} changes no order: there is nothing to resolve; "
                "simply send it again",
            )
        if isinstance(err, ConnectionClosedError) and not err.sent:
            return None
        lookup = _Lookup.of(spec.wire, err)
        if isinstance(window, bool) or not isinstance(window, (int, float)) or not window >= 0:
            raise InvalidParameterError("window", f"must be a number of seconds >= 0, got {window!r}")
        start = time.monotonic()
        sent_at = time.time() if err.sent_at is None else err.sent_at
        settle = start + max(0.0, sent_at + window - time.time())
        limit = settle - start + self.timeout if timeout is None else _positive(timeout)
        deadline = start + limit
        poll = min(0.25, max(0.02, window / 20))
        reason = "no answer yet"
        while True:
            past = time.monotonic() >= settle
            left = deadline - time.monotonic()
            if left <= 0:
                raise ResolveTimeoutError.still_unknown(err, limit, reason)
            try:
                decided, outcome = lookup.run(self, past, min(left, self.timeout))
            except ExecutionUnknownError as exc:  # the query itself got no answer: ask again
                reason = f"the lookup got no answer: {type(exc).__name__}"
            else:
                if decided:
                    return outcome
                reason = f"Binance's {window:g} s matching-engine window has not passed"
            now = time.monotonic()
            if now >= deadline:
                raise ResolveTimeoutError.still_unknown(err, limit, reason)
            pause = poll if past or settle - now > poll else settle - now
            time.sleep(max(0.0, min(pause, deadline - now)))


def _positive(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value <= 0:
        raise InvalidParameterError("timeout", f"must be a positive number of seconds, got {value!r}")
    return float(value)


@attrs.frozen
class _Lookup:
    """How to look up what one call did: which query, by which ids, when it is settled."""

    kind: str  # "place", "change" (cancel, amend), "list", "list_change", "cancel_replace"
    wire: str
    symbol: str | None
    client_order_id: str | None
    list_client_order_id: str | None
    orig_client_order_id: str | None
    order_id: int | None
    order_list_id: int | None

    @classmethod
    def of(cls, wire: str, err: ExecutionUnknownError) -> _Lookup:
        spec = METHODS[wire]
        if wire == "order.cancelReplace":
            kind = "cancel_replace"
        elif wire.startswith("orderList."):
            kind = "list" if spec.unfilled_order_count else "list_change"
        else:
            kind = "place" if spec.unfilled_order_count else "change"
        lookup = cls(
            kind,
            wire,
            err.symbol,
            err.client_order_id,
            err.list_client_order_id,
            err.orig_client_order_id,
            err.order_id,
            err.order_list_id,
        )
        if not lookup._has_ids():
            hint = (
                "query open_orders_status(symbol=...)"
                if wire == "openOrders.cancelAll"
                else "look it up by hand"
            )
            raise InvalidParameterError(
                "err", f"this {wire} error carries no order ids to look it up with; {hint}"
            )
        return lookup

    def _has_ids(self) -> bool:
        if self.kind in ("list", "list_change"):
            return self.list_client_order_id is not None or self.order_list_id is not None
        if self.symbol is None:
            return False
        if self.kind == "place":
            return self.client_order_id is not None
        has_old = self.orig_client_order_id is not None or self.order_id is not None
        if self.kind == "cancel_replace":
            return self.client_order_id is not None and has_old
        return has_old

    def run(self, client: MethodsBase, past: bool, timeout: float) -> tuple[bool, Outcome]:
        """One lookup: (whether it is decided, the outcome). ``past``: the window has passed."""
        if self.kind == "place":
            order = self._order(client, timeout, self.client_order_id, None)
            return order is not None or past, order
        if self.kind == "change":
            order = self._order(client, timeout, self.orig_client_order_id, self.order_id)
            return past or (order is not None and order.status not in _ACTIVE), order
        if self.kind in ("list", "list_change"):
            lst = self._list(client, timeout)
            if self.kind == "list":
                return lst is not None or past, lst
            return past or (lst is not None and lst.list_status_type is OrderListStatus.ALL_DONE), lst
        new = self._order(client, timeout, self.client_order_id, None)
        if new is None and not past:
            return False, None
        old = self._order(client, timeout, self.orig_client_order_id, self.order_id)
        if new is None and old is None:
            return True, None
        return True, CancelReplaceResolution(cancelled_order=old, new_order=new)

    def _order(self, client: MethodsBase, timeout: float, cid: str | None, oid: int | None) -> Order | None:
        params = {
            "symbol": self.symbol,
            "orderId": oid,
            "origClientOrderId": None if oid is not None else cid,
        }
        try:
            order: Order = client._call("order.status", params, Order, timeout=timeout)
        except APIError as exc:
            if exc.code == _NO_ORDER and exc.status == 400:
                return None
            raise
        return order

    def _list(self, client: MethodsBase, timeout: float) -> OrderList | None:
        if self.list_client_order_id is not None:
            params: dict[str, Any] = {"origClientOrderId": self.list_client_order_id}
        else:
            params = {"orderListId": self.order_list_id}
        try:
            lst: OrderList = client._call("orderList.status", params, OrderList, timeout=timeout)
        except APIError as exc:
            if exc.code in (_NO_LIST, _NO_ORDER) and exc.status == 400:
                return None
            raise
        return lst
