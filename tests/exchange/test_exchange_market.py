"""Market data of the local exchange stays consistent with what traded and what rests.

Trades, aggregate trades, klines, tickers and average prices come from the exchange's own
tape (seeded at start, then every fill); depth and book tickers from its books.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from binance_ws import APIError, Client
from binance_ws.exchange import LocalExchange

D = Decimal


@pytest.fixture
def ex() -> Iterator[LocalExchange]:
    with LocalExchange(book_levels=5) as exchange:
        exchange.accounts.add("trader", {"USDT": "1000000", "BTC": "100", "BNB": "1000"})
        yield exchange


@pytest.fixture
def client(ex: LocalExchange) -> Iterator[Client]:
    with Client(ex.url, timeout=5) as c:
        yield c


def get(client: Client, method: str, **params: Any) -> Any:
    return client.request(method, params).result


def trade(ex: LocalExchange, side: str, qty: str, symbol: str = "BTCUSDT") -> dict[str, Any]:
    return dict(
        ex.engine.place("trader", {"symbol": symbol, "side": side, "type": "MARKET", "quantity": qty})
    )


def test_seeded_trades_make_market_data_non_empty(client: Client) -> None:
    for symbol in ("BTCUSDT", "ETHUSDT", "BNBUSDT", "BNBBTC"):
        trades = get(client, "trades.recent", symbol=symbol)
        assert len(trades) >= 10
        assert [t["id"] for t in trades] == sorted(t["id"] for t in trades)
        assert get(client, "klines", symbol=symbol, interval="1h")
        assert get(client, "ticker.24hr", symbol=symbol)["count"] == len(trades)


def test_trades_follow_fills(ex: LocalExchange, client: Client) -> None:
    asks = get(client, "depth", symbol="BTCUSDT", limit=2)["asks"]
    before = get(client, "trades.recent", symbol="BTCUSDT")[-1]["id"]
    qty = D(asks[0][1]) + D("0.001")
    trade(ex, "BUY", str(qty))
    recent = get(client, "trades.recent", symbol="BTCUSDT", limit=2)
    assert [(t["id"], t["price"], t["qty"], t["isBuyerMaker"]) for t in recent] == [
        (before + 1, asks[0][0], asks[0][1], False),
        (before + 2, asks[1][0], "0.00100000", False),
    ]
    assert D(recent[1]["quoteQty"]) == D(asks[1][0]) * D("0.001")
    assert get(client, "trades.historical", symbol="BTCUSDT", fromId=before + 1, limit=1) == recent[:1]
    aggs = get(client, "trades.aggregate", symbol="BTCUSDT", limit=2)
    assert [(a["p"], a["f"], a["l"]) for a in aggs] == [
        (asks[0][0], before + 1, before + 1),
        (asks[1][0], before + 2, before + 2),
    ]
    assert get(client, "blockTrades.historical", symbol="BTCUSDT", fromId=1) == []


def test_one_taker_hitting_several_makers_at_one_price_is_one_aggregate(
    ex: LocalExchange, client: Client
) -> None:
    ex.engine.place(
        "trader",
        {
            "symbol": "BTCUSDT",
            "side": "SELL",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "price": "60000.00",
            "quantity": "0.001",
        },
    )
    ex.accounts.add("second", {"BTC": "1"})
    ex.engine.place(
        "second",
        {
            "symbol": "BTCUSDT",
            "side": "SELL",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "price": "60000.00",
            "quantity": "0.002",
        },
    )
    ex.accounts.add("buyer", {"USDT": "1000"})
    ex.engine.place("buyer", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.003"})
    last = get(client, "trades.aggregate", symbol="BTCUSDT", limit=1)[0]
    assert (last["p"], last["q"], last["l"] - last["f"], last["m"]) == (
        "60000.00000000",
        "0.00300000",
        1,
        False,
    )


def test_klines_are_built_from_trades(ex: LocalExchange, client: Client) -> None:
    trade(ex, "BUY", "0.001")
    trade(ex, "SELL", "0.002")
    now = int(time.time() * 1000)
    minute = get(client, "klines", symbol="BTCUSDT", interval="1m", limit=1)[0]
    trades = get(client, "trades.recent", symbol="BTCUSDT", limit=1000)
    inside = [t for t in trades if minute[0] <= t["time"] <= minute[6]]
    assert minute[0] <= now <= minute[6] and minute[6] - minute[0] == 60_000 - 1
    assert minute[4] == inside[-1]["price"] and minute[1] == inside[0]["price"]
    assert D(minute[5]) == sum(D(t["qty"]) for t in inside)
    assert minute[8] == len(inside)
    assert D(minute[9]) == sum(D(t["qty"]) for t in inside if not t["isBuyerMaker"])
    hour = get(client, "klines", symbol="BTCUSDT", interval="1h")
    assert sum(k[8] for k in hour) == len(trades)
    assert get(client, "uiKlines", symbol="BTCUSDT", interval="1h") == hour


def test_kline_boundaries_intervals_and_time_zones(client: Client) -> None:
    day = get(client, "klines", symbol="BNBBTC", interval="1d", limit=1)[0]
    assert day[0] % 86_400_000 == 0
    shifted = get(client, "klines", symbol="BNBBTC", interval="1d", limit=1, timeZone="+8")[0]
    assert (shifted[0] + 8 * 3_600_000) % 86_400_000 == 0
    week = get(client, "klines", symbol="BNBBTC", interval="1w", limit=1)[0]
    assert dt.datetime.fromtimestamp(week[0] / 1000, dt.timezone.utc).weekday() == 0
    month = get(client, "klines", symbol="BNBBTC", interval="1M", limit=1)[0]
    opened = dt.datetime.fromtimestamp(month[0] / 1000, dt.timezone.utc)
    closed = dt.datetime.fromtimestamp((month[6] + 1) / 1000, dt.timezone.utc)
    assert (opened.day, opened.hour, closed.day) == (1, 0, 1)
    minutes = get(client, "klines", symbol="BNBBTC", interval="5m", limit=3)
    assert [b[0] - a[0] for a, b in itertools.pairwise(minutes)] == [300_000, 300_000]
    start = minutes[0][0]
    assert get(client, "klines", symbol="BNBBTC", interval="5m", startTime=start, limit=2)[0][0] == start
    # Binance's klines open at or after startTime: a start inside a bucket gives the next one.
    assert (
        get(client, "klines", symbol="BNBBTC", interval="5m", startTime=start + 1, limit=1)[0][0]
        == minutes[1][0]
    )
    with pytest.raises(APIError) as caught:
        get(client, "klines", symbol="BNBBTC", interval="2m")
    assert (caught.value.code, caught.value.msg) == (-1120, "Invalid interval.")
    with pytest.raises(APIError) as caught:
        get(client, "klines", symbol="BNBBTC", interval="1m", timeZone="+15:00")
    assert caught.value.code == -1100


def test_tickers_agree_with_trades_and_book(ex: LocalExchange, client: Client) -> None:
    trade(ex, "SELL", "0.001")
    trades = get(client, "trades.recent", symbol="BTCUSDT", limit=1000)
    depth = get(client, "depth", symbol="BTCUSDT", limit=1)
    full = get(client, "ticker.24hr", symbol="BTCUSDT")
    assert (full["lastPrice"], full["lastQty"]) == (trades[-1]["price"], trades[-1]["qty"])
    assert (full["firstId"], full["lastId"], full["count"]) == (
        trades[0]["id"],
        trades[-1]["id"],
        len(trades),
    )
    assert D(full["volume"]) == sum(D(t["qty"]) for t in trades)
    assert D(full["priceChange"]) == D(trades[-1]["price"]) - D(trades[0]["price"])
    assert [full["bidPrice"], full["bidQty"]] == depth["bids"][0]
    assert [full["askPrice"], full["askQty"]] == depth["asks"][0]
    assert get(client, "ticker.price", symbol="BTCUSDT") == {
        "symbol": "BTCUSDT",
        "price": trades[-1]["price"],
    }
    book = get(client, "ticker.book", symbol="BTCUSDT")
    assert [book["bidPrice"], book["bidQty"], book["askPrice"], book["askQty"]] == depth["bids"][0] + depth[
        "asks"
    ][0]
    mini = get(client, "ticker.24hr", symbol="BTCUSDT", type="MINI")
    assert "priceChange" not in mini and mini["volume"] == full["volume"]
    window = get(client, "ticker", symbol="BTCUSDT", windowSize="2m")
    assert window["openTime"] % 60_000 == 0 and window["count"] <= full["count"]
    today = get(client, "ticker.tradingDay", symbols=["BTCUSDT", "BNBBTC"])
    assert [t["symbol"] for t in today] == ["BTCUSDT", "BNBBTC"]
    assert today[0]["closeTime"] - today[0]["openTime"] == 86_400_000 - 1
    every = get(client, "ticker.price")
    assert {t["symbol"] for t in every} == set(ex.symbols)


def test_ticker_parameter_errors(client: Client) -> None:
    cases: list[tuple[dict[str, Any], int]] = [
        ({"symbol": "BTCUSDT", "symbolStatus": "HALT"}, -1220),
        ({"symbols": ["BTCUSDT", "NOPE"]}, -1121),
        ({"symbols": ["BTCUSDT", "BTCUSDT"]}, -1151),
        ({"symbol": "BTCUSDT", "type": "HUGE"}, -1139),
    ]
    for params, code in cases:
        with pytest.raises(APIError) as caught:
            get(client, "ticker.24hr", **params)
        assert caught.value.code == code, params
    with pytest.raises(APIError) as caught:
        get(client, "ticker", symbol="BTCUSDT", windowSize="1d2h")
    assert caught.value.code == -1100
    assert get(client, "ticker.price", symbols=["BTCUSDT"], symbolStatus="HALT") == []


def test_avg_price_is_volume_weighted_over_five_minutes(ex: LocalExchange, client: Client) -> None:
    trade(ex, "BUY", "0.001")
    trade(ex, "SELL", "0.003")
    now = int(time.time() * 1000)
    trades = get(client, "trades.recent", symbol="BTCUSDT")
    avg = get(client, "avgPrice", symbol="BTCUSDT")

    def vwap(start: int) -> Decimal:
        inside = [t for t in trades if t["time"] >= start]
        total = sum((D(t["quoteQty"]) for t in inside), D(0)) / sum((D(t["qty"]) for t in inside), D(0))
        return total.quantize(D("0.00000001"))

    # The exchange's clock read differs from ours by a few ms: a trade at the window's edge may go either way.
    edge = now - 300_000
    expected = {vwap(edge - 2000), vwap(edge + 2000)}
    assert avg["mins"] == 5 and D(avg["price"]) in expected
    assert avg["closeTime"] == trades[-1]["time"]
    reference = get(client, "referencePrice", symbol="BTCUSDT")
    assert reference["referencePrice"] == avg["price"]


def test_depth_shows_resting_orders_and_changes_its_update_id(ex: LocalExchange, client: Client) -> None:
    first = get(client, "depth", symbol="BTCUSDT", limit=5)
    assert get(client, "depth", symbol="BTCUSDT", limit=5) == first
    ex.engine.place(
        "trader",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "price": "60000.00",
            "quantity": "0.004",
        },
    )
    second = get(client, "depth", symbol="BTCUSDT", limit=5)
    assert second["bids"][0] == ["60000.00000000", "0.00400000"]
    assert second["lastUpdateId"] > first["lastUpdateId"]
    ex.engine.place(
        "trader",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "price": "59999.99",
            "quantity": "0.001",
            "icebergQty": "0.0005",
        },
    )
    third = get(client, "depth", symbol="BTCUSDT", limit=5)
    assert D(third["bids"][1][1]) == D(first["bids"][0][1]) + D("0.0005")  # only the iceberg's tip shows
    assert get(client, "avgPrice", symbol="BTCUSDT")["price"]
