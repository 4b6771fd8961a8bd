"""Orders, order lists and account records of the local exchange, and their wire shapes.

The ``*_report`` functions build the JSON objects of the spec's examples: decimals as
8-place strings, ids as ints, times as epoch-ms ints; fields the spec marks conditional
appear only when they apply.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from .decimals import ZERO, fmt

__all__ = [
    "AccountTrade",
    "Allocation",
    "Amendment",
    "Order",
    "OrderList",
    "PreventedMatch",
    "no_discount",
]

OPEN_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED", "PENDING_NEW"})
STOP_TYPES = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})


def no_discount() -> dict[str, Any]:
    """The ``discount`` object: commission is paid in the received asset, never in BNB."""
    return {
        "enabledForAccount": False,
        "enabledForSymbol": False,
        "discountAsset": "BNB",
        "discount": fmt(Decimal("0.25")),
    }


@attrs.define(eq=False)
class Order:
    """One order of one account; the engine mutates it under its lock."""

    order_id: int
    account_id: str
    symbol: str
    side: str
    type: str
    time_in_force: str
    price: Decimal
    orig_qty: Decimal
    client_order_id: str
    time: int
    stp_mode: str
    orig_quote_order_qty: Decimal = ZERO
    executed_qty: Decimal = ZERO
    cum_quote: Decimal = ZERO
    status: str = "NEW"
    update_time: int = 0
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    trailing_time: int = -1
    #: The extreme last price a trailing stop has seen since it started tracking.
    trail_ref: Decimal | None = None
    iceberg_qty: Decimal | None = None
    strategy_id: int | None = None
    strategy_type: int | None = None
    order_list_id: int = -1
    working_time: int = -1
    used_sor: bool = False
    expiry_reason: str | None = None
    prevented_match_id: int | None = None
    prevented_quantity: Decimal = ZERO
    peg_price_type: str | None = None
    peg_offset_type: str | None = None
    peg_offset_value: int | None = None
    #: The asset this order holds locked, and how much of it is still locked.
    locked_asset: str | None = None
    locked: Decimal = ZERO
    #: Fills made while answering the current request (the FULL response lists them).
    fills: list[dict[str, Any]] = attrs.Factory(list)
    #: OPO pending orders learn their quantity only when the working order has filled.
    qty_known: bool = True
    #: Whether the order rests in its book's price levels right now.
    on_book: bool = False
    #: What the order has received so far, net of commission (sizes OPO pending orders).
    received: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.orig_qty - self.executed_qty

    def visible_qty(self) -> Decimal:
        rest = self.orig_qty - self.executed_qty
        if self.iceberg_qty is not None and self.iceberg_qty < rest:
            return self.iceberg_qty
        return rest

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_stop(self) -> bool:
        return self.type in STOP_TYPES

    @property
    def is_working(self) -> bool:
        return self.working_time != -1

    # -- wire shapes -----------------------------------------------------------------------

    def ack(self, transact_time: int) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "clientOrderId": self.client_order_id,
            "transactTime": transact_time,
        }

    def _core(self) -> dict[str, Any]:
        out: dict[str, Any] = {"price": fmt(self.price)}
        if self.qty_known:
            out["origQty"] = fmt(self.orig_qty)
        out["executedQty"] = fmt(self.executed_qty)
        out["origQuoteOrderQty"] = fmt(self.orig_quote_order_qty)
        out["cummulativeQuoteQty"] = fmt(self.cum_quote)
        out["status"] = self.status
        out["timeInForce"] = self.time_in_force
        out["type"] = self.type
        out["side"] = self.side
        return out

    def _conditional(self, out: dict[str, Any]) -> None:
        if self.is_stop:
            out["stopPrice"] = fmt(self.stop_price or ZERO)
        if self.trailing_delta is not None:
            out["trailingDelta"] = self.trailing_delta
            out["trailingTime"] = self.trailing_time
        if self.iceberg_qty is not None:
            out["icebergQty"] = fmt(self.iceberg_qty)
        if self.strategy_id is not None:
            out["strategyId"] = self.strategy_id
        if self.strategy_type is not None:
            out["strategyType"] = self.strategy_type

    def _tail(self, out: dict[str, Any]) -> None:
        out["selfTradePreventionMode"] = self.stp_mode
        if self.prevented_match_id is not None:
            out["preventedMatchId"] = self.prevented_match_id
            out["preventedQuantity"] = fmt(self.prevented_quantity)
        if self.peg_price_type is not None:
            out["pegPriceType"] = self.peg_price_type
            if self.peg_offset_type is not None:
                out["pegOffsetType"] = self.peg_offset_type
                out["pegOffsetValue"] = self.peg_offset_value
            out["peggedPrice"] = fmt(self.price)
        if self.expiry_reason is not None:
            out["expiryReason"] = self.expiry_reason
        if self.used_sor:
            out["workingFloor"] = "SOR"
            out["usedSor"] = True

    def result_report(self, transact_time: int) -> dict[str, Any]:
        """newOrderRespType=RESULT; also the order reports of order-list placements."""
        out = self.ack(transact_time)
        out.update(self._core())
        self._conditional(out)
        out["workingTime"] = self.working_time
        self._tail(out)
        return out

    def full_report(self, transact_time: int) -> dict[str, Any]:
        out = self.result_report(transact_time)
        out["fills"] = list(self.fills)
        return out

    def placed_report(self, resp_type: str, transact_time: int) -> dict[str, Any]:
        if resp_type == "ACK":
            return self.ack(transact_time)
        if resp_type == "RESULT":
            return self.result_report(transact_time)
        return self.full_report(transact_time)

    def cancel_report(self, orig_client_order_id: str, transact_time: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "symbol": self.symbol,
            "origClientOrderId": orig_client_order_id,
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "clientOrderId": self.client_order_id,
            "transactTime": transact_time,
        }
        out.update(self._core())
        self._conditional(out)
        self._tail(out)
        return out

    def status_report(self) -> dict[str, Any]:
        """order.status, openOrders.status and allOrders: stopPrice and icebergQty always."""
        out: dict[str, Any] = {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "clientOrderId": self.client_order_id,
            "price": fmt(self.price),
            "origQty": fmt(self.orig_qty),
            "executedQty": fmt(self.executed_qty),
            "cummulativeQuoteQty": fmt(self.cum_quote),
            "status": self.status,
            "timeInForce": self.time_in_force,
            "type": self.type,
            "side": self.side,
            "stopPrice": fmt(self.stop_price or ZERO),
        }
        if self.trailing_delta is not None:
            out["trailingDelta"] = self.trailing_delta
            out["trailingTime"] = self.trailing_time
        out["icebergQty"] = fmt(self.iceberg_qty or ZERO)
        out["time"] = self.time
        out["updateTime"] = self.update_time
        out["isWorking"] = self.is_working
        out["workingTime"] = self.working_time
        out["origQuoteOrderQty"] = fmt(self.orig_quote_order_qty)
        if self.strategy_id is not None:
            out["strategyId"] = self.strategy_id
        if self.strategy_type is not None:
            out["strategyType"] = self.strategy_type
        self._tail(out)
        return out

    def amended_report(self, orig_client_order_id: str) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "origClientOrderId": orig_client_order_id,
            "clientOrderId": self.client_order_id,
            "price": fmt(self.price),
            "qty": fmt(self.orig_qty),
            "executedQty": fmt(self.executed_qty),
            "preventedQty": fmt(self.prevented_quantity),
            "quoteOrderQty": fmt(self.orig_quote_order_qty),
            "cumulativeQuoteQty": fmt(self.cum_quote),
            "status": self.status,
            "timeInForce": self.time_in_force,
            "type": self.type,
            "side": self.side,
            "workingTime": self.working_time,
            "selfTradePreventionMode": self.stp_mode,
        }


@attrs.define(eq=False)
class OrderList:
    """An order list (OCO, OTO, OTOCO, OPO, OPOCO) and its legs.

    ``kind`` is the placement flavour; ``contingency_type`` is what Binance reports
    (OCO, or OTO for every working/pending list).
    """

    order_list_id: int
    account_id: str
    symbol: str
    kind: str
    list_client_order_id: str
    transaction_time: int
    orders: list[Order] = attrs.Factory(list)
    status_type: str = "EXEC_STARTED"
    order_status: str = "EXECUTING"
    #: OCO legs share one lock, held here until one leg starts to work.
    locked_asset: str | None = None
    locked: Decimal = ZERO

    @property
    def contingency_type(self) -> str:
        return "OCO" if self.kind == "OCO" else "OTO"

    @property
    def is_open(self) -> bool:
        return self.order_status == "EXECUTING"

    def status_report(self) -> dict[str, Any]:
        return {
            "orderListId": self.order_list_id,
            "contingencyType": self.contingency_type,
            "listStatusType": self.status_type,
            "listOrderStatus": self.order_status,
            "listClientOrderId": self.list_client_order_id,
            "transactionTime": self.transaction_time,
            "symbol": self.symbol,
            "orders": [
                {"symbol": o.symbol, "orderId": o.order_id, "clientOrderId": o.client_order_id}
                for o in self.orders
            ],
        }


@attrs.frozen
class AccountTrade:
    """One fill as ``myTrades`` shows it."""

    symbol: str
    id: int
    order_id: int
    order_list_id: int
    price: Decimal
    qty: Decimal
    commission: Decimal
    commission_asset: str
    time: int
    is_buyer: bool
    is_maker: bool

    def to_wire(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "id": self.id,
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "price": fmt(self.price),
            "qty": fmt(self.qty),
            "quoteQty": fmt(self.price * self.qty),
            "commission": fmt(self.commission),
            "commissionAsset": self.commission_asset,
            "time": self.time,
            "isBuyer": self.is_buyer,
            "isMaker": self.is_maker,
            "isBestMatch": True,
        }


@attrs.frozen
class Allocation:
    """One SOR allocation as ``myAllocations`` shows it."""

    symbol: str
    allocation_id: int
    order_id: int
    order_list_id: int
    price: Decimal
    qty: Decimal
    commission: Decimal
    commission_asset: str
    time: int
    is_buyer: bool

    def to_wire(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "allocationId": self.allocation_id,
            "allocationType": "SOR",
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "price": fmt(self.price),
            "qty": fmt(self.qty),
            "quoteQty": fmt(self.price * self.qty),
            "commission": fmt(self.commission),
            "commissionAsset": self.commission_asset,
            "time": self.time,
            "isBuyer": self.is_buyer,
            "isMaker": False,
            "isAllocator": False,
        }


@attrs.frozen
class Amendment:
    """One keep-priority amendment as ``order.amendments`` shows it."""

    symbol: str
    order_id: int
    execution_id: int
    orig_client_order_id: str
    new_client_order_id: str
    orig_qty: Decimal
    new_qty: Decimal
    time: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "executionId": self.execution_id,
            "origClientOrderId": self.orig_client_order_id,
            "newClientOrderId": self.new_client_order_id,
            "origQty": fmt(self.orig_qty),
            "newQty": fmt(self.new_qty),
            "time": self.time,
        }


@attrs.frozen
class PreventedMatch:
    """A match that self-trade prevention stopped, as ``myPreventedMatches`` shows it."""

    symbol: str
    prevented_match_id: int
    taker_order_id: int
    maker_order_id: int
    trade_group_id: int
    mode: str
    price: Decimal
    maker_prevented_quantity: Decimal
    transact_time: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "preventedMatchId": self.prevented_match_id,
            "takerOrderId": self.taker_order_id,
            "makerSymbol": self.symbol,
            "makerOrderId": self.maker_order_id,
            "tradeGroupId": self.trade_group_id,
            "selfTradePreventionMode": self.mode,
            "price": fmt(self.price),
            "makerPreventedQuantity": fmt(self.maker_prevented_quantity),
            "transactTime": self.transact_time,
        }
