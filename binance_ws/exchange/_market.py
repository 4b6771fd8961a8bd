"""Symbols, filters and order books of the local exchange."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["Book", "SymbolInfo", "default_symbols", "synthetic_symbols"]


def _fmt(value: Decimal, places: int = 8) -> str:
    return f"{value:.{places}f}"


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
                "minPrice": _fmt(self.tick),
                "maxPrice": _fmt(self.price * 100),
                "tickSize": _fmt(self.tick),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": _fmt(self.min_qty),
                "maxQty": _fmt(self.max_qty),
                "stepSize": _fmt(self.step),
            },
            {"filterType": "ICEBERG_PARTS", "limit": 10},
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": _fmt(Decimal(0)),
                "maxQty": _fmt(self.max_qty),
                "stepSize": _fmt(Decimal(0)),
            },
            {
                "filterType": "TRAILING_DELTA",
                "minTrailingAboveDelta": 10,
                "maxTrailingAboveDelta": 2000,
                "minTrailingBelowDelta": 10,
                "maxTrailingBelowDelta": 2000,
            },
            {
                "filterType": "PERCENT_PRICE_BY_SIDE",
                "bidMultiplierUp": "5",
                "bidMultiplierDown": "0.2",
                "askMultiplierUp": "5",
                "askMultiplierDown": "0.2",
                "avgPriceMins": 5,
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": _fmt(self.min_notional),
                "applyMinToMarket": True,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
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
            d("0.001"),
            d("0.001"),
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


class Book:
    """Resting liquidity of one symbol: price -> quantity on each side.

    Seeded deterministically: ``levels`` price levels per side around the reference price,
    one tick apart, with quantities drawn from ``rng``.
    """

    def __init__(self, info: SymbolInfo, levels: int, rng: random.Random) -> None:
        self.info = info
        self.last_update_id = 1_000_000
        self.bids: dict[Decimal, Decimal] = {}
        self.asks: dict[Decimal, Decimal] = {}
        tick, step = info.tick, info.step
        for i in range(1, levels + 1):
            self.bids[info.price - tick * i] = step * rng.randint(100, 50_000)
            self.asks[info.price + tick * (i - 1) + tick] = step * rng.randint(100, 50_000)

    def snapshot(self, limit: int) -> dict[str, Any]:
        bids = sorted(self.bids.items(), reverse=True)[:limit]
        asks = sorted(self.asks.items())[:limit]
        return {
            "lastUpdateId": self.last_update_id,
            "bids": [[_fmt(p), _fmt(q)] for p, q in bids],
            "asks": [[_fmt(p), _fmt(q)] for p, q in asks],
        }
