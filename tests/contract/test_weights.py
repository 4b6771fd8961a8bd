"""request_weight follows the reference's weight tables, and the local exchange charges the same."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

import binance_ws as bw
from binance_ws import Client
from binance_ws._spec import METHODS
from binance_ws._weights import request_weight
from binance_ws.exchange import LocalExchange
from binance_ws.exchange.services.ratelimit import weight_of
from tools import reference

SYMBOLS = [f"S{i}USDT" for i in range(120)]

# (method, wire params, weight), read off the reference's tables and rules by hand.
CASES: list[tuple[str, dict[str, Any], int]] = [
    ("depth", {"symbol": "BTCUSDT"}, 5),  # the default limit is 100
    ("depth", {"symbol": "BTCUSDT", "limit": 1}, 5),
    ("depth", {"symbol": "BTCUSDT", "limit": 100}, 5),
    ("depth", {"symbol": "BTCUSDT", "limit": 101}, 25),
    ("depth", {"symbol": "BTCUSDT", "limit": 500}, 25),
    ("depth", {"symbol": "BTCUSDT", "limit": 501}, 50),
    ("depth", {"symbol": "BTCUSDT", "limit": 1000}, 50),
    ("depth", {"symbol": "BTCUSDT", "limit": 1001}, 250),
    ("depth", {"symbol": "BTCUSDT", "limit": 5000}, 250),
    ("executionRules", {"symbol": "BTCUSDT"}, 2),
    ("executionRules", {"symbols": SYMBOLS[:3]}, 6),
    ("executionRules", {"symbols": SYMBOLS[:20]}, 40),
    ("executionRules", {"symbols": SYMBOLS[:21]}, 40),  # capped
    ("executionRules", {"symbolStatus": "TRADING"}, 40),
    ("executionRules", {}, 40),
    ("ticker.24hr", {"symbol": "BTCUSDT"}, 2),
    ("ticker.24hr", {"symbols": SYMBOLS[:20]}, 2),
    ("ticker.24hr", {"symbols": SYMBOLS[:21]}, 40),
    ("ticker.24hr", {"symbols": SYMBOLS[:100]}, 40),
    ("ticker.24hr", {"symbols": SYMBOLS[:101]}, 80),
    ("ticker.24hr", {}, 80),  # all symbols
    ("ticker.tradingDay", {"symbol": "BTCUSDT"}, 4),
    ("ticker.tradingDay", {"symbols": SYMBOLS[:50]}, 200),
    ("ticker.tradingDay", {"symbols": SYMBOLS[:10]}, 40),
    ("ticker.tradingDay", {"symbols": SYMBOLS[:51]}, 200),
    ("ticker", {"symbol": "BTCUSDT"}, 4),
    ("ticker", {"symbols": SYMBOLS[:2]}, 8),
    ("ticker", {"symbols": SYMBOLS[:50]}, 200),
    ("ticker", {"symbols": SYMBOLS[:51]}, 200),
    ("ticker", {"symbols": SYMBOLS[:100]}, 200),
    ("ticker.price", {"symbol": "BTCUSDT"}, 2),
    ("ticker.price", {"symbols": SYMBOLS[:2]}, 4),
    ("ticker.price", {}, 4),
    ("ticker.book", {"symbol": "BTCUSDT"}, 2),
    ("ticker.book", {"symbols": SYMBOLS[:2]}, 4),
    ("ticker.book", {}, 4),
    ("order.test", {"symbol": "BTCUSDT"}, 1),
    ("order.test", {"symbol": "BTCUSDT", "computeCommissionRates": True}, 20),
    ("order.test", {"symbol": "BTCUSDT", "computeCommissionRates": False}, 1),
    ("sor.order.test", {"symbol": "BTCUSDT"}, 1),
    ("sor.order.test", {"symbol": "BTCUSDT", "computeCommissionRates": True}, 20),
    ("openOrders.status", {"symbol": "BTCUSDT"}, 6),
    ("openOrders.status", {}, 80),
    ("myTrades", {"symbol": "BTCUSDT"}, 20),
    ("myTrades", {"symbol": "BTCUSDT", "orderId": 1}, 5),
    ("myPreventedMatches", {"symbol": "BTCUSDT", "preventedMatchId": 1}, 2),
    ("myPreventedMatches", {"symbol": "BTCUSDT", "orderId": 1}, 20),
    ("myPreventedMatches", {"symbol": "BTCUSDT", "orderId": 1, "preventedMatchId": 1}, 2),
    ("myPreventedMatches", {"symbol": "NOPE"}, 2),
]
# What the JSON text of ``symbols`` (as some clients send it) and text-encoded ints cost.
TEXT_CASES: list[tuple[str, dict[str, Any], int]] = [
    ("ticker", {"symbols": '["BTCUSDT","ETHUSDT","BNBUSDT"]'}, 12),
    ("depth", {"symbol": "BTCUSDT", "limit": "1000"}, 50),
]


def test_every_varying_method_has_cases() -> None:
    varying = {m["method"] for m in reference.methods() if not isinstance(m["weight"], int)}
    assert varying == {method for method, _params, _weight in CASES}
    assert len(varying) == 12


@pytest.mark.parametrize(("method", "params", "weight"), CASES + TEXT_CASES)
def test_request_weight_follows_the_reference(method: str, params: dict[str, Any], weight: int) -> None:
    got = request_weight(method, params)
    assert type(got) is int and got == weight
    assert request_weight(METHODS[method], params) == weight
    assert request_weight(f"v3/{method}", params) == weight
    assert weight_of(method, params) == weight  # the exchange's name for the same function


def test_fixed_weights_and_weight_on_success_come_from_the_reference() -> None:
    for record in reference.methods():
        spec = METHODS[record["method"]]
        assert spec.weight_on_success == record.get("weight_on_success")
        if isinstance(record["weight"], int):
            assert spec.weight_rule is None
            assert request_weight(spec, {}) == record["weight"]
        else:
            assert spec.weight is None and spec.weight_rule is not None
    assert METHODS["order.place"].weight_on_success == 0
    assert METHODS["orderList.place.oco"].weight_on_success == 0
    assert METHODS["order.amend.keepPriority"].weight_on_success is None  # see its weight_note
    assert request_weight("no.such.method", {}) == 1


@pytest.fixture(scope="module")
def wire() -> Iterator[tuple[LocalExchange, Client]]:
    # A clock 1 s into a minute: the counts below never cross a minute boundary.
    shift = (time.time() // 60 + 1) * 60 + 1.0 - time.time()

    def clock() -> int:
        return int((time.time() + shift) * 1000)

    with (
        LocalExchange(book_levels=20, limits_clock=clock, weight_limit=10**6) as ex,
        Client(ex.url, timeout=5, rate_limit=None) as client,
    ):
        yield ex, client


def _count(client: Client, method: str, params: dict[str, Any]) -> int:
    try:
        client.request(method, params)
        limits = client.last_rate_limits
    except bw.APIError as exc:  # unsigned or invalid: charged all the same
        limits = exc.rate_limits
    weight = [limit for limit in limits if str(limit.type) == "REQUEST_WEIGHT"]
    assert weight and weight[0].count is not None
    return weight[0].count


@pytest.mark.parametrize(("method", "params", "weight"), CASES + TEXT_CASES)
def test_the_exchange_charges_request_weight(
    wire: tuple[LocalExchange, Client], method: str, params: dict[str, Any], weight: int
) -> None:
    _ex, client = wire
    before = _count(client, "ping", {})
    assert _count(client, method, params) - before == weight


def test_the_precomputed_fixed_weights_agree_with_request_weight() -> None:
    from binance_ws._spec import METHODS
    from binance_ws._weights import failure_weight_refund

    for wire, spec in METHODS.items():
        if spec.fixed_weight is None:
            assert spec.weight_rule is not None, wire
            continue
        assert spec.fixed_weight == request_weight(spec, {}), wire
        assert spec.fixed_refund == failure_weight_refund(spec, spec.fixed_weight), wire
