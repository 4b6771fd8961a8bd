"""Canned response payloads for the benchmark's minimal server.

All are synthesized, deterministically, from Binance's documented examples and today's
shapes, at the sizes that matter for speed: depth 100 and 5000 levels, exchangeInfo with 500
symbols, klines 1000 rows, allOrders 1000 orders, an order.place FULL answer. They do not
depend on the local exchange, so a change there never moves the canned numbers.
Every payload is kept as the text that follows the request id, so the server answers by
splicing the id in front of it.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

__all__ = [
    "RATE_LIMITS",
    "SYMBOL",
    "CannedFrames",
    "build_canned",
    "frame_tail",
    "klines_result",
    "all_orders_result",
    "order_full_result",
    "depth_result",
    "exchange_info_result",
]

SYMBOL = "BTCUSDT"

#: What Binance reports with every answer by default.
RATE_LIMITS: list[dict[str, Any]] = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000, "count": 1}
]

# The documented newOrderRespType=FULL answer of order.place.
_ORDER_FULL: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "orderId": 12569099453,
    "orderListId": -1,
    "clientOrderId": "4d96324ff9d44481926157ec08158a40",
    "transactTime": 1660801715793,
    "price": "23416.10000000",
    "origQty": "0.00847000",
    "executedQty": "0.00847000",
    "origQuoteOrderQty": "0.000000",
    "cummulativeQuoteQty": "198.33521500",
    "status": "FILLED",
    "timeInForce": "GTC",
    "type": "LIMIT",
    "side": "SELL",
    "workingTime": 1660801715793,
    "selfTradePreventionMode": "NONE",
    "fills": [
        {
            "price": "23416.10000000",
            "qty": "0.00635000",
            "commission": "0.000000",
            "commissionAsset": "BNB",
            "tradeId": 1650422481,
        },
        {
            "price": "23416.50000000",
            "qty": "0.00212000",
            "commission": "0.000000",
            "commissionAsset": "BNB",
            "tradeId": 1650422482,
        },
    ],
}

# One documented allOrders item; the synthesized list varies ids, prices and times.
_ORDER_ITEM: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "orderId": 12569099453,
    "orderListId": -1,
    "clientOrderId": "4d96324ff9d44481926157",
    "price": "23416.10000000",
    "origQty": "0.00847000",
    "executedQty": "0.00847000",
    "cummulativeQuoteQty": "198.33521500",
    "status": "FILLED",
    "timeInForce": "GTC",
    "type": "LIMIT",
    "side": "SELL",
    "stopPrice": "0.00000000",
    "icebergQty": "0.00000000",
    "time": 1660801715639,
    "updateTime": 1660801717945,
    "isWorking": True,
    "workingTime": 1660801715639,
    "origQuoteOrderQty": "0.00000000",
    "selfTradePreventionMode": "NONE",
}


def _dec(value: float) -> str:
    return f"{value:.8f}"


def order_full_result() -> dict[str, Any]:
    """The ``result`` of an ``order.place`` with ``newOrderRespType=FULL``."""
    return copy.deepcopy(_ORDER_FULL)


def klines_result(rows: int = 1000, seed: int = 11) -> list[list[Any]]:
    """``rows`` one-minute klines in Binance's 12-element row format."""
    rng = random.Random(seed)
    start = 1_655_971_200_000
    price = 60_000.0
    out: list[list[Any]] = []
    for i in range(rows):
        open_ = price
        close = max(1.0, open_ + rng.uniform(-50, 50))
        high = max(open_, close) + rng.uniform(0, 20)
        low = min(open_, close) - rng.uniform(0, 20)
        volume = rng.uniform(1, 500)
        out.append(
            [
                start + i * 60_000,
                _dec(open_),
                _dec(high),
                _dec(low),
                _dec(close),
                _dec(volume),
                start + i * 60_000 + 59_999,
                _dec(volume * close),
                rng.randint(10, 5000),
                _dec(volume / 2),
                _dec(volume * close / 2),
                "0",
            ]
        )
        price = close
    return out


