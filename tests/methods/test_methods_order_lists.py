"""The typed order-list methods: OCO, OTO, OTOCO, OPO, OPOCO, cancel, and the deprecated OCO.

Requests are checked on the local exchange, results against a scripted loopback server that
answers with the documented examples (see ``methods_support``).
"""

from __future__ import annotations

import pytest
from methods_support import (
    REQUEST_BUGS,
    Case,
    ScriptedServer,
    case_id,
    check_request,
    check_result,
    example,
    without_auth,
)

from binance_ws import APIError, Client, structure
from binance_ws.enums import ContingencyType, OrderStatus, OrderType
from binance_ws.exchange import LocalExchange
from binance_ws.models import OrderList

CASES = [
    Case(
        "order_list_place_oco",
        {
            "symbol": "LTCBNB",
            "side": "BUY",
            "quantity": "1",
            "above_type": "STOP_LOSS_LIMIT",
            "above_price": "1.5",
            "above_stop_price": "1.50000001",
            "above_time_in_force": "GTC",
            "above_iceberg_qty": 1,
            "below_type": OrderType.LIMIT_MAKER,
            "below_price": "1.49999999",
            "new_order_resp_type": "RESULT",
        },
        "orderList.place.oco",
        {
            "symbol": "LTCBNB",
            "side": "BUY",
            "quantity": "1",
            "aboveType": "STOP_LOSS_LIMIT",
            "abovePrice": "1.5",
            "aboveStopPrice": "1.50000001",
            "aboveTimeInForce": "GTC",
            "aboveIcebergQty": 1,
            "belowType": "LIMIT_MAKER",
            "belowPrice": "1.49999999",
            "newOrderRespType": "RESULT",
        },
        example("orderList.place.oco"),
        OrderList,
    ),
    Case(
        "order_list_place_oto",
        {
            "symbol": "LTCBNB",
            "working_type": "LIMIT",
            "working_side": "SELL",
            "working_price": "1",
            "working_quantity": "1",
            "working_time_in_force": "GTC",
            "pending_type": "MARKET",
            "pending_side": "BUY",
            "pending_quantity": "1",
        },
        "orderList.place.oto",
        {
            "symbol": "LTCBNB",
            "workingType": "LIMIT",
            "workingSide": "SELL",
            "workingPrice": "1",
            "workingQuantity": "1",
            "workingTimeInForce": "GTC",
            "pendingType": "MARKET",
            "pendingSide": "BUY",
            "pendingQuantity": "1",
        },
        example("orderList.place.oto"),
        OrderList,
    ),
    Case(
        "order_list_place_otoco",
        {
            "symbol": "LTCBNB",
            "working_type": "LIMIT",
            "working_side": "BUY",
            "working_price": "1.5",
            "working_quantity": "1",
            "working_time_in_force": "GTC",
            "pending_side": "SELL",
            "pending_quantity": "5",
            "pending_above_type": "LIMIT_MAKER",
            "pending_above_price": "5",
            "pending_below_type": "STOP_LOSS",
            "pending_below_stop_price": "0.5",
            "pending_below_trailing_delta": 10,
        },
        "orderList.place.otoco",
        {
            "symbol": "LTCBNB",
            "workingType": "LIMIT",
            "workingSide": "BUY",
            "workingPrice": "1.5",
            "workingQuantity": "1",
            "workingTimeInForce": "GTC",
            "pendingSide": "SELL",
            "pendingQuantity": "5",
            "pendingAboveType": "LIMIT_MAKER",
            "pendingAbovePrice": "5",
            "pendingBelowType": "STOP_LOSS",
            "pendingBelowStopPrice": "0.5",
            "pendingBelowTrailingDelta": 10,
        },
        example("orderList.place.otoco"),
        OrderList,
    ),
    Case(
        "order_list_place_opo",
        {
            "symbol": "BTCUSDT",
            "working_type": "LIMIT",
            "working_side": "BUY",
            "working_price": "101496",
            "working_quantity": "0.0007",
            "working_time_in_force": "GTC",
            "pending_type": "MARKET",
            "pending_side": "SELL",
        },
        "orderList.place.opo",
        {
            "symbol": "BTCUSDT",
            "workingType": "LIMIT",
            "workingSide": "BUY",
            "workingPrice": "101496",
            "workingQuantity": "0.0007",
            "workingTimeInForce": "GTC",
            "pendingType": "MARKET",
            "pendingSide": "SELL",
        },
        example("orderList.place.opo"),
        OrderList,
    ),
    Case(
        "order_list_place_opoco",
        {
            "symbol": "BTCUSDT",
            "list_client_order_id": "my-opoco",
            "working_type": "LIMIT",
            "working_side": "BUY",
            "working_price": "102496",
            "working_quantity": "0.0017",
            "working_time_in_force": "GTC",
            "pending_side": "SELL",
            "pending_above_type": "LIMIT_MAKER",
            "pending_above_price": "104261",
            "pending_below_type": "STOP_LOSS_LIMIT",
            "pending_below_price": "101613",
            "pending_below_stop_price": "101700",
            "pending_below_time_in_force": "IOC",
        },
        "orderList.place.opoco",
        {
            "symbol": "BTCUSDT",
            "listClientOrderId": "my-opoco",
            "workingType": "LIMIT",
            "workingSide": "BUY",
            "workingPrice": "102496",
            "workingQuantity": "0.0017",
            "workingTimeInForce": "GTC",
            "pendingSide": "SELL",
            "pendingAboveType": "LIMIT_MAKER",
            "pendingAbovePrice": "104261",
            "pendingBelowType": "STOP_LOSS_LIMIT",
            "pendingBelowPrice": "101613",
            "pendingBelowStopPrice": "101700",
            "pendingBelowTimeInForce": "IOC",
        },
        example("orderList.place.opoco"),
        OrderList,
    ),
    Case(
        "order_list_cancel",
        {"symbol": "BTCUSDT", "order_list_id": 1274512},
        "orderList.cancel",
        {"symbol": "BTCUSDT", "orderListId": 1274512},
        example("orderList.cancel"),
        OrderList,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_request_reaches_the_exchange(signed_client: Client, exchange: LocalExchange, case: Case) -> None:
    check_request(signed_client, exchange, case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_result_model(scripted: ScriptedServer, scripted_client: Client, case: Case) -> None:
    check_result(scripted, scripted_client, case)


def test_order_list_values() -> None:
    oto = structure(example("orderList.place.oto"), OrderList)
    assert oto.contingency_type is ContingencyType.OTO
    assert oto.order_reports is not None
    assert [r.status for r in oto.order_reports] == [OrderStatus.NEW, OrderStatus.PENDING_NEW]
    assert oto.order_reports[1].working_datetime is None  # -1: not working yet
    assert oto.transaction_datetime is not None and oto.transaction_datetime.year == 2024


def test_deprecated_order_list_place(signed_client: Client, exchange: LocalExchange) -> None:
    with pytest.warns(DeprecationWarning, match="deprecated") as warned:
        try:
            signed_client.order_list_place(
                symbol="BTCUSDT",
                side="SELL",
                price="23420",
                quantity="0.0065",
                stop_price="23405",
                stop_limit_price="23410",
                stop_limit_time_in_force="GTC",
            )
        except APIError as exc:
            assert exc.code not in REQUEST_BUGS, exc
    assert warned[0].filename == __file__  # points at the caller, not at the SDK
    wire, params = exchange.requests[-1]
    assert wire == "orderList.place"
    assert without_auth(params) == {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "price": "23420",
        "quantity": "0.0065",
        "stopPrice": "23405",
        "stopLimitPrice": "23410",
        "stopLimitTimeInForce": "GTC",
    }
    doc = (signed_client.order_list_place.__doc__ or "").split("\n\n")
    assert "Deprecated" in doc[0] and "order_list_place_oco" in doc[0]


def test_deprecated_order_list_place_result(scripted: ScriptedServer, scripted_client: Client) -> None:
    scripted.answer = example("orderList.place")
    with pytest.warns(DeprecationWarning):
        order_list = scripted_client.order_list_place(
            symbol="BTCUSDT", side="SELL", price="23420", quantity="0.0065", trailing_delta=10
        )
    assert type(order_list) is OrderList
    assert order_list.order_reports is not None and order_list.order_reports[1].type is OrderType.LIMIT_MAKER
