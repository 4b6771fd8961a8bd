"""Results of the account methods: balances, orders, trades, limits, commissions and filters.

Example::

    >>> from binance_ws import structure
    >>> from binance_ws.models import AccountInfo
    >>> info = structure({"canTrade": True, "balances": [
    ...     {"asset": "BTC", "free": "1.3447112", "locked": "0.08600000"}]}, AccountInfo)
    >>> info.balance("BTC").free
    Decimal('1.3447112')
    >>> info.balance("ETH") is None
    True
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from ..enums import (
    AllocationType,
    ExpiryReason,
    OrderStatus,
    OrderType,
    PegOffsetType,
    PegPriceType,
    Permission,
    RateLimitInterval,
    RateLimitType,
    SelfTradePreventionMode,
    Side,
    TimeInForce,
    WorkingFloor,
)
from ._base import WireModel, dict_getstate, dict_setstate, ms_to_datetime
from .general import SymbolFilter
from .trading import CommissionDiscount, CommissionRates

__all__ = [
    "AccountCommission",
    "AccountFilters",
    "AccountInfo",
    "AccountTrade",
    "Allocation",
    "Balance",
    "Order",
    "OrderAmendment",
    "PreventedMatch",
    "UnfilledOrderCount",
]


@attrs.frozen(kw_only=True, repr=False)
class Balance(WireModel):
    """One asset's balance: ``free`` to use, ``locked`` in open orders."""

    asset: str | None = None
    free: Decimal | None = None
    locked: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False)
class AccountInfo(WireModel):
    """The account's state (``account.status``): permissions, commissions and balances."""

    #: Commissions in basis points (legacy integers); see ``commission_rates`` for fractions.
    maker_commission: int | None = None
    taker_commission: int | None = None
    buyer_commission: int | None = None
    seller_commission: int | None = None
    can_trade: bool | None = None
    can_withdraw: bool | None = None
    can_deposit: bool | None = None
    commission_rates: CommissionRates | None = None
    brokered: bool | None = None
    require_self_trade_prevention: bool | None = None
    prevent_sor: bool | None = None
    update_time: int | None = None
    account_type: str | None = None
    balances: list[Balance] | None = None
    permissions: list[Permission] | None = None
    uid: int | None = None

    @property
    def update_datetime(self) -> dt.datetime | None:
        """``update_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.update_time)

    def balance(self, asset: str) -> Balance | None:
        """The balance of ``asset``, or ``None`` when the answer lists none for it."""
        for item in self.balances or ():
            if item.asset == asset:
                return item
        return None


# ``slots=False``: an order sets about twenty of its thirty-four fields (stop, iceberg, peg and
# prevention fields only where they apply), so its instances keep only those in ``__dict__``
# (built in one dict literal); every field also has a class attribute ``None``.
@attrs.frozen(kw_only=True, repr=False, slots=False)
class Order(WireModel):
    """An order as queried (``order.status``, ``openOrders.status``, ``allOrders``).

    ``cummulative_quote_qty`` can be negative for some historical orders: the value is then
    not available. Fields such as ``stop_price``, ``iceberg_qty``, ``trailing_*``, the peg
    fields, ``prevented_*`` and ``expiry_reason`` appear only for the orders they apply to.
    """

    symbol: str | None = None
    order_id: int | None = None
    #: ``-1`` unless the order belongs to an order list.
    order_list_id: int | None = None
    client_order_id: str | None = None
    price: Decimal | None = None
    orig_qty: Decimal | None = None
    executed_qty: Decimal | None = None
    cummulative_quote_qty: Decimal | None = None
    status: OrderStatus | None = None
    time_in_force: TimeInForce | None = None
    type: OrderType | None = None
    side: Side | None = None
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    trailing_time: int | None = None
    iceberg_qty: Decimal | None = None
    #: When the order was created (epoch ms).
    time: int | None = None
    update_time: int | None = None
    is_working: bool | None = None
    working_time: int | None = None
    orig_quote_order_qty: Decimal | None = None
    strategy_id: int | None = None
    strategy_type: int | None = None
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
    def datetime(self) -> dt.datetime | None:
        """``time`` (creation) as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.time)

    @property
    def update_datetime(self) -> dt.datetime | None:
        """``update_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.update_time)

    __getstate__ = dict_getstate
    __setstate__ = dict_setstate


@attrs.frozen(kw_only=True, repr=False)
class AccountTrade(WireModel):
    """One of the account's own trades (``myTrades``)."""

    symbol: str | None = None
    id: int | None = None
    order_id: int | None = None
    order_list_id: int | None = None
    price: Decimal | None = None
    qty: Decimal | None = None
    quote_qty: Decimal | None = None
    commission: Decimal | None = None
    commission_asset: str | None = None
    time: int | None = None
    is_buyer: bool | None = None
    is_maker: bool | None = None
    is_best_match: bool | None = None

    @property
    def datetime(self) -> dt.datetime | None:
        """``time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.time)


@attrs.frozen(kw_only=True, repr=False)
class UnfilledOrderCount(WireModel):
    """One ORDERS limit and the account's current unfilled order count in it."""

    rate_limit_type: RateLimitType | None = None
    interval: RateLimitInterval | None = None
    interval_num: int | None = None
    limit: int | None = None
    count: int | None = None

    @property
    def remaining(self) -> int | None:
        """How many more orders fit in the current interval (``None`` if not reported)."""
        return None if self.limit is None or self.count is None else self.limit - self.count