def all_orders_result(count: int = 1000, seed: int = 13) -> list[dict[str, Any]]:
    """``count`` orders shaped like the documented ``allOrders`` item."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(count):
        item = dict(_ORDER_ITEM)
        qty = rng.uniform(0.001, 2)
        price = rng.uniform(20_000, 70_000)
        item["orderId"] = 12_569_099_453 + i
        item["clientOrderId"] = f"bench{i:017d}"
        item["price"] = _dec(price)
        item["origQty"] = _dec(qty)
        item["executedQty"] = _dec(qty)
        item["cummulativeQuoteQty"] = _dec(qty * price)
        item["side"] = "BUY" if i % 2 else "SELL"
        item["time"] = 1_660_801_715_639 + i * 1000
        item["updateTime"] = item["time"] + 2306
        item["workingTime"] = item["time"]
        out.append(item)
    return out


def frame_tail(result: Any, status: int = 200) -> bytes:
    """The bytes of a response frame after its id: ``,"status":...,"result":...}``."""
    body = json.dumps({"status": status, "result": result, "rateLimits": RATE_LIMITS}, separators=(",", ":"))
    return ("," + body[1:]).encode()


class CannedFrames:
    """Frame tails by key: a wire method, or ``depth:<limit>`` for depth."""

    def __init__(self, tails: dict[str, bytes]) -> None:
        self.tails = tails

    def frame(self, key: str, request_id: str = "1") -> bytes:
        """A whole response frame for ``key`` answering ``request_id`` (JSON text of the id)."""
        return b'{"id":' + request_id.encode() + self.tails[key]


def depth_result(limit: int, seed: int = 17) -> dict[str, Any]:
    """A ``depth`` result with ``limit`` levels per side around 60 000, Binance's format."""
    rng = random.Random(seed)
    bids = [[_dec(59_999.99 - i * 0.01), _dec(rng.uniform(0.0001, 3))] for i in range(limit)]
    asks = [[_dec(60_000.00 + i * 0.01), _dec(rng.uniform(0.0001, 3))] for i in range(limit)]
    return {"lastUpdateId": 1_027_024, "bids": bids, "asks": asks}


def _symbol_info(base: str, quote: str) -> dict[str, Any]:
    # The shape Binance answers today: every flag and the filters most symbols carry.
    return {
        "symbol": base + quote,
        "status": "TRADING",
        "baseAsset": base,
        "baseAssetPrecision": 8,
        "quoteAsset": quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
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
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": "0.01000000",
                "maxPrice": "1000000.00000000",
                "tickSize": "0.01000000",
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": "0.00001000",
                "maxQty": "9000.00000000",
                "stepSize": "0.00001000",
            },
            {"filterType": "ICEBERG_PARTS", "limit": 10},
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": "0.00000000",
                "maxQty": "95.33720541",
                "stepSize": "0.00000000",
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
                "minNotional": "5.00000000",
                "applyMinToMarket": True,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
        ],
        "permissions": [],
        "permissionSets": [["SPOT", "MARGIN", "TRD_GRP_004"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": [
            "NONE",
            "EXPIRE_TAKER",
            "EXPIRE_MAKER",
            "EXPIRE_BOTH",
            "DECREMENT",
        ],
    }


def exchange_info_result(symbols: int = 500) -> dict[str, Any]:
    """An ``exchangeInfo`` result with ``symbols`` symbols (Binance lists ~1500 today)."""
    quotes = ("USDT", "BTC", "ETH", "FDUSD", "TRY")
    infos = [_symbol_info("BTC", "USDT")]
    for i in range(1, symbols):
        base = "".join(chr(ord("A") + (i // 26**k) % 26) for k in range(4)) + "X"
        infos.append(_symbol_info(base, quotes[i % len(quotes)]))
    return {
        "timezone": "UTC",
        "serverTime": 1_700_000_000_000,
        "rateLimits": [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000},
            {"rateLimitType": "CONNECTIONS", "interval": "MINUTE", "intervalNum": 5, "limit": 300},
        ],
        "exchangeFilters": [],
        "symbols": infos,
        "sors": [{"baseAsset": "BTC", "symbols": ["BTCUSDT", "BTCUSDC"]}],
    }


def build_canned(symbols: int = 500) -> CannedFrames:
    """Every canned answer of the minimal server."""
    tails = {
        "depth:100": frame_tail(depth_result(100)),
        "depth:5000": frame_tail(depth_result(5000)),
        "exchangeInfo": frame_tail(exchange_info_result(symbols)),
    }
    tails["ping"] = frame_tail({})
    tails["time"] = frame_tail({"serverTime": 1_700_000_000_000})
    tails["order.place"] = frame_tail(order_full_result())
    session = {
        "apiKey": None,
        "authorizedSince": None,
        "connectedSince": 1_700_000_000_000,
        "returnRateLimits": False,
        "serverTime": 1_700_000_000_000,
        "userDataStream": False,
    }
    # A client may log on at connect (Ed25519) or sync its clock; both must get an answer.
    tails["session.logon"] = frame_tail({**session, "apiKey": "bench", "authorizedSince": 1_700_000_000_000})
    tails["session.status"] = tails["session.logon"]
    tails["session.logout"] = frame_tail(session)
    tails["klines"] = frame_tail(klines_result())
    tails["allOrders"] = frame_tail(all_orders_result())
    return CannedFrames(tails)
