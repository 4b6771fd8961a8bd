"""Results of the trading methods: placed, canceled and amended orders and order lists.

``order.place`` answers in one of three shapes chosen by ``newOrderRespType``:
:class:`OrderAck` (ids and time), :class:`OrderResult` (adds status, quantities and prices) and
:class:`OrderFull` (adds the ``fills``). Each is a subclass of the one before, so code written
for :class:`OrderAck` works with all three.

Example::

    >>> from binance_ws import structure
    >>> from binance_ws.models import OrderFull
    >>> order = structure({"symbol": "BTCUSDT", "orderId": 7, "status": "FILLED",
    ...                    "executedQty": "0.00100000",
    ...                    "fills": [{"price": "60000.00", "qty": "0.00100000"}]}, OrderFull)
    >>> order.status, order.executed_qty, order.fills[0].price
    (<OrderStatus.FILLED: 'FILLED'>, Decimal('0.00100000'), Decimal('60000.00'))
    >>> order.transact_time is None  # absent from the answer: None, never an error
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..enums import (
    CancelReplaceResult,
    ContingencyType,
    ExpiryReason,
    MatchType,
    OrderListOrderStatus,
    OrderListStatus,
    OrderStatus,
    OrderType,
    PegOffsetType,
    PegPriceType,
    SelfTradePreventionMode,
    Side,
    TimeInForce,
    WorkingFloor,
)
from ._base import WireModel, lazy, ms_to_datetime, structure_later

__all__ = [
    "AmendKeepPriorityResult",
    "AmendedOrder",
    "CancelReplaceCancelResponse",
    "CancelReplaceNewOrderResponse",
    "CancelReplaceOutcome",
    "CancelReport",
    "CommissionDiscount",
    "CommissionRates",
    "Fill",
    "OrderAck",
    "OrderFull",
    "OrderList",
    "OrderListOrder",
    "OrderReport",
    "OrderResult",
    "OrderTestCommissions",
]


@attrs.frozen(kw_only=True, repr=False)
class Fill(WireModel):
    """One trade that (partly) filled a new order (``fills`` of a FULL answer).

    SOR orders add ``match_type`` and ``alloc_id``.
    """

    match_type: MatchType | None = None
    price: Decimal | None = None
    qty: Decimal | None = None
    commission: Decimal | None = None
    commission_asset: str | None = None
    trade_id: int | None = None
    alloc_id: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class OrderAck(WireModel):
    """A new order as acknowledged (``newOrderRespType=ACK``): its ids and time."""

    symbol: str | None = None
    order_id: int | None = None
    #: ``-1`` unless the order belongs to an order list.
    order_list_id: int | None = None
    client_order_id: str | None = None
    #: When the matching engine handled the request (epoch ms).
    transact_time: int | None = None

    @property
    def transact_datetime(self) -> dt.datetime | None:
        """``transact_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.transact_time)


@attrs.frozen(kw_only=True, repr=False)
class OrderResult(OrderAck):
    """A new order with its state (``newOrderRespType=RESULT``).

    Fields such as ``stop_price``, ``iceberg_qty``, ``trailing_delta``, the peg fields,
    ``prevented_*`` and ``expiry_reason`` are present only for the orders they apply to
    (``None`` otherwise).
    """

    price: Decimal | None = None
    orig_qty: Decimal | None = None
    executed_qty: Decimal | None = None
    orig_quote_order_qty: Decimal | None = None
    #: Quote amount spent or received so far (Binance's spelling).
    cummulative_quote_qty: Decimal | None = None
    status: OrderStatus | None = None
    time_in_force: TimeInForce | None = None
    type: OrderType | None = None
    side: Side | None = None
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    trailing_time: int | None = None
    iceberg_qty: Decimal | None = None
    strategy_id: int | None = None
    strategy_type: int | None = None
    #: When the order started working on the book (epoch ms; ``-1`` while pending).
    working_time: int | None = None
    self_trade_prevention_mode: SelfTradePreventionMode | None = None
    prevented_match_id: int | None = None
    prevented_quantity: Decimal | None = None
    used_sor: bool | None = None
    working_floor: WorkingFloor | None = None
    peg_price_type: PegPriceType | None = None
    peg_offset_type: PegOffsetType | None = None
    peg_offset_value: int | None = None
    pegged_price: Decimal | None = None
    expiry_reason: ExpiryReason | None = None

    @property
    def working_datetime(self) -> dt.datetime | None:
        """``working_time`` as a UTC datetime (``None`` while the order is not working yet)."""
        return (
            None if self.working_time is None or self.working_time < 0 else ms_to_datetime(self.working_time)
        )


