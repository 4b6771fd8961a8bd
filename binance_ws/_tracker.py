"""AccountTracker: balances and orders kept current from a snapshot plus the User Data Stream.

The snapshot (``account.status`` and ``openOrders.status``) and the events race: an event may
be older than the snapshot or newer. Every entry remembers the time of what it came from
(the account's ``updateTime`` or an event's ``u``; an order's ``updateTime`` or an event's
``T``) and only something at least as new replaces it, so the order in which the two
arrive does not matter. After a :class:`~binance_ws.StreamGap` the snapshot is read again,
and orders that were open but are no longer in it are looked up one by one.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Iterable
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol

import attrs

from ._auth import resolve_signer
from ._client_surface import ClientCalls
from ._converter import structure
from ._errors import BinanceWSError, InvalidParameterError
from ._signing import Signer, canonical_payload
from ._userdata import UserDataStream
from ._userdata_markers import EventsLostError, StreamGap
from .enums import OrderStatus, OrderType, Side
from .models.account import AccountInfo, Order
from .models.events import ExecutionReport, OutboundAccountPosition

logger = logging.getLogger(__name__)

__all__ = ["AccountTracker", "TrackedBalance", "TrackedOrder", "TrackerClient"]

_OPEN = frozenset({OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED, OrderStatus.PENDING_NEW})
# Finished orders remembered (for wait_for and lookups); the oldest are forgotten first.
_FINISHED_KEPT = 10_000


class TrackerClient(ClientCalls, Protocol):
    """What an :class:`AccountTracker` uses of its client: the request paths and its stream."""

    def user_data(
        self,
        *,
        api_key: str | None,
        api_secret: str | bytes | None,
        private_key: Any,
        private_key_password: str | bytes | None,
        buffer_size: int,
    ) -> UserDataStream: ...


@attrs.frozen
class TrackedBalance:
    """One asset's balance."""

    asset: str
    free: Decimal
    locked: Decimal
    #: When it was last updated (ms: the account's update time).
    update_time: int = 0

    @property
    def total(self) -> Decimal:
        return self.free + self.locked


@attrs.frozen
class TrackedOrder:
    """One order's latest known state."""

    symbol: str
    order_id: int
    client_order_id: str | None
    side: Side | None
    order_type: OrderType | None
    status: OrderStatus
    price: Decimal | None
    quantity: Decimal | None
    filled_qty: Decimal
    #: ms of the event or snapshot it came from.
    update_time: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN


class AccountTracker:
    """A local view of one account: ``balances[asset]`` and ``open_orders[order_id]``.

    Made by :meth:`binance_ws.Client.account_tracker`. It reads a snapshot, then follows
    the account's User Data Stream; after a lost connection (a ``StreamGap``) it reads the
    snapshot again, and so it does when events were lost because its handlers fell behind
    (:meth:`~binance_ws.UserDataStream.on_lost`). A context manager: closing it closes its stream.

    Example::

        >>> from binance_ws import Client
        >>> from binance_ws.exchange import LocalExchange
        >>> with LocalExchange() as ex:
        ...     key = ex.keys.hmac
        ...     with Client(ex.url, api_key=key.api_key, api_secret=key.api_secret) as client:
        ...         with client.account_tracker() as tracker:
        ...             print(tracker.balances["USDT"].free)
        ...             order = client.order_place(symbol="BTCUSDT", side="BUY", type="LIMIT",
        ...                                        time_in_force="GTC", price="50000", quantity="0.001")
        ...             print(tracker.wait_for(order.order_id, "NEW", timeout=5).status)
        100000.00000000
        NEW
    """

    def __init__(
        self,
        client: TrackerClient,
        *,
        api_key: str | None = None,
        api_secret: str | bytes | None = None,
        private_key: Any = None,
        private_key_password: str | bytes | None = None,
    ) -> None:
        self._client = client
        self._signer: Signer | None = None
        if api_key is not None or api_secret is not None or private_key is not None:
            self._signer = resolve_signer(
                api_key, api_secret, private_key, private_key_password, from_env=False
            )
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._balances: dict[str, TrackedBalance] = {}
        self._orders: dict[int, TrackedOrder] = {}
        self._finished: collections.deque[int] = collections.deque()
        #: How many times the snapshot was read (1 after the start, +1 per gap).
        self.snapshots = 0
        self._stream = client.user_data(
            api_key=api_key,
            api_secret=api_secret,
            private_key=private_key,
            private_key_password=private_key_password,
            buffer_size=0,
        )
        try:
            self._stream.on(ExecutionReport, self._on_report)
            self._stream.on(OutboundAccountPosition, self._on_position)
            self._stream.on_gap(self._on_gap)
            self._stream.on_lost(self._on_lost)
            self._snapshot(check_missing=False)
        except BaseException:
            self._stream.close()
            raise

    # -- what callers see ------------------------------------------------------------------

    @property
    def balances(self) -> dict[str, TrackedBalance]:
        """Every asset's balance, by asset (a copy)."""
        with self._lock:
            return dict(self._balances)

    @property
    def open_orders(self) -> dict[int, TrackedOrder]:
        """The open orders (NEW, PARTIALLY_FILLED), by order id (a copy)."""
        with self._lock:
            return {i: o for i, o in self._orders.items() if o.is_open}

    @property
    def orders(self) -> dict[int, TrackedOrder]:
        """Every order seen, open or recently finished, by order id (a copy)."""
        with self._lock:
            return dict(self._orders)

    def wait_for(
        self, order_id: int, status: OrderStatus | str | Iterable[OrderStatus | str], *, timeout: float
    ) -> TrackedOrder:
        """Wait until order ``order_id`` has ``status`` (or one of several); returns its state.

        Raises TimeoutError when it does not within ``timeout`` seconds.
        """
        wanted = {OrderStatus(status)} if isinstance(status, str) else {OrderStatus(s) for s in status}
        if not wanted:
            raise InvalidParameterError("status", "give at least one order status")
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                order = self._orders.get(order_id)
                if order is not None and order.status in wanted:
                    return order
                left = deadline - time.monotonic()
                if left <= 0:
                    now = "not seen" if order is None else str(order.status)
                    raise TimeoutError(
                        f"order {order_id} did not reach {sorted(map(str, wanted))} within {timeout} s "
                        f"(now: {now}); pass a longer timeout="
                    )
                self._changed.wait(left)

    # -- events (dispatcher thread) --------------------------------------------------------

    def _on_report(self, event: ExecutionReport) -> None:
        if event.order_id is None or event.order_status is None or event.symbol is None:
            return
        update = TrackedOrder(
            symbol=event.symbol,
            order_id=event.order_id,
            client_order_id=event.client_order_id,
            side=event.side,
            order_type=event.order_type,
            status=event.order_status,
            price=event.price,
            quantity=event.quantity,
            filled_qty=event.cumulative_filled_qty or Decimal(0),
            update_time=event.transaction_time or 0,
        )
        with self._changed:
            current = self._orders.get(update.order_id)
            if current is None or _newer(update, current, ties=True):
                self._set_order(update)
            self._changed.notify_all()

    def _on_position(self, event: OutboundAccountPosition) -> None:
        when = event.last_update_time or 0
        with self._changed:
            for b in event.balances or ():
                if b.asset is None or b.free is None or b.locked is None:
                    continue
                current = self._balances.get(b.asset)
                if current is None or when >= current.update_time:
                    self._balances[b.asset] = TrackedBalance(b.asset, b.free, b.locked, when)
            self._changed.notify_all()

    def _on_gap(self, gap: StreamGap) -> None:
        logger.info("account tracker: events may be missing after a lost connection; reading the snapshot")
        try:
            self._snapshot(check_missing=True)
        except BinanceWSError as exc:
            logger.warning("account tracker: could not read the snapshot again: %s", exc)

    def _on_lost(self, lost: EventsLostError) -> None:
        logger.warning("account tracker: %s; reading the snapshot", lost)
        try:
            self._snapshot(check_missing=True)
        except BinanceWSError as exc:
            logger.warning("account tracker: could not read the snapshot again: %s", exc)

    # -- snapshot --------------------------------------------------------------------------

    def _snapshot(self, *, check_missing: bool) -> None:
        account: AccountInfo = self._read("account.status", {}, AccountInfo)
        open_orders: list[Order] = self._read("openOrders.status", {}, list[Order])
        when = account.update_time or 0
        listed = {o.order_id for o in open_orders}
        with self._changed:
            for b in account.balances or ():
                if b.asset is None or b.free is None or b.locked is None:
                    continue
                held = self._balances.get(b.asset)
                if held is None or when > held.update_time:
                    self._balances[b.asset] = TrackedBalance(b.asset, b.free, b.locked, when)
            for o in open_orders:
                tracked = _from_order(o)
                if tracked is None:
                    continue
                current = self._orders.get(tracked.order_id)
                if current is None or _newer(tracked, current, ties=False):
                    self._set_order(tracked)
            missing = [o for o in self._orders.values() if o.is_open and o.order_id not in listed]
            self.snapshots += 1
            self._changed.notify_all()
        if not check_missing:
            return
        for order in missing:  # closed while events were missing: what became of them?
            try:
                found: Order = self._read(
                    "order.status", {"symbol": order.symbol, "orderId": order.order_id}, Order
                )
            except BinanceWSError as exc:
                logger.warning("account tracker: could not look up order %d: %s", order.order_id, exc)
                continue
            tracked = _from_order(found)
            if tracked is not None:
                with self._changed:
                    current = self._orders.get(tracked.order_id)
                    if current is None or _newer(tracked, current, ties=True):
                        self._set_order(tracked)
                    self._changed.notify_all()

    def _read(self, method: str, params: dict[str, Any], result_type: Any) -> Any:
        client = self._client
        signer = self._signer
        if signer is None:
            return client._call(method, params, result_type)
        signed: dict[str, Any] = {**params, "apiKey": signer.api_key}
        signed["timestamp"] = int(time.time() * 1000) + client.time_offset
        signed["signature"] = signer.sign(canonical_payload(signed))
        return structure(client.request(method, signed).result, result_type)

    def _set_order(self, order: TrackedOrder) -> None:
        self._orders[order.order_id] = order
        if not order.is_open:
            self._finished.append(order.order_id)
        while len(self._finished) > _FINISHED_KEPT:
            old = self._finished.popleft()
            gone = self._orders.get(old)
            if gone is not None and not gone.is_open:
                del self._orders[old]

    # -- closing ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the stream (unsubscribes); the last known state stays readable."""
        self._stream.close()

    def __enter__(self) -> AccountTracker:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<binance_ws.AccountTracker assets={len(self._balances)} open_orders={len(self.open_orders)}>"


_RANK = {
    OrderStatus.PENDING_NEW: 0,
    OrderStatus.NEW: 1,
    OrderStatus.PARTIALLY_FILLED: 2,
}


def _newer(update: TrackedOrder, current: TrackedOrder, *, ties: bool) -> bool:
    """Whether ``update`` is at least as new as ``current`` (same ms: by progress)."""
    if update.update_time != current.update_time:
        return update.update_time > current.update_time
    if not ties:
        return False
    if update.filled_qty != current.filled_qty:
        return update.filled_qty > current.filled_qty
    # Same time and fill: a final status wins over an open one.
    return _RANK.get(update.status, 3) >= _RANK.get(current.status, 3)


def _from_order(o: Order) -> TrackedOrder | None:
    if o.order_id is None or o.symbol is None or o.status is None:
        return None
    return TrackedOrder(
        symbol=o.symbol,
        order_id=o.order_id,
        client_order_id=o.client_order_id,
        side=o.side,
        order_type=o.type,
        status=o.status,
        price=o.price,
        quantity=o.orig_qty,
        filled_qty=o.executed_qty or Decimal(0),
        update_time=o.update_time or 0,
    )
