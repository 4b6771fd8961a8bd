"""Symbols and their filters on the local exchange (the order books live in ``book.py``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from .decimals import fmt

__all__ = ["SymbolInfo", "default_symbols", "synthetic_symbols"]

# Filter settings shared by every symbol, shaped like Binance's BTCUSDT.
MAX_NOTIONAL = Decimal("9000000")
PERCENT_UP = Decimal(5)
PERCENT_DOWN = Decimal("0.2")
AVG_PRICE_MINS = 5
ICEBERG_PARTS = 10
MAX_NUM_ORDERS = 200
MAX_NUM_ALGO_ORDERS = 5
# Open order lists per account and symbol (shown by myFilters).
MAX_NUM_ORDER_LISTS = 20
MIN_TRAILING_DELTA = 10
MAX_TRAILING_DELTA = 2000


@attrs.define
class SymbolInfo:
    """A tradable pair with its filters and reference price."""

    symbol: str
    base: str
    quote: str
    tick: Decimal
    step: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_notional: Decimal
    price: Decimal
    status: str = "TRADING"

    @property
    def min_price(self) -> Decimal:
        return self.tick

    @property
    def max_price(self) -> Decimal:
        return self.price * 100

    def to_wire(self, *, show_permission_sets: bool = True) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "status": self.status,
            "baseAsset": self.base,
            "baseAssetPrecision": 8,
            "quoteAsset": self.quote,
            "quotePrecision": 8,
            "quoteAssetPrecision": 8,
            "baseCommissionPrecision": 8,
            "quoteCommissionPrecision": 8,
            "orderTypes": [
                "LIMIT",
                "LIMIT_MAKER",
                "MARKET",
                "STOP_LOSS",
                "STOP_LOSS_LIMIT",
                "TAKE_PROFIT",
                "TAKE_PROFIT_LIMIT",
            ],
            "icebergAllowed": True,
            "ocoAllowed": True,
            "otoAllowed": True,
            "opoAllowed": True,
            "quoteOrderQtyMarketAllowed": True,
            "allowTrailingStop": True,
            "cancelReplaceAllowed": True,
            "amendAllowed": True,
            "pegInstructionsAllowed": True,
            "isSpotTradingAllowed": True,
            "isMarginTradingAllowed": False,
            "filters": self.filters(),
            "permissions": [],
            "permissionSets": [["SPOT"]] if show_permission_sets else [],
            "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
            "allowedSelfTradePreventionModes": [
                "NONE",
                "EXPIRE_TAKER",
                "EXPIRE_MAKER",
                "EXPIRE_BOTH",
                "DECREMENT",
            ],
        }

    def filters(self) -> list[dict[str, Any]]:
        return [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": fmt(self.min_price),
                "maxPrice": fmt(self.max_price),
                "tickSize": fmt(self.tick),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": fmt(self.min_qty),
                "maxQty": fmt(self.max_qty),
                "stepSize": fmt(self.step),
            },
            {"filterType": "ICEBERG_PARTS", "limit": ICEBERG_PARTS},
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": fmt(Decimal(0)),
                "maxQty": fmt(self.max_qty),
                "stepSize": fmt(Decimal(0)),
            },
            {
                "filterType": "TRAILING_DELTA",
                "minTrailingAboveDelta": MIN_TRAILING_DELTA,
                "maxTrailingAboveDelta": MAX_TRAILING_DELTA,
                "minTrailingBelowDelta": MIN_TRAILING_DELTA,
                "maxTrailingBelowDelta": MAX_TRAILING_DELTA,
            },
            {
                "filterType": "PERCENT_PRICE_BY_SIDE",
                "bidMultiplierUp": str(PERCENT_UP),
                "bidMultiplierDown": str(PERCENT_DOWN),
                "askMultiplierUp": str(PERCENT_UP),
                "askMultiplierDown": str(PERCENT_DOWN),
                "avgPriceMins": AVG_PRICE_MINS,
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": fmt(self.min_notional),
                "applyMinToMarket": True,
                "maxNotional": fmt(MAX_NOTIONAL),
                "applyMaxToMarket": False,
                "avgPriceMins": AVG_PRICE_MINS,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": MAX_NUM_ORDERS},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": MAX_NUM_ALGO_ORDERS},
        ]


def default_symbols() -> list[SymbolInfo]:
    """BTCUSDT, ETHUSDT, BNBUSDT and BNBBTC with filters shaped like Binance's."""
    d = Decimal
    return [
        SymbolInfo(
            "BTCUSDT", "BTC", "USDT", d("0.01"), d("0.00001"), d("0.00001"), d("9000"), d("5"), d("60000.00")
        ),
        SymbolInfo(
            "ETHUSDT", "ETH", "USDT", d("0.01"), d("0.0001"), d("0.0001"), d("9000"), d("5"), d("3000.00")
        ),
        SymbolInfo(
            "BNBUSDT", "BNB", "USDT", d("0.01"), d("0.001"), d("0.001"), d("9000"), d("5"), d("600.00")
        ),
        SymbolInfo(
            "BNBBTC",
            "BNB",
            "BTC",
            d("0.000001"),
            # Binance's BNBBTC steps by 0.001; 0.01 keeps price * qty within 8 decimals.
            d("0.01"),
            d("0.01"),
            d("100000"),
            d("0.0001"),
            d("0.010000"),
        ),
    ]


def synthetic_symbols(count: int) -> list[SymbolInfo]:
    """``count`` extra symbols (``SYM0001USDT``...) so exchangeInfo can be as large as Binance's."""
    d = Decimal
    return [
        SymbolInfo(
            f"SYM{i:04d}USDT",
            f"SYM{i:04d}",
            "USDT",
            d("0.0001"),
            d("0.1"),
            d("0.1"),
            d("9000000"),
            d("5"),
            d("1.2345"),
        )
        for i in range(1, count + 1)
    ]