def _to_fills(raw: list[Any]) -> list[Fill]:
    return structure_later(raw, list[Fill])  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True, repr=False)
class OrderFull(OrderResult):
    """A new order with its state and the trades that filled it (``newOrderRespType=FULL``).

    ``fills`` converts on first access (``raw_fills`` holds them as sent), so the call returns
    as soon as the order's own fields are built: the answer a bot waits for.
    """

    #: The fills as sent; :attr:`fills` converts them on first use.
    raw_fills: list[Any] | None = attrs.field(default=None, metadata={"wire": "fills", "repr_as": "fills"})
    _fills: list[Fill] | None = attrs.field(default=None, init=False, eq=False, repr=False)

    #: The trades that filled the order, as :class:`Fill` (converted once, on first use).
    fills = lazy("raw_fills", "_fills", _to_fills)


@attrs.frozen(kw_only=True, repr=False)
class OrderReport(OrderFull):
    """One order inside an order-list or cancel answer.

    Placement answers carry the fields of the response type asked for; cancel answers add
    ``orig_client_order_id`` (the client order id before the cancel renamed it).
    """

    orig_client_order_id: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class OrderListOrder(WireModel):
    """An order of an order list, by id (``orders`` of an order list)."""

    symbol: str | None = None
    order_id: int | None = None
    client_order_id: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class OrderList(WireModel):
    """An order list (OCO, OTO, OTOCO, OPO, OPOCO): its status, orders and order reports.

    ``order_reports`` is present in placement and cancel answers, not in status queries.
    """

    order_list_id: int | None = None
    #: ``OCO`` or ``OTO`` (OTOCO, OPO and OPOCO lists report ``OTO``).
    contingency_type: ContingencyType | None = None
    list_status_type: OrderListStatus | None = None
    list_order_status: OrderListOrderStatus | None = None
    list_client_order_id: str | None = None
    transaction_time: int | None = None
    symbol: str | None = None
    orders: list[OrderListOrder] | None = None
    order_reports: list[OrderReport] | None = None

    @property
    def transaction_datetime(self) -> dt.datetime | None:
        """``transaction_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.transaction_time)


@attrs.frozen(kw_only=True, repr=False)
class CancelReport(OrderReport):
    """What a cancel reports: one canceled order, or a whole order list.

    Canceling an order that belongs to an order list cancels the list, and the answer then
    has the order-list shape: :attr:`is_order_list` is true and ``contingency_type``,
    ``list_status_type``, ``orders`` and ``order_reports`` are set (``order_list_id`` is the
    list's id). For a standalone order those are ``None`` and ``order_list_id`` is ``-1``.
    """

    contingency_type: ContingencyType | None = None
    list_status_type: OrderListStatus | None = None
    list_order_status: OrderListOrderStatus | None = None
    list_client_order_id: str | None = None
    transaction_time: int | None = None
    orders: list[OrderListOrder] | None = None
    order_reports: list[OrderReport] | None = None

    @property
    def is_order_list(self) -> bool:
        """Whether this reports a canceled order list rather than a single order."""
        return self.orders is not None or self.order_reports is not None or self.contingency_type is not None

    @property
    def transaction_datetime(self) -> dt.datetime | None:
        """``transaction_time`` (order lists) as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.transaction_time)


