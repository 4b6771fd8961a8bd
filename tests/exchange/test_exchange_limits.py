"""Rate limits of the local exchange: weights, 429s, bans, unfilled orders, rateLimits arrays."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import websocket
from wire_support import Wire

import binance_ws as bw
from binance_ws import Client
from binance_ws._signing import HmacSigner
from binance_ws.exchange import LocalExchange
from binance_ws.exchange.services.ratelimit import OrderCounter, WeightCounter, weight_of

WEIGHT_MSG = (
    "Too much request weight used; current limit is {} request weight per 1 MINUTE."
    " Please use WebSocket Streams for live updates to avoid polling the API."
)


def _mid_minute_clock() -> Callable[[], int]:
    """A ``limits_clock``: the real clock shifted forward to 1 s past a full minute.

    No 10-second window rolls for 9 s and no minute for 59 s, so a test never straddles a
    boundary and never waits for one to pass.
    """
    offset = (1000 - int(time.time() * 1000)) % 60_000
    return lambda: int(time.time() * 1000) + offset


@contextlib.contextmanager
def _exchange(**kwargs: Any) -> Iterator[tuple[LocalExchange, Callable[[], Wire]]]:
    """A fresh exchange and a way to open raw connections, closed before the exchange stops."""
    wires: list[Wire] = []
    with LocalExchange(book_levels=20, **kwargs) as ex:

        def open_wire() -> Wire:
            wires.append(Wire(ex.url))
            return wires[-1]

        try:
            yield ex, open_wire
        finally:
            for w in wires:
                w.close()


def _weight(frame: dict[str, Any]) -> int:
    entry = next(r for r in frame["rateLimits"] if r["rateLimitType"] == "REQUEST_WEIGHT")
    count: int = entry["count"]
    return count


# -- weights ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "params", "weight"),
    [
        ("ping", {}, 1),
        ("exchangeInfo", {}, 20),
        ("depth", {"symbol": "X"}, 5),
        ("depth", {"symbol": "X", "limit": 100}, 5),
        ("depth", {"symbol": "X", "limit": 101}, 25),
        ("depth", {"symbol": "X", "limit": 1000}, 50),
        ("depth", {"symbol": "X", "limit": 5000}, 250),
        ("executionRules", {"symbol": "X"}, 2),
        ("executionRules", {"symbols": '["A","B","C"]'}, 6),
        ("executionRules", {"symbols": json.dumps([f"S{i}" for i in range(30)])}, 40),
        ("executionRules", {"symbolStatus": "TRADING"}, 40),
        ("executionRules", {}, 40),
        ("ticker.24hr", {"symbol": "X"}, 2),
        ("ticker.24hr", {"symbols": ["A"] * 20}, 2),
        ("ticker.24hr", {"symbols": ["A"] * 21}, 40),
        ("ticker.24hr", {"symbols": ["A"] * 101}, 80),
        ("ticker.24hr", {}, 80),
        ("ticker.tradingDay", {"symbol": "X"}, 4),
        ("ticker.tradingDay", {"symbols": ["A"] * 50}, 200),
        ("ticker.tradingDay", {"symbols": ["A"] * 51}, 200),
        ("ticker.tradingDay", {"symbols": ["A"] * 3}, 12),
        ("ticker", {"symbol": "X"}, 4),
        ("ticker", {"symbols": ["A"] * 2}, 8),
        ("ticker", {"symbols": ["A"] * 51}, 200),
        ("ticker.price", {"symbol": "X"}, 2),
        ("ticker.price", {"symbols": ["A", "B"]}, 4),
        ("ticker.price", {}, 4),
        ("ticker.book", {"symbol": "X"}, 2),
        ("ticker.book", {}, 4),
        ("order.test", {}, 1),
        ("order.test", {"computeCommissionRates": True}, 20),
        ("sor.order.test", {"computeCommissionRates": True}, 20),
        ("openOrders.status", {"symbol": "X"}, 6),
        ("openOrders.status", {}, 80),
        ("myTrades", {"symbol": "X"}, 20),
        ("myTrades", {"symbol": "X", "orderId": 1}, 5),
        ("myPreventedMatches", {"symbol": "X", "preventedMatchId": 1}, 2),
        ("myPreventedMatches", {"symbol": "X", "orderId": 1}, 20),
        ("account.status", {}, 20),
        ("account.rateLimits.orders", {}, 40),
        ("order.place", {}, 1),
        ("order.amend.keepPriority", {}, 4),
    ],
)
def test_weight_table(method: str, params: dict[str, Any], weight: int) -> None:
    assert weight_of(method, params) == weight


def test_weight_counts_on_every_answer() -> None:
    with _exchange(limits_clock=_mid_minute_clock()) as (_ex, open_wire):
        w = open_wire()
        first = w.call("ping")
        assert first["rateLimits"] == [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": 6000,
                "count": 3,
            }
        ]
        assert _weight(w.call("depth", {"symbol": "BTCUSDT", "limit": 500})) == 3 + 25
        assert _weight(w.call("depth", {"symbol": "BTCUSDT", "limit": "1000"})) == 3 + 25 + 50
        assert _weight(w.call("depth", {"symbol": "NOPE"})) == 3 + 25 + 50 + 5  # errors are charged too
        # Every connection from the IP shares one count.
        assert _weight(open_wire().call("time")) == 83 + 2 + 1


def test_weight_limit_then_ban() -> None:
    clock = _mid_minute_clock()
    with _exchange(weight_limit=10, ban_after=2, limits_clock=clock) as (ex, open_wire):
        w = open_wire()  # the connection costs 2
        for _ in range(8):
            assert w.call("ping")["status"] == 200
        for count in (11, 12):
            before = clock()
            answer = w.call("ping")
            assert answer["status"] == 429
            assert answer["error"]["code"] == -1003
            assert answer["error"]["msg"] == WEIGHT_MSG.format(10)
            data = answer["error"]["data"]
            assert data["retryAfter"] == (before // 60_000 + 1) * 60_000
            assert abs(data["serverTime"] - before) < 1000
            assert _weight(answer) == count
        banned = w.call("ping")
        assert banned["status"] == 418 and banned["error"]["code"] == -1003
        until = banned["error"]["data"]["retryAfter"]
        assert 119_000 < until - banned["error"]["data"]["serverTime"] <= 120_000
        assert banned["error"]["msg"] == (
            f"Way too much request weight used; IP banned until {until}."
            " Please use WebSocket Streams for live updates to avoid bans."
        )
        assert w.call("time")["status"] == 418  # every request while banned
        assert ex.weights.banned_until("127.0.0.1") == until
        # New connections from a banned IP are refused at the handshake.
        with pytest.raises(websocket.WebSocketBadStatusException) as info:
            websocket.create_connection(ex.url, timeout=5)
        assert info.value.status_code == 418


def test_client_sees_rate_limited_and_banned_errors() -> None:
    clock = _mid_minute_clock()
    with (
        LocalExchange(book_levels=20, weight_limit=5, ban_after=1, limits_clock=clock) as ex,
        Client(ex.url, timeout=5) as c,
    ):
        c.request("ping")
        c.request("ping")
        c.request("ping")
        with pytest.raises(bw.RateLimitedError) as limited:
            c.request("ping")
        assert type(limited.value) is bw.RateLimitedError and limited.value.retry_after is not None
        assert limited.value.retry_after.second == 0  # the next full minute
        # Binance bans an IP that goes on sending after a 429 (ban_after=1 here); the client
        # holds back instead, so the exchange never sees the request that would ban it.
        seen = len(ex.requests)
        for _ in range(3):
            with pytest.raises(bw.RateLimitedError) as held:
                c.request("ping")
            assert type(held.value) is bw.RateLimitedError and held.value.local is True
            assert held.value.retry_after == limited.value.retry_after
        assert len(ex.requests) == seen


def test_ban_ladder_doubles_up_to_three_days() -> None:
    counter = WeightCounter(1, ban_after=0)
    now, lengths = 0, []
    for _ in range(14):
        _used, error = counter.charge("1.2.3.4", 5, now)
        assert error is not None and error.status == 418 and error.data is not None
        lengths.append(error.data["retryAfter"] - now)
        now = error.data["retryAfter"] + 60_000  # after the ban, in a fresh minute
    assert lengths[:3] == [120_000, 240_000, 480_000]
    assert lengths[-1] == 3 * 86_400_000
    other_ip_used, other_error = counter.charge("5.6.7.8", 1, now)
    assert (other_ip_used, other_error) == (1, None)


def test_weight_resets_each_calendar_minute() -> None:
    counter = WeightCounter(10, ban_after=None)
    assert counter.charge("ip", 10, 59_999) == (10, None)
    used, error = counter.charge("ip", 1, 59_999)
    assert used == 11 and error is not None and error.status == 429
    assert counter.charge("ip", 1, 60_000) == (1, None)


def test_enforce_limits_false_counts_but_never_refuses() -> None:
    with _exchange(weight_limit=3, ban_after=0, enforce_limits=False, limits_clock=_mid_minute_clock()) as (
        _ex,
        open_wire,
    ):
        w = open_wire()
        for _ in range(5):
            answer = w.call("ping")
            assert answer["status"] == 200
        assert _weight(answer) == 7 and answer["rateLimits"][0]["limit"] == 3


# -- unfilled order count ----------------------------------------------------------------------


def test_order_counter_windows_and_fills() -> None:
    orders = OrderCounter(3, 5)
    assert orders.charge("a", 2, 0) is None
    error = orders.charge("a", 2, 1)
    assert error is not None and (error.status, error.code) == (429, -1015)
    assert error.msg == "Too many new orders; current limit is 3 orders per 10 SECOND."
    assert error.data == {"serverTime": 1, "retryAfter": 10_000}
    assert orders.charge("b", 3, 1) is None  # per account
    orders.order_filled("a", now=2)
    assert [e["count"] for e in orders.snapshot("a", 2)] == [1, 1]
    assert orders.charge("a", 2, 10_000) is None  # a new 10 s window; the day goes on
    assert orders.snapshot("a", 10_000) == [
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 3, "count": 2},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 5, "count": 3},
    ]
    day = orders.charge("a", 3, 20_000)
    assert day is not None and day.msg == "Too many new orders; current limit is 5 orders per 1 DAY."
    assert day.data == {"serverTime": 20_000, "retryAfter": 86_400_000}


def _limit_order(price: str) -> dict[str, Any]:
    return {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "price": price,
        "quantity": "0.00100",
    }


def test_order_limit_on_the_wire() -> None:
    with _exchange(order_limit_10s=2, order_limit_day=100, limits_clock=_mid_minute_clock()) as (
        ex,
        open_wire,
    ):
        w = open_wire()
        signer = HmacSigner(ex.keys.hmac.api_key, ex.keys.hmac.api_secret)
        placed = [w.call("order.place", _limit_order(p), signer) for p in ("50000.00", "50001.00")]
        assert [p["status"] for p in placed] == [200, 200], placed
        first = placed[0]["rateLimits"]
        assert [(r["rateLimitType"], r["interval"], r["count"]) for r in first] == [
            ("ORDERS", "SECOND", 1),
            ("ORDERS", "DAY", 1),
            ("REQUEST_WEIGHT", "MINUTE", _weight(placed[0])),
        ]
        refused = w.call("order.place", _limit_order("50002.00"), signer)
        assert refused["status"] == 429
        assert refused["error"]["code"] == -1015
        assert refused["error"]["msg"] == "Too many new orders; current limit is 2 orders per 10 SECOND."
        assert set(refused["error"]["data"]) == {"serverTime", "retryAfter"}
        assert refused["error"]["data"]["retryAfter"] % 10_000 == 0
        assert [r.get("count") for r in refused["rateLimits"][:2]] == [2, 2]
        # Cancels and queries carry no ORDERS entry, as in Binance's examples.
        status = w.call(
            "order.status", {"symbol": "BTCUSDT", "orderId": placed[0]["result"]["orderId"]}, signer
        )
        assert [r["rateLimitType"] for r in status["rateLimits"]] == ["REQUEST_WEIGHT"]
        assert [e["count"] for e in ex.order_limits.snapshot("demo")] == [2, 2]