@attrs.frozen(kw_only=True, repr=False)
class PreventedMatch(WireModel):
    """A match that self-trade prevention stopped (``myPreventedMatches``)."""

    symbol: str | None = None
    prevented_match_id: int | None = None
    taker_order_id: int | None = None
    maker_symbol: str | None = None
    maker_order_id: int | None = None
    trade_group_id: int | None = None
    self_trade_prevention_mode: SelfTradePreventionMode | None = None
    price: Decimal | None = None
    maker_prevented_quantity: Decimal | None = None
    transact_time: int | None = None

    @property
    def transact_datetime(self) -> dt.datetime | None:
        """``transact_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.transact_time)


@attrs.frozen(kw_only=True, repr=False)
class Allocation(WireModel):
    """An allocation of an SOR order's fill to the account (``myAllocations``)."""

    symbol: str | None = None
    allocation_id: int | None = None
    allocation_type: AllocationType | None = None
    order_id: int | None = None
    order_list_id: int | None = None
    price: Decimal | None = None
    qty: Decimal | None = None
    quote_qty: Decimal | None = None
    commission: Decimal | None = None
    commission_asset: str | None = None
    time: int | None = None
    is_buyer: bool | None = None
    is_maker: bool | None = None
    is_allocator: bool | None = None

    @property
    def datetime(self) -> dt.datetime | None:
        """``time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.time)


@attrs.frozen(kw_only=True, repr=False)
class AccountCommission(WireModel):
    """The account's commission rates on one symbol (``account.commission``)."""

    symbol: str | None = None
    standard_commission: CommissionRates | None = None
    special_commission: CommissionRates | None = None
    tax_commission: CommissionRates | None = None
    discount: CommissionDiscount | None = None


@attrs.frozen(kw_only=True, repr=False)
class OrderAmendment(WireModel):
    """One keep-priority amendment of an order (``order.amendments``)."""

    symbol: str | None = None
    order_id: int | None = None
    execution_id: int | None = None
    orig_client_order_id: str | None = None
    new_client_order_id: str | None = None
    orig_qty: Decimal | None = None
    new_qty: Decimal | None = None
    time: int | None = None

    @property
    def datetime(self) -> dt.datetime | None:
        """``time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.time)


@attrs.frozen(kw_only=True, repr=False)
class AccountFilters(WireModel):
    """The filters that apply to the account on one symbol (``myFilters``).

    The only place that shows the account-level ``MAX_ASSET`` filters (``asset``, ``limit``).
    Each entry is a :class:`~binance_ws.models.SymbolFilter`, the model of every filter type.
    """

    exchange_filters: list[SymbolFilter] | None = None
    symbol_filters: list[SymbolFilter] | None = None
    asset_filters: list[SymbolFilter] | None = None

    def filter(self, filter_type: str) -> SymbolFilter | None:
        """The first filter of ``filter_type`` in any of the three lists, or ``None``."""
        for group in (self.exchange_filters, self.symbol_filters, self.asset_filters):
            for item in group or ():
                if item.filter_type == filter_type:
                    return item
        return None