@attrs.frozen(kw_only=True, repr=False)
class CancelReplaceCancelResponse(CancelReport):
    """The cancel half of ``order.cancelReplace``: a cancel report, or ``code``/``msg`` when it failed."""

    code: int | None = None
    msg: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class CancelReplaceNewOrderResponse(OrderFull):
    """The new-order half of ``order.cancelReplace``: the new order, or ``code``/``msg`` when it failed.

    The order has the fields of the requested ``new_order_resp_type`` (the others are ``None``).
    """

    code: int | None = None
    msg: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class CancelReplaceOutcome(WireModel):
    """Both halves of ``order.cancelReplace``.

    A 200 answer means both succeeded. When only one half succeeded the client raises
    :class:`binance_ws.PartialSuccessError` (409), and when neither did
    :class:`binance_ws.BadRequestError` (400, code -2022); both carry the same document in
    ``data``, which :meth:`from_error` turns into this model.
    """

    cancel_result: CancelReplaceResult | None = None
    new_order_result: CancelReplaceResult | None = None
    cancel_response: CancelReplaceCancelResponse | None = None
    new_order_response: CancelReplaceNewOrderResponse | None = None

    @classmethod
    def from_error(cls, error: BaseException) -> CancelReplaceOutcome | None:
        """The outcome carried in an error's ``data`` (``None`` when the error has none).

        Example::

            >>> from binance_ws import PartialSuccessError
            >>> from binance_ws.models import CancelReplaceOutcome
            >>> err = PartialSuccessError(409, -2021, "Order cancel-replace partially failed.",
            ...     data={"cancelResult": "SUCCESS", "newOrderResult": "FAILURE",
            ...           "cancelResponse": {"orderId": 1, "status": "CANCELED"},
            ...           "newOrderResponse": {"code": -2010, "msg": "Account has insufficient balance."}})
            >>> outcome = CancelReplaceOutcome.from_error(err)
            >>> outcome.cancel_response.status, outcome.new_order_response.code
            (<OrderStatus.CANCELED: 'CANCELED'>, -2010)
        """
        data = getattr(error, "data", None)
        if not isinstance(data, Mapping):
            return None
        return structure_later(dict(data), cls)  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True, repr=False)
class AmendedOrder(WireModel):
    """An order after ``order.amend.keepPriority`` reduced its quantity.

    Note Binance's spelling here: ``qty`` and ``cumulative_quote_qty`` (one ``m``), unlike the
    order reports of the other methods.
    """

    symbol: str | None = None
    order_id: int | None = None
    order_list_id: int | None = None
    orig_client_order_id: str | None = None
    client_order_id: str | None = None
    price: Decimal | None = None
    qty: Decimal | None = None
    executed_qty: Decimal | None = None
    prevented_qty: Decimal | None = None
    quote_order_qty: Decimal | None = None
    cumulative_quote_qty: Decimal | None = None
    status: OrderStatus | None = None
    time_in_force: TimeInForce | None = None
    type: OrderType | None = None
    side: Side | None = None
    working_time: int | None = None
    self_trade_prevention_mode: SelfTradePreventionMode | None = None


@attrs.frozen(kw_only=True, repr=False)
class AmendKeepPriorityResult(WireModel):
    """The answer of ``order.amend.keepPriority``; ``list_status`` only for orders in a list."""

    transact_time: int | None = None
    execution_id: int | None = None
    amended_order: AmendedOrder | None = None
    list_status: OrderList | None = None

    @property
    def transact_datetime(self) -> dt.datetime | None:
        """``transact_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.transact_time)


@attrs.frozen(kw_only=True, repr=False)
class CommissionRates(WireModel):
    """Commission rates as fractions (``0.001`` is 0.1 %); ``buyer``/``seller`` where reported."""

    maker: Decimal | None = None
    taker: Decimal | None = None
    buyer: Decimal | None = None
    seller: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False)
class CommissionDiscount(WireModel):
    """The commission discount for paying fees in ``discount_asset`` (BNB)."""

    enabled_for_account: bool | None = None
    enabled_for_symbol: bool | None = None
    discount_asset: str | None = None
    discount: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False)
class OrderTestCommissions(WireModel):
    """The commission rates a tested order would pay (``computeCommissionRates=true``)."""

    standard_commission_for_order: CommissionRates | None = None
    special_commission_for_order: CommissionRates | None = None
    tax_commission_for_order: CommissionRates | None = None
    discount: CommissionDiscount | None = None
