"""Stop orders and order lists on the local exchange, with the balances they leave behind.

Stops trigger on the exchange's own trades; OCO legs share one lock until a leg works;
OTO/OTOCO/OPO pending orders go live once their working order has filled.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from exchange_helpers import USDT0, ZERO, D, Demo, fee, make_exchange, other, read_events, user_data

from binance_ws import Client
from binance_ws.exchange import LocalExchange


@pytest.fixture
def ex() -> Iterator[LocalExchange]:
    with make_exchange() as exchange:
        yield exchange


@pytest.fixture
def demo(ex: LocalExchange) -> Iterator[Demo]:
    with Client(ex.url, timeout=5) as client:
        yield Demo(ex, client)


# -- stops and order lists -------------------------------------------------------------------


def test_stop_loss_triggers_when_trades_reach_its_price(ex: LocalExchange, demo: Demo) -> None:
    bids, _ = demo.book()
    stop = demo.order(side="SELL", type="STOP_LOSS", stopPrice=str(bids[2][0]), quantity="0.001")
    assert demo.balances()["BTC"] == (D("0.999"), D("0.001"))
    assert demo.status(stop["orderId"])["workingTime"] == -1
    # The other account sells through the first three bid levels: the last trade hits the stop.
    other(ex, side="SELL", type="MARKET", quantity=str(bids[0][1] + bids[1][1] + bids[2][1]))
    state = demo.status(stop["orderId"])
    assert state["status"] == "FILLED" and state["workingTime"] != -1
    price = bids[3][0]  # what is left of the book after the sweep
    quote = price * D("0.001")
    assert D(state["cummulativeQuoteQty"]) == quote
    assert demo.balances()["BTC"] == (D("0.999"), ZERO)
    assert demo.free("USDT") == USDT0 + quote - fee(quote)


def test_take_profit_limit_triggers_and_rests(ex: LocalExchange, demo: Demo) -> None:
    _, asks = demo.book()
    order = demo.order(
        side="SELL",
        type="TAKE_PROFIT_LIMIT",
        stopPrice=str(asks[1][0]),
        price="60500",
        timeInForce="GTC",
        quantity="0.001",
    )
    other(ex, side="BUY", type="MARKET", quantity=str(asks[0][1] + asks[1][1]))
    state = demo.status(order["orderId"])
    assert (state["status"], state["isWorking"]) == ("NEW", True)
    _, asks = demo.book()
    assert (D("60500"), D("0.001")) not in asks[:3]  # rests deeper in the book


def test_oco_limit_leg_fills_and_stop_leg_expires(ex: LocalExchange, demo: Demo) -> None:
    placed = demo.oco("60000.00", "59000")
    stop_id, limit_id = (o["orderId"] for o in placed["orders"])
    assert demo.balances()["BTC"] == (D("0.999"), D("0.001"))
    other(ex, side="BUY", type="MARKET", quantity="0.001")
    assert demo.status(limit_id)["status"] == "FILLED"
    stop = demo.status(stop_id)
    assert (stop["status"], stop.get("expiryReason")) == ("EXPIRED", "OCO_TRIGGER")
    listed = demo.call("orderList.status", orderListId=placed["orderListId"])
    assert (listed["listStatusType"], listed["listOrderStatus"]) == ("ALL_DONE", "ALL_DONE")
    quote = D("60")
    assert demo.balances()["BTC"] == (D("0.999"), ZERO)
    assert demo.free("USDT") == USDT0 + quote - fee(quote)
    assert demo.call("openOrderLists.status") == []


def test_oco_stop_leg_triggers_and_limit_leg_expires(ex: LocalExchange, demo: Demo) -> None:
    bids, _ = demo.book()
    placed = demo.oco("60100", str(bids[1][0]))
    stop_id, limit_id = (o["orderId"] for o in placed["orders"])
    other(ex, side="SELL", type="MARKET", quantity=str(bids[0][1] + bids[1][1]))
    assert demo.status(stop_id)["status"] == "FILLED"
    assert demo.status(limit_id)["status"] == "EXPIRED"
    quote = bids[2][0] * D("0.001")
    assert demo.balances()["BTC"] == (D("0.999"), ZERO)
    assert demo.free("USDT") == USDT0 + quote - fee(quote)


def test_oco_price_rules(demo: Demo) -> None:
    error = demo.refused(
        "orderList.place.oco",
        symbol="BTCUSDT",
        side="SELL",
        quantity="0.001",
        aboveType="STOP_LOSS",
        aboveStopPrice="61000",
        belowType="STOP_LOSS",
        belowStopPrice="59000",
    )
    assert (error.code, error.msg) == (-1197, "A stop loss order in a sell OCO must be below.")
    error = demo.refused(
        "orderList.place.oco",
        symbol="BTCUSDT",
        side="SELL",
        quantity="0.001",
        aboveType="LIMIT_MAKER",
        abovePrice="59000",
        belowType="STOP_LOSS",
        belowStopPrice="58000",
    )
    assert (error.code, error.msg) == (-2010, "The relationship of the prices for the orders is not correct.")


def test_oto_places_the_pending_order_once_the_working_order_fills(ex: LocalExchange, demo: Demo) -> None:
    placed = demo.call(
        "orderList.place.oto",
        symbol="BTCUSDT",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="60000.00",
        workingQuantity="0.002",
        workingTimeInForce="GTC",
        pendingType="LIMIT_MAKER",
        pendingSide="SELL",
        pendingPrice="60100",
        pendingQuantity="0.001",
    )
    working_id, pending_id = (o["orderId"] for o in placed["orders"])
    assert placed["orderReports"][1]["status"] == "PENDING_NEW"
    assert demo.balances()["USDT"] == (USDT0 - D(120), D(120))
    other(ex, side="SELL", type="MARKET", quantity="0.002")
    assert demo.status(working_id)["status"] == "FILLED"
    pending = demo.status(pending_id)
    assert (pending["status"], pending["isWorking"]) == ("NEW", True)
    balances = demo.balances()
    assert balances["USDT"] == (USDT0 - D(120), ZERO)
    assert balances["BTC"] == (D(1) + D("0.002") - fee(D("0.002")) - D("0.001"), D("0.001"))


def test_otoco_pending_pair_works_as_an_oco(ex: LocalExchange, demo: Demo) -> None:
    placed = demo.call(
        "orderList.place.otoco",
        symbol="BTCUSDT",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="60000.00",
        workingQuantity="0.001",
        workingTimeInForce="GTC",
        pendingSide="SELL",
        pendingQuantity="0.001",
        pendingAboveType="LIMIT_MAKER",
        pendingAbovePrice="60000.03",
        pendingBelowType="STOP_LOSS",
        pendingBelowStopPrice="59000",
    )
    working, stop, limit = (o["orderId"] for o in placed["orders"])
    other(ex, side="SELL", type="MARKET", quantity="0.001")
    assert [demo.status(i)["status"] for i in (working, stop, limit)] == ["FILLED", "NEW", "NEW"]
    assert demo.balances()["BTC"][1] == D("0.001")
    _, asks = demo.book()
    sweep = sum((q for p, q in asks if p <= D("60000.03")), D(0))
    other(ex, side="BUY", type="MARKET", quantity=str(sweep))
    assert [demo.status(i)["status"] for i in (stop, limit)] == ["EXPIRED", "FILLED"]
    assert demo.call("openOrderLists.status") == []


def test_opo_sizes_the_pending_order_from_what_the_working_order_received(
    ex: LocalExchange, demo: Demo
) -> None:
    placed = demo.call(
        "orderList.place.opo",
        symbol="BTCUSDT",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="60000.00",
        workingQuantity="0.002",
        workingTimeInForce="GTC",
        pendingType="LIMIT_MAKER",
        pendingSide="SELL",
        pendingPrice="60100",
    )
    assert "origQty" not in placed["orderReports"][1]
    other(ex, side="SELL", type="MARKET", quantity="0.002")
    pending = demo.status(placed["orders"][1]["orderId"])
    received = D("0.002") - fee(D("0.002"))
    assert D(pending["origQty"]) == received.quantize(D("0.00001"), rounding="ROUND_DOWN")


def test_cancel_a_leg_cancels_the_list(demo: Demo) -> None:
    placed = demo.oco("60100", "59000")
    answer = demo.call("order.cancel", symbol="BTCUSDT", orderId=placed["orders"][1]["orderId"])
    assert answer["listOrderStatus"] == "ALL_DONE"
    assert [r["status"] for r in answer["orderReports"]] == ["CANCELED", "CANCELED"]
    assert demo.balances()["BTC"] == (D(1), ZERO)


def test_list_events_come_after_the_orders_events(ex: LocalExchange, demo: Demo) -> None:
    with user_data(ex) as (ws, _):
        placed = demo.oco("60000.00", "59000")
        other(ex, side="BUY", type="MARKET", quantity="0.001")
        events = [f["event"] for f in read_events(ws, 8)]
    stop_id, limit_id = (o["orderId"] for o in placed["orders"])
    assert [(e["e"], e.get("i"), e.get("x") or e.get("l")) for e in events] == [
        ("executionReport", stop_id, "NEW"),
        ("executionReport", limit_id, "NEW"),
        ("listStatus", None, "EXEC_STARTED"),
        ("outboundAccountPosition", None, None),
        ("executionReport", stop_id, "EXPIRED"),
        ("executionReport", limit_id, "TRADE"),
        ("listStatus", None, "ALL_DONE"),
        ("outboundAccountPosition", None, None),
    ]
    assert events[2]["O"] == [
        {"s": "BTCUSDT", "i": i, "c": o["clientOrderId"]}
        for i, o in zip((stop_id, limit_id), placed["orders"], strict=True)
    ]
    assert events[4]["eR"] == "OCO_TRIGGER" and events[5]["m"] is True
