"""Order scenarios on the local exchange, with the exact balances they must leave behind.

Each test gets a fresh exchange (thin books, known balances) and trades as the demo account
through real signed requests. A second account trades through the engine's participant API
(``ex.engine.place``) to be the other side of a fill. Expected balances are computed from
the prices the book showed before the order, commission included (see ``exchange_helpers``).
Stops and order lists are in ``test_exchange_order_lists.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from exchange_helpers import USDT0, ZERO, D, Demo, fee, lim, make_exchange, other, read_events, user_data

from binance_ws import Client
from binance_ws.exchange import LocalExchange

MISSING_PRICE = "Mandatory parameter 'price' was not sent, was empty/null, or malformed."
BAD_DECIMAL = (
    "Illegal characters found in parameter 'price'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."
)


@pytest.fixture
def ex() -> Iterator[LocalExchange]:
    with make_exchange() as exchange:
        yield exchange


@pytest.fixture
def demo(ex: LocalExchange) -> Iterator[Demo]:
    with Client(ex.url, timeout=5) as client:
        yield Demo(ex, client)


# -- market orders ---------------------------------------------------------------------------


def test_market_buy_pays_the_best_ask_and_commission_in_base(demo: Demo) -> None:
    _, asks = demo.book()
    price, available = asks[0]
    assert available >= D("0.001")
    placed = demo.order(side="BUY", type="MARKET", quantity="0.001")
    assert placed["status"] == "FILLED"
    assert placed["fills"] == [
        {
            "price": f"{price:.8f}",
            "qty": "0.00100000",
            "commission": f"{fee(D('0.001')):.8f}",
            "commissionAsset": "BTC",
            "tradeId": placed["fills"][0]["tradeId"],
        }
    ]
    assert D(placed["cummulativeQuoteQty"]) == price * D("0.001")
    balances = demo.balances()
    assert balances["USDT"] == (USDT0 - price * D("0.001"), ZERO)
    assert balances["BTC"] == (D(1) + D("0.001") - fee(D("0.001")), ZERO)


def test_market_sell_pays_commission_in_quote(demo: Demo) -> None:
    bids, _ = demo.book()
    price = bids[0][0]
    placed = demo.order(side="SELL", type="MARKET", quantity="0.001")
    quote = price * D("0.001")
    assert placed["fills"][0]["commission"] == f"{fee(quote):.8f}"
    assert placed["fills"][0]["commissionAsset"] == "USDT"
    assert demo.free("USDT") == USDT0 + quote - fee(quote)
    assert demo.free("BTC") == D("0.999")


def test_market_buy_walks_price_levels(demo: Demo) -> None:
    _, asks = demo.book()
    (p1, q1), (p2, _) = asks[0], asks[1]
    qty = q1 + D("0.002")
    placed = demo.order(side="BUY", type="MARKET", quantity=str(qty))
    assert [(D(f["price"]), D(f["qty"])) for f in placed["fills"]] == [(p1, q1), (p2, D("0.002"))]
    cost = p1 * q1 + p2 * D("0.002")
    assert D(placed["cummulativeQuoteQty"]) == cost
    commission = fee(q1) + fee(D("0.002"))
    assert demo.balances()["BTC"] == (D(1) + qty - commission, ZERO)
    assert demo.free("USDT") == USDT0 - cost
    _, after = demo.book()
    assert after[0] == (p2, asks[1][1] - D("0.002"))


def test_market_buy_by_quote_order_qty(demo: Demo) -> None:
    _, asks = demo.book()
    price, available = asks[0]
    qty = (D(100) / price).quantize(D("0.00001"), rounding="ROUND_DOWN")
    assert available >= qty
    placed = demo.order(side="BUY", type="MARKET", quoteOrderQty="100")
    assert D(placed["origQty"]) == D(placed["executedQty"]) == qty
    assert placed["origQuoteOrderQty"] == "100.00000000"
    assert demo.balances()["USDT"] == (USDT0 - price * qty, ZERO)
    assert demo.free("BTC") == D(1) + qty - fee(qty)


# -- limit orders ----------------------------------------------------------------------------


def test_resting_limit_locks_funds_and_cancel_gives_them_back(demo: Demo) -> None:
    placed = demo.limit("BUY", "59000", "0.01")
    assert placed["status"] == "NEW" and placed["fills"] == []
    assert demo.balances()["USDT"] == (USDT0 - D(590), D(590))
    canceled = demo.call("order.cancel", symbol="BTCUSDT", orderId=placed["orderId"])
    assert canceled["status"] == "CANCELED"
    assert canceled["origClientOrderId"] == placed["clientOrderId"]
    assert demo.balances()["USDT"] == (USDT0, ZERO)
    assert demo.refused("order.cancel", symbol="BTCUSDT", orderId=placed["orderId"]).code == -2011


def test_resting_order_fills_as_maker(ex: LocalExchange, demo: Demo) -> None:
    placed = demo.limit("SELL", "60000.00", "0.002")
    assert demo.balances()["BTC"] == (D("0.998"), D("0.002"))
    taken = other(ex, side="BUY", type="MARKET", quantity="0.001")
    assert taken["fills"][0]["price"] == "60000.00000000"
    quote = D("60.00000")
    state = demo.status(placed["orderId"])
    assert (state["status"], state["executedQty"]) == ("PARTIALLY_FILLED", "0.00100000")
    balances = demo.balances()
    assert balances["BTC"] == (D("0.998"), D("0.001"))
    assert balances["USDT"] == (USDT0 + quote - fee(quote), ZERO)
    trades = demo.call("myTrades", symbol="BTCUSDT", orderId=placed["orderId"])
    assert [(t["isMaker"], t["isBuyer"], t["qty"]) for t in trades] == [(True, False, "0.00100000")]


def test_marketable_limit_takes_at_better_prices_and_frees_the_difference(demo: Demo) -> None:
    _, asks = demo.book()
    price = asks[0][0]
    placed = demo.limit("BUY", "60010", "0.001")
    assert placed["status"] == "FILLED" and placed["fills"][0]["price"] == f"{price:.8f}"
    assert demo.balances()["USDT"] == (USDT0 - price * D("0.001"), ZERO)


def test_ioc_expires_the_rest_and_fok_all_or_nothing(demo: Demo) -> None:
    _, asks = demo.book()
    p1, q1 = asks[0]
    ioc = demo.order(side="BUY", type="LIMIT", timeInForce="IOC", price=str(p1), quantity=str(q1 + D("0.01")))
    assert (ioc["status"], D(ioc["executedQty"])) == ("EXPIRED", q1)
    assert ioc["expiryReason"] == "UNFILLED_IOC_QUANTITY_EXPIRED"
    _, asks = demo.book()
    p1, q1 = asks[0]
    fok = demo.order(side="BUY", type="LIMIT", timeInForce="FOK", price=str(p1), quantity=str(q1 + D("0.01")))
    assert (fok["status"], fok["executedQty"], fok["fills"]) == ("EXPIRED", "0.00000000", [])
    assert demo.balances()["USDT"][1] == 0


def test_limit_maker_that_would_take_is_rejected(demo: Demo) -> None:
    error = demo.refused(
        "order.place", symbol="BTCUSDT", side="BUY", type="LIMIT_MAKER", price="60001", quantity="0.001"
    )
    assert (error.status, error.code, error.msg) == (400, -2010, "Order would immediately match and take.")
    rested = demo.order(
        side="BUY", type="LIMIT_MAKER", price="59990", quantity="0.001", newOrderRespType="RESULT"
    )
    assert rested["status"] == "NEW"


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        (lim("59000", "2"), -2010, "Account has insufficient balance for requested action."),
        (lim("59000.001"), -1013, "Filter failure: PRICE_FILTER"),
        (lim("59000", "0.000001"), -1013, "Filter failure: LOT_SIZE"),
        (lim("59000", "0.00005"), -1013, "Filter failure: NOTIONAL"),
        (lim("1000", "0.01"), -1013, "Filter failure: PERCENT_PRICE_BY_SIDE"),
        (lim("59000", strategyType=5), -1134, "strategyType was less than 1000000."),
        ({"type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001"}, -1102, MISSING_PRICE),
        (
            {"type": "MARKET", "price": "60000", "quantity": "0.001"},
            -1106,
            "Parameter 'price' sent when not required.",
        ),
        (
            {"type": "MARKET"},
            -1102,
            "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
        ),
        (lim("6e4"), -1100, BAD_DECIMAL),
        (
            {"type": "STOP_LOSS", "stopPrice": "59000", "quantity": "0.001"},
            -2010,
            "Order would trigger immediately.",
        ),
        ({"type": "NOPE", "quantity": "0.001"}, -1116, "Invalid orderType."),
    ],
)
def test_rejections_use_binance_codes(demo: Demo, params: dict[str, Any], code: int, msg: str) -> None:
    error = demo.refused("order.place", symbol="BTCUSDT", side="BUY", **params)
    assert (error.status, error.code, error.msg) == (400, code, msg)
    assert demo.balances()["USDT"] == (USDT0, ZERO)


def test_unknown_symbol_order_and_duplicate_client_id(demo: Demo) -> None:
    assert demo.refused("order.place", symbol="NOPE", side="BUY", type="MARKET", quantity="1").code == -1121
    error = demo.refused("order.status", symbol="BTCUSDT", orderId=424242)
    assert (error.code, error.msg) == (-2013, "Order does not exist.")
    demo.limit("BUY", "59000", "0.001", newClientOrderId="mine")
    error = demo.refused(
        "order.place",
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        price="59000",
        quantity="0.001",
        newClientOrderId="mine",
    )
    assert (error.code, error.msg) == (-2010, "Duplicate order sent.")
    assert demo.call("order.status", symbol="BTCUSDT", origClientOrderId="mine")["status"] == "NEW"


def test_response_types(demo: Demo) -> None:
    ack = demo.order(side="BUY", type="MARKET", quantity="0.001", newOrderRespType="ACK")
    assert set(ack) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
    result = demo.order(side="BUY", type="MARKET", quantity="0.001", newOrderRespType="RESULT")
    assert "fills" not in result and result["status"] == "FILLED"
    stop = demo.order(side="SELL", type="STOP_LOSS", stopPrice="59000", quantity="0.001")
    assert "status" not in stop  # non-LIMIT/MARKET orders answer ACK by default


# -- changing orders -------------------------------------------------------------------------


def test_cancel_replace_outcomes(demo: Demo) -> None:
    old = demo.limit("BUY", "59000", "0.001")
    new_order = {"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "price": "59100", "quantity": "0.002"}
    both = demo.call(
        "order.cancelReplace",
        symbol="BTCUSDT",
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=old["orderId"],
        **new_order,
    )
    assert (both["cancelResult"], both["newOrderResult"]) == ("SUCCESS", "SUCCESS")
    assert demo.balances()["USDT"] == (USDT0 - D("118.2"), D("118.2"))
    failed = demo.refused(
        "order.cancelReplace",
        symbol="BTCUSDT",
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=old["orderId"],
        **new_order,
    )
    assert (failed.status, failed.code) == (400, -2022)
    assert failed.data == {
        "cancelResult": "FAILURE",
        "newOrderResult": "NOT_ATTEMPTED",
        "cancelResponse": {"code": -2011, "msg": "Unknown order sent."},
        "newOrderResponse": None,
    }
    current = both["newOrderResponse"]["orderId"]
    partial = demo.refused(
        "order.cancelReplace",
        symbol="BTCUSDT",
        cancelReplaceMode="ALLOW_FAILURE",
        cancelOrderId=current,
        side="BUY",
        type="LIMIT_MAKER",
        price="60010",
        quantity="0.001",
    )
    assert (partial.status, partial.code, partial.msg) == (
        409,
        -2021,
        "Order cancel-replace partially failed.",
    )
    assert partial.data is not None
    assert partial.data["cancelResponse"]["status"] == "CANCELED"
    assert partial.data["newOrderResponse"] == {
        "code": -2010,
        "msg": "Order would immediately match and take.",
    }
    assert demo.balances()["USDT"] == (USDT0, ZERO)


def test_amend_keep_priority_reduces_quantity_and_lock(demo: Demo) -> None:
    placed = demo.limit("BUY", "59000", "0.003")
    amended = demo.call(
        "order.amend.keepPriority", symbol="BTCUSDT", orderId=placed["orderId"], newQty="0.001"
    )
    assert amended["amendedOrder"]["qty"] == "0.00100000"
    assert demo.balances()["USDT"] == (USDT0 - D(59), D(59))
    history = demo.call("order.amendments", symbol="BTCUSDT", orderId=placed["orderId"])
    assert [(h["origQty"], h["newQty"]) for h in history] == [("0.00300000", "0.00100000")]
    error = demo.refused(
        "order.amend.keepPriority", symbol="BTCUSDT", orderId=placed["orderId"], newQty="0.002"
    )
    assert (error.code, error.msg) == (-2038, "Order amend (quantity increase) is not supported.")


def test_cancel_all_open_orders(demo: Demo) -> None:
    demo.limit("BUY", "59000", "0.001")
    demo.limit("SELL", "61000", "0.001")
    demo.oco("60100", "59000")
    answer = demo.call("openOrders.cancelAll", symbol="BTCUSDT")
    assert len(answer) == 3 and "orderReports" in answer[2]
    assert demo.call("openOrders.status", symbol="BTCUSDT") == []
    assert demo.balances()["USDT"] == (USDT0, ZERO) and demo.balances()["BTC"] == (D(1), ZERO)
    assert demo.refused("openOrders.cancelAll", symbol="BTCUSDT").code == -2011


def test_self_trade_prevention_expires_the_maker(demo: Demo) -> None:
    maker = demo.limit("SELL", "60000.00", "0.001")
    taker = demo.limit("BUY", "60000.00", "0.001")
    assert taker["status"] == "NEW"
    state = demo.status(maker["orderId"])
    assert (state["status"], state["preventedQuantity"]) == ("EXPIRED_IN_MATCH", "0.00100000")
    matches = demo.call("myPreventedMatches", symbol="BTCUSDT", orderId=maker["orderId"])
    assert matches[0]["makerOrderId"] == maker["orderId"] and matches[0]["takerOrderId"] == taker["orderId"]


def test_order_test_and_sor(demo: Demo) -> None:
    rates = demo.call(
        "order.test",
        symbol="BTCUSDT",
        side="BUY",
        type="MARKET",
        quantity="0.001",
        computeCommissionRates=True,
    )
    assert rates["standardCommissionForOrder"] == {"maker": "0.00100000", "taker": "0.00100000"}
    assert demo.call("order.test", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001") == {}
    assert demo.balances()["USDT"] == (USDT0, ZERO)
    (sor,) = demo.call("sor.order.place", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
    assert (sor["workingFloor"], sor["usedSor"], sor["fills"][0]["tradeId"]) == ("SOR", True, -1)
    allocations = demo.call("myAllocations", symbol="BTCUSDT")
    assert [a["orderId"] for a in allocations] == [sor["orderId"]]
    assert demo.free("BTC") == D(1) + D("0.001") - fee(D("0.001"))


def test_queries_follow_the_orders(demo: Demo) -> None:
    first = demo.order(side="BUY", type="MARKET", quantity="0.001")
    second = demo.limit("BUY", "59000", "0.001")
    assert [o["orderId"] for o in demo.call("allOrders", symbol="BTCUSDT")] == [
        first["orderId"],
        second["orderId"],
    ]
    assert [o["orderId"] for o in demo.call("openOrders.status")] == [second["orderId"]]
    assert [t["orderId"] for t in demo.call("myTrades", symbol="BTCUSDT")] == [first["orderId"]]
    status = demo.call("account.status", omitZeroBalances=True)
    assert status["commissionRates"]["taker"] == "0.00100000" and status["takerCommission"] == 10
    limits = demo.call("account.rateLimits.orders")
    assert {entry["rateLimitType"] for entry in limits} == {"ORDERS"}


# -- user data events ------------------------------------------------------------------------


def test_user_data_events_follow_binance_order(ex: LocalExchange, demo: Demo) -> None:
    with user_data(ex) as (ws, subscription):
        _, asks = demo.book()
        placed = demo.limit("BUY", str(asks[0][0]), str(asks[0][1] + D("0.001")))
        frames = read_events(ws, 3)
    assert all(f["subscriptionId"] == subscription and set(f) == {"subscriptionId", "event"} for f in frames)
    new, trade, position = (f["event"] for f in frames)
    assert (new["e"], new["x"], new["X"], new["i"]) == ("executionReport", "NEW", "NEW", placed["orderId"])
    assert (trade["x"], trade["X"], trade["l"], trade["L"]) == (
        "TRADE",
        "PARTIALLY_FILLED",
        f"{asks[0][1]:.8f}",
        f"{asks[0][0]:.8f}",
    )
    assert (trade["N"], trade["n"], trade["m"]) == ("BTC", f"{fee(asks[0][1]):.8f}", False)
    assert position["e"] == "outboundAccountPosition"
    balances = demo.balances()
    assert {b["a"]: (D(b["f"]), D(b["l"])) for b in position["B"]} == {
        "BTC": balances["BTC"],
        "USDT": balances["USDT"],
    }
