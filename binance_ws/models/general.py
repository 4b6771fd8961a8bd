"""Results of the general methods: ``ping``, ``time``, ``exchangeInfo``, ``executionRules``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs

from ..enums import (
    ExecutionRuleType,
    OrderType,
    Permission,
    RateLimitInterval,
    RateLimitType,
    SelfTradePreventionMode,
    SymbolStatus,
)
from ._base import WireModel, dict_getstate, dict_setstate, lazy, ms_to_datetime, structure_later

__all__ = [
    "Empty",
    "ExchangeInfo",
    "ExecutionRule",
    "ExecutionRules",
    "RateLimitRule",
    "Sor",
    "ServerTime",
    "SymbolExecutionRules",
    "SymbolFilter",
    "SymbolInfo",
]


@attrs.frozen(kw_only=True, repr=False)
class Empty(WireModel):
    """The empty object ``{}`` some methods answer with (e.g. ``ping``)."""


@attrs.frozen(kw_only=True, repr=False)
class ServerTime(WireModel):
    """The server's clock (``time``)."""

    server_time: int | None = None

    @property
    def server_datetime(self) -> dt.datetime | None:
        """``server_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.server_time)


@attrs.frozen(kw_only=True, repr=False)
class RateLimitRule(WireModel):
    """A configured rate limit: at most ``limit`` per ``interval_num`` ``interval``.

    ``exchangeInfo`` reports the configuration without ``count``; where the server also
    reports the current usage, ``count`` holds it.
    """

    rate_limit_type: RateLimitType | None = None
    interval: RateLimitInterval | None = None
    interval_num: int | None = None
    limit: int | None = None
    count: int | None = None


# ``slots=False``: a filter sets three or four of its thirty-three fields, so its instances
# keep only those in ``__dict__``, and every field also has a class attribute ``None``, which
# is what an absent field reads as (the converter builds them in one dict literal).
@attrs.frozen(kw_only=True, repr=False, slots=False)
class SymbolFilter(WireModel):
    """A trading rule of a symbol, of the exchange, or of an asset; ``filter_type`` says which.

    One model serves every filter type: the fields of the type at hand are set, the others
    are ``None``, and keys of filter types the SDK does not know yet land in ``extra``.
    See https://developers.binance.com/docs/binance-spot-api-docs/filters for each rule.

    Example::

        >>> from binance_ws import structure, unstructure
        >>> f = structure({"filterType": "LOT_SIZE", "minQty": "0.00100000",
        ...                "maxQty": "100000.00000000", "stepSize": "0.00100000"}, SymbolFilter)
        >>> f
        SymbolFilter(filter_type='LOT_SIZE', min_qty=0.00100000, max_qty=100000.00000000, step_size=0.00100000)
        >>> unstructure(f)["stepSize"]
        '0.00100000'
    """

    #: PRICE_FILTER, LOT_SIZE, NOTIONAL, ... (kept as the string the server sent).
    filter_type: str | None = None
    # PRICE_FILTER
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    tick_size: Decimal | None = None
    # PERCENT_PRICE
    multiplier_up: Decimal | None = None
    multiplier_down: Decimal | None = None
    # PERCENT_PRICE, PERCENT_PRICE_BY_SIDE, MIN_NOTIONAL, NOTIONAL
    avg_price_mins: int | None = None
    # PERCENT_PRICE_BY_SIDE
    bid_multiplier_up: Decimal | None = None
    bid_multiplier_down: Decimal | None = None
    ask_multiplier_up: Decimal | None = None
    ask_multiplier_down: Decimal | None = None
    # LOT_SIZE, MARKET_LOT_SIZE
    min_qty: Decimal | None = None
    max_qty: Decimal | None = None
    step_size: Decimal | None = None
    # MIN_NOTIONAL, NOTIONAL
    min_notional: Decimal | None = None
    apply_to_market: bool | None = None
    apply_min_to_market: bool | None = None
    max_notional: Decimal | None = None
    apply_max_to_market: bool | None = None
    #: ICEBERG_PARTS: an int (parts); MAX_ASSET: a Decimal (amount of ``asset``).
    limit: int | Decimal | None = None
    # MAX_NUM_ORDERS / EXCHANGE_MAX_NUM_ORDERS and friends
    max_num_orders: int | None = None
    max_num_algo_orders: int | None = None
    max_num_iceberg_orders: int | None = None
    max_num_order_amends: int | None = None
    max_num_order_lists: int | None = None
    # MAX_POSITION
    max_position: Decimal | None = None
    # TRAILING_DELTA (basis points)
    min_trailing_above_delta: int | None = None
    max_trailing_above_delta: int | None = None
    min_trailing_below_delta: int | None = None
    max_trailing_below_delta: int | None = None
    # MAX_ASSET
    asset: str | None = None

    __getstate__ = dict_getstate
    __setstate__ = dict_setstate


@attrs.frozen(kw_only=True, repr=False)
class SymbolInfo(WireModel):
    """One symbol of ``exchangeInfo``: assets, precisions, allowed order types and filters.

    ``permission_sets`` reads as: any permission inside one inner list is enough (OR), and
    every inner list must be satisfied (AND).

    Example::

        >>> from binance_ws import structure
        >>> info = structure({"symbol": "BNBBTC", "status": "TRADING", "filters": [
        ...     {"filterType": "PRICE_FILTER", "minPrice": "0.00000100",
        ...      "maxPrice": "100000.00000000", "tickSize": "0.00000100"}]}, SymbolInfo)
        >>> info.filter("PRICE_FILTER").tick_size
        Decimal('0.00000100')
        >>> info.filter("LOT_SIZE") is None
        True
    """

    symbol: str | None = None
    status: SymbolStatus | None = None
    base_asset: str | None = None
    base_asset_precision: int | None = None
    quote_asset: str | None = None
    quote_precision: int | None = None
    quote_asset_precision: int | None = None
    base_commission_precision: int | None = None
    quote_commission_precision: int | None = None
    order_types: list[OrderType] | None = None
    iceberg_allowed: bool | None = None
    oco_allowed: bool | None = None
    oto_allowed: bool | None = None
    opo_allowed: bool | None = None
    quote_order_qty_market_allowed: bool | None = None
    allow_trailing_stop: bool | None = None
    cancel_replace_allowed: bool | None = None
    amend_allowed: bool | None = None
    peg_instructions_allowed: bool | None = None
    is_spot_trading_allowed: bool | None = None
    is_margin_trading_allowed: bool | None = None
    filters: list[SymbolFilter] | None = None
    permissions: list[Permission] | None = None
    permission_sets: list[list[Permission]] | None = None
    default_self_trade_prevention_mode: SelfTradePreventionMode | None = None
    allowed_self_trade_prevention_modes: list[SelfTradePreventionMode] | None = None

    def filter(self, filter_type: str) -> SymbolFilter | None:
        """The filter of this type (e.g. ``"LOT_SIZE"``), or ``None`` when the symbol has none."""
        for f in self.filters or ():
            if f.filter_type == filter_type:
                return f
        return None


@attrs.frozen(kw_only=True, repr=False)
class Sor(WireModel):
    """Smart Order Routing configuration: the symbols SOR may route ``base_asset`` orders to."""

    base_asset: str | None = None
    symbols: list[str] | None = None


def _to_symbols(raw: list[Any]) -> list[SymbolInfo]:
    return structure_later(raw, list[SymbolInfo])  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True, repr=False)
class ExchangeInfo(WireModel):
    """Trading rules, rate limits and symbol information (``exchangeInfo``).

    The repr counts the symbols (the full answer lists thousands; they are not converted for
    it); look one up with :meth:`symbol`.

    Example::

        >>> from binance_ws import Client
        >>> from binance_ws.exchange import LocalExchange
        >>> with LocalExchange() as ex, Client(ex.url) as client:
        ...     info = client.exchange_info(symbol="BTCUSDT")
        >>> info.symbol("BTCUSDT").filter("LOT_SIZE").step_size > 0
        True
        >>> info.symbol("NOPE") is None
        True
    """

    timezone: str | None = None
    server_time: int | None = None
    rate_limits: list[RateLimitRule] | None = None
    exchange_filters: list[SymbolFilter] | None = None
    #: The symbols as sent; :attr:`symbols` and :meth:`symbol` convert them on first use.
    raw_symbols: list[Any] | None = attrs.field(default=None, metadata={"wire": "symbols"})
    #: Only where Smart Order Routing is available.
    sors: list[Sor] | None = None
    _symbols: list[SymbolInfo] | None = attrs.field(default=None, init=False, repr=False, eq=False)
    # Name -> converted symbol, filled by symbol(); not part of the wire document.
    _by_symbol: dict[str, SymbolInfo | None] | None = attrs.field(
        default=None, init=False, repr=False, eq=False
    )

    #: Every listed symbol as :class:`SymbolInfo` (all converted on first use; for one symbol,
    #: :meth:`symbol` is cheaper).
    symbols = lazy("raw_symbols", "_symbols", _to_symbols)

    @property
    def server_datetime(self) -> dt.datetime | None:
        """``server_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.server_time)

    def symbol(self, name: str) -> SymbolInfo | None:
        """The :class:`SymbolInfo` of ``name`` (e.g. ``"BTCUSDT"``), or ``None`` if not listed.

        Converts only that symbol, so looking up a few in a large answer stays cheap.
        """
        index = self._by_symbol
        if index is None:
            index = {}
            object.__setattr__(self, "_by_symbol", index)
        if name not in index:
            if self._symbols is not None:
                found = next((s for s in self._symbols if s.symbol == name), None)
            else:
                raw = next(
                    (s for s in self.raw_symbols or () if isinstance(s, dict) and s.get("symbol") == name),
                    None,
                )
                found = None if raw is None else _to_symbols([raw])[0]
            index[name] = found
        return index[name]


@attrs.frozen(kw_only=True, repr=False)
class ExecutionRule(WireModel):
    """One execution rule; ``PRICE_RANGE`` bounds limit prices by multipliers per side."""

    rule_type: ExecutionRuleType | None = None
    bid_limit_mult_up: Decimal | None = None
    bid_limit_mult_down: Decimal | None = None
    ask_limit_mult_up: Decimal | None = None
    ask_limit_mult_down: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False)
class SymbolExecutionRules(WireModel):
    """The execution rules of one symbol."""

    symbol: str | None = None
    rules: list[ExecutionRule] | None = None


@attrs.frozen(kw_only=True, repr=False)
class ExecutionRules(WireModel):
    """The result of ``executionRules``: rules per symbol."""

    symbol_rules: list[SymbolExecutionRules] | None = None
