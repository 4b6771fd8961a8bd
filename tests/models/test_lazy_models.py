"""Big results convert on first access, and what they convert to equals the eager conversion."""

from __future__ import annotations

from decimal import Decimal

from binance_ws import Client, structure, unstructure
from binance_ws.models import ExchangeInfo, OrderBook, OrderFull, PriceLevel


def test_order_book_sides_convert_once_on_access(client: Client) -> None:
    book = client.depth(symbol="BTCUSDT", limit=5000)
    assert book._bids is None and book._asks is None  # nothing converted by the call itself
    assert book.raw_bids is not None and len(book.raw_bids) == 5000
    best = book.best_bid
    assert book._bids is None  # the best level alone does not convert the side
    bids = book.bids
    assert bids is book.bids  # cached
    assert bids is not None and len(bids) == 5000
    assert best == bids[0] == PriceLevel(Decimal(book.raw_bids[0][0]), Decimal(book.raw_bids[0][1]))
    assert [[str(p), str(q)] for p, q in bids] == book.raw_bids
    assert unstructure(book)["bids"] == book.raw_bids
    assert "5000 levels" in repr(book)


def test_exchange_info_converts_only_what_is_read(client: Client) -> None:
    info = client.exchange_info()
    btc = info.symbol("BTCUSDT")
    assert btc is not None and btc.symbol == "BTCUSDT" and btc.base_asset == "BTC"
    assert info._symbols is None  # one lookup converted one symbol only
    assert info.symbol("NOPE") is None
    everything = info.symbols
    assert everything is not None and {s.symbol for s in everything} >= {"BTCUSDT", "ETHUSDT"}
    assert next(s for s in everything if s.symbol == "BTCUSDT") == btc


def test_lazy_models_round_trip_and_compare() -> None:
    doc = {"lastUpdateId": 1, "bids": [["1.00", "2.50"]], "asks": []}
    a, b = structure(doc, OrderBook), structure(doc, OrderBook)
    assert a.bids is not None
    assert a == b  # equality is on the wire data, whichever side was converted
    assert unstructure(a) == doc
    info = structure({"timezone": "UTC", "symbols": [{"symbol": "X", "status": "TRADING"}]}, ExchangeInfo)
    assert info.symbol("X") is not None and unstructure(info)["symbols"] == [
        {"symbol": "X", "status": "TRADING"}
    ]


def test_order_fills_convert_once_on_access() -> None:
    doc = {
        "symbol": "BTCUSDT",
        "orderId": 7,
        "status": "FILLED",
        "fills": [
            {
                "price": "60000.00",
                "qty": "0.00100000",
                "commission": "0",
                "commissionAsset": "BNB",
                "tradeId": 1,
            },
            {"price": "60001.00", "qty": "0.00200000", "tradeId": 2, "newKey": True},
        ],
    }
    order = structure(doc, OrderFull)
    assert order._fills is None  # building the order did not build its fills
    assert order.raw_fills == doc["fills"]
    fills = order.fills
    assert fills is order.fills  # converted once, then cached
    assert fills is not None and [f.trade_id for f in fills] == [1, 2]
    assert fills[0].price == Decimal("60000.00") and fills[1].qty == Decimal("0.00200000")
    assert fills[1].extra == {"newKey": True}  # lossless inside the lazy list too
    assert repr(order).endswith("fills=<2 fills>)")  # counted: the fills list is long
    assert unstructure(order) == doc
    assert structure(doc, OrderFull) == order  # equality by the fills as sent
