"""The typed order methods: place, test, cancel, cancel-replace, amend, cancel all, SOR.

Requests are checked on the server side: the local exchange records every request before
answering it. Results are checked end to end against a scripted loopback server answering
with the documented examples, so the model the client picks at run time (ACK / RESULT / FULL,
empty or commission rates, single order or order list) is exercised for real. Order lists
are in ``test_methods_order_lists.py``, parameter checks in ``test_methods_trading_checks.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from exchange_helpers import Tagged
from methods_support import (
    Case,
    ScriptedServer,
    case_id,
    check_request,
    check_result,
    error_data,
    example,
)

from binance_ws import BadRequestError, Client, PartialSuccessError, structure, unstructure
from binance_ws.enums import (
    CancelReplaceMode,
    CancelReplaceResult,
    CancelRestrictions,
    ContingencyType,
    MatchType,
    OrderListStatus,
    OrderResponseType,
    OrderStatus,
    OrderType,
    SelfTradePreventionMode,
    Side,
    TimeInForce,
    WorkingFloor,
)
from binance_ws.exchange import LocalExchange
from binance_ws.models import (
    AmendKeepPriorityResult,
    CancelReplaceOutcome,
    CancelReport,
    Empty,
    OrderAck,
    OrderFull,
    OrderResult,
    OrderTestCommissions,
)

SELL_LIMIT: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "side": Side.SELL,
    "type": OrderType.LIMIT,
    "time_in_force": TimeInForce.GTC,
    "price": Decimal("23416.10000000"),
    "quantity": "0.00847000",
}
SELL_LIMIT_WIRE: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "side": "SELL",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "price": "23416.10000000",
    "quantity": "0.00847000",
}
PLACE = "order.place"

CASES = [
    Case(
        "order_place",
        {**SELL_LIMIT, "new_order_resp_type": OrderResponseType.ACK},
        PLACE,
        {**SELL_LIMIT_WIRE, "newOrderRespType": "ACK"},
        example(PLACE, "newOrderRespType=ACK"),
        OrderAck,
    ),
    Case(
        "order_place",
        {**SELL_LIMIT, "new_order_resp_type": "RESULT"},
        PLACE,
        {**SELL_LIMIT_WIRE, "newOrderRespType": "RESULT"},
        example(PLACE, "newOrderRespType=RESULT"),
        OrderResult,
    ),
    Case(
        "order_place",
        {**SELL_LIMIT, "new_order_resp_type": "FULL"},
        PLACE,
        {**SELL_LIMIT_WIRE, "newOrderRespType": "FULL"},
        example(PLACE, "newOrderRespType=FULL"),
        OrderFull,
    ),
    # No response type: Binance answers LIMIT and MARKET with FULL, other types with ACK.
    Case(
        "order_place", SELL_LIMIT, PLACE, SELL_LIMIT_WIRE, example(PLACE, "newOrderRespType=FULL"), OrderFull
    ),
    Case(
        "order_place",
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quote_order_qty": Decimal("100.00")},
        PLACE,
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quoteOrderQty": "100.00"},
        example(PLACE, "newOrderRespType=FULL"),
        OrderFull,
    ),
    Case(
        "order_place",
        {
            "symbol": "BTCUSDT",
            "side": "SELL",
            "type": "STOP_LOSS_LIMIT",
            "time_in_force": "GTC",
            "price": "23000.00",
            "quantity": "0.01",
            "new_client_order_id": "my-stop-1",
            "stop_price": "23100.00",
            "trailing_delta": 100,
            "iceberg_qty": "0.002",
            "strategy_id": 37463720,
            "strategy_type": 1000000,
            "self_trade_prevention_mode": SelfTradePreventionMode.EXPIRE_MAKER,
            "recv_window": 5000,
        },
        PLACE,
        {
            "symbol": "BTCUSDT",
            "side": "SELL",
            "type": "STOP_LOSS_LIMIT",
            "timeInForce": "GTC",
            "price": "23000.00",
            "quantity": "0.01",
            "newClientOrderId": "my-stop-1",
            "stopPrice": "23100.00",
            "trailingDelta": 100,
            "icebergQty": "0.002",
            "strategyId": 37463720,
            "strategyType": 1000000,
            "selfTradePreventionMode": "EXPIRE_MAKER",
            "recvWindow": 5000,
        },
        example(PLACE, "newOrderRespType=ACK"),
        OrderAck,
    ),
    Case(
        "order_place",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT_MAKER",
            "price": "60000",
            "quantity": "0.001",
            "peg_price_type": "PRIMARY_PEG",
            "peg_offset_value": 5,
            "peg_offset_type": "PRICE_LEVEL",
            "new_order_resp_type": "RESULT",
        },
        PLACE,
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT_MAKER",
            "price": "60000",
            "quantity": "0.001",
            "pegPriceType": "PRIMARY_PEG",
            "pegOffsetValue": 5,
            "pegOffsetType": "PRICE_LEVEL",
            "newOrderRespType": "RESULT",
        },
        example(PLACE, "newOrderRespType=RESULT"),
        OrderResult,
    ),
    Case(
        "order_test",
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"},
        "order.test",
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"},
        example("order.test", "without computeCommissionRates"),
        Empty,
    ),
    Case(
        "order_test",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "0.001",
            "compute_commission_rates": True,
        },
        "order.test",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "0.001",
            "computeCommissionRates": True,
        },
        example("order.test", "with computeCommissionRates"),
        OrderTestCommissions,
    ),
    Case(
        "order_cancel",
        {"symbol": "BTCUSDT", "order_id": 12569099453},
        "order.cancel",
        {"symbol": "BTCUSDT", "orderId": 12569099453},
        example("order.cancel", "single order canceled"),
        CancelReport,
    ),
    Case(
        "order_cancel",
        {
            "symbol": "BTCUSDT",
            "orig_client_order_id": "bX5wROblo6YeDwa9iTLeyY",
            "new_client_order_id": "renamed",
            "cancel_restrictions": CancelRestrictions.ONLY_NEW,
        },
        "order.cancel",
        {
            "symbol": "BTCUSDT",
            "origClientOrderId": "bX5wROblo6YeDwa9iTLeyY",
            "newClientOrderId": "renamed",
            "cancelRestrictions": "ONLY_NEW",
        },
        example("order.cancel", "order list canceled"),
        CancelReport,
    ),
    Case(
        "order_cancel_replace",
        {
            "symbol": "BTCUSDT",
            "cancel_replace_mode": CancelReplaceMode.STOP_ON_FAILURE,
            "cancel_order_id": 125690984230,
            "side": "SELL",
            "type": "LIMIT",
            "time_in_force": "GTC",
            "price": "23416.10000000",
            "quantity": "0.00847000",
            "trailing_delta": 50,
            "order_rate_limit_exceeded_mode": "CANCEL_ONLY",
        },
        "order.cancelReplace",
        {
            "symbol": "BTCUSDT",
            "cancelReplaceMode": "STOP_ON_FAILURE",
            "cancelOrderId": 125690984230,
            "side": "SELL",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "price": "23416.10000000",
            "quantity": "0.00847000",
            "trailingDelta": 50,
            "orderRateLimitExceededMode": "CANCEL_ONLY",
        },
        example("order.cancelReplace", "200: cancel and new order both succeeded"),
        CancelReplaceOutcome,
    ),
    Case(
        "order_amend_keep_priority",
        {"symbol": "BTCUSDT", "orig_client_order_id": "my_test_order1", "new_qty": "5", "recv_window": 5000},
        "order.amend.keepPriority",
        {"symbol": "BTCUSDT", "origClientOrderId": "my_test_order1", "newQty": "5", "recvWindow": 5000},
        example("order.amend.keepPriority", "order that belongs to an order list"),
        AmendKeepPriorityResult,
    ),
    Case(
        "open_orders_cancel_all",
        {"symbol": "BTCUSDT"},
        "openOrders.cancelAll",
        {"symbol": "BTCUSDT"},
        example("openOrders.cancelAll"),
        list[CancelReport],
    ),
    Case(
        "sor_order_place",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "time_in_force": "GTC",
            "price": "31000",
            "quantity": "0.5",
        },
        "sor.order.place",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "price": "31000",
            "quantity": "0.5",
        },
        example("sor.order.place"),
        list[OrderFull],
    ),
    Case(
        "sor_order_place",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "0.5",
            "new_order_resp_type": "ACK",
        },
        "sor.order.place",
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.5", "newOrderRespType": "ACK"},
        [example(PLACE, "newOrderRespType=ACK")],
        list[OrderAck],
    ),
    Case(
        "sor_order_test",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "0.5",
            "compute_commission_rates": True,
        },
        "sor.order.test",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "0.5",
            "computeCommissionRates": True,
        },
        example("sor.order.test", "with computeCommissionRates"),
        OrderTestCommissions,
    ),
    Case(
        "sor_order_test",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "0.5",
            "compute_commission_rates": False,
        },
        "sor.order.test",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "0.5",
            "computeCommissionRates": False,
        },
        example("sor.order.test", "without computeCommissionRates"),
        Empty,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_request_reaches_the_exchange(signed_client: Client, exchange: LocalExchange, case: Case) -> None:
    check_request(signed_client, exchange, case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_result_model(scripted: ScriptedServer, scripted_client: Client, case: Case) -> None:
    check_result(scripted, scripted_client, case)


def test_order_place_full_values(scripted: ScriptedServer, scripted_client: Client) -> None:
    scripted.answer = example(PLACE, "newOrderRespType=FULL")
    order = scripted_client.order_place(**SELL_LIMIT)
    assert order.order_id == 12569099453
    assert order.order_list_id == -1
    assert order.status is OrderStatus.FILLED
    assert order.executed_qty == Decimal("0.00847000")
    assert str(order.cummulative_quote_qty) == "198.33521500"
    assert order.transact_datetime is not None and order.transact_datetime.year == 2022
    assert order.fills is not None
    assert [f.trade_id for f in order.fills] == [1650422481, 1650422482]
    assert sum(f.qty for f in order.fills if f.qty is not None) == order.executed_qty
    assert order.iceberg_qty is None  # absent from this answer


def test_missing_fields_give_none(scripted: ScriptedServer, scripted_client: Client) -> None:
    # An executed order must never surface as a parse failure, whatever the server leaves out.
    scripted.answer = {"orderId": 1, "status": "SOMETHING_NEW", "fills": [{}]}
    order = scripted_client.order_place(**SELL_LIMIT)
    assert type(order) is OrderFull
    assert order.order_id == 1 and order.symbol is None and order.transact_datetime is None
    assert order.status is not None and order.status.value == "SOMETHING_NEW"
    assert order.fills is not None and order.fills[0].price is None


def test_cancel_report_shapes() -> None:
    single = structure(example("order.cancel", "single order canceled"), CancelReport)
    assert not single.is_order_list
    assert single.status is OrderStatus.CANCELED and single.orig_client_order_id == "4d96324ff9d44481926157"
    as_list = structure(example("order.cancel", "order list canceled"), CancelReport)
    assert as_list.is_order_list
    assert as_list.contingency_type is ContingencyType.OCO
    assert as_list.list_status_type is OrderListStatus.ALL_DONE
    assert as_list.order_reports is not None and len(as_list.order_reports) == 2
    assert as_list.order_reports[0].type is OrderType.STOP_LOSS_LIMIT
    mixed = structure(example("openOrders.cancelAll"), list[CancelReport])
    assert [r.is_order_list for r in mixed] == [False, True]


def test_sor_fill_fields() -> None:
    [order] = structure(example("sor.order.place"), list[OrderFull])
    assert order.used_sor is True and order.working_floor is WorkingFloor.SOR
    assert order.fills is not None
    assert order.fills[0].match_type is MatchType.ONE_PARTY_TRADE_REPORT
    assert order.fills[0].alloc_id == 0


def test_amend_result_values() -> None:
    amended = structure(
        example("order.amend.keepPriority", "order that belongs to an order list"), AmendKeepPriorityResult
    )
    assert amended.amended_order is not None
    assert amended.amended_order.qty == Decimal("5") and amended.amended_order.cumulative_quote_qty == 0
    assert amended.list_status is not None and amended.list_status.orders is not None
    assert [o.order_id for o in amended.list_status.orders] == [22, 23]


# -- cancel-replace errors: the halves travel in error.data --------------------------------


def _cancel_replace(client: Client) -> CancelReplaceOutcome:
    return client.order_cancel_replace(
        symbol="BTCUSDT",
        cancel_replace_mode="ALLOW_FAILURE",
        cancel_order_id=125690984230,
        side="SELL",
        type="LIMIT",
        time_in_force="GTC",
        price="23416.10",
        quantity="0.00847",
    )


def test_cancel_replace_partial_success(signed_tagged: Tagged) -> None:
    data = error_data("order.cancelReplace", "409 (-2021): ALLOW_FAILURE, cancel succeeded, new order failed")
    signed_tagged.exchange.fail_next(
        "order.cancelReplace",
        409,
        code=-2021,
        msg="Order cancel-replace partially failed.",
        data=data,
        connection=signed_tagged.tag,
    )
    with pytest.raises(PartialSuccessError) as raised:
        _cancel_replace(signed_tagged.client)
    outcome = CancelReplaceOutcome.from_error(raised.value)
    assert outcome is not None
    assert outcome.cancel_result is CancelReplaceResult.SUCCESS
    assert outcome.new_order_result is CancelReplaceResult.FAILURE
    assert outcome.cancel_response is not None and outcome.cancel_response.status is OrderStatus.CANCELED
    assert outcome.cancel_response.code is None
    assert outcome.new_order_response is not None
    assert (outcome.new_order_response.code, outcome.new_order_response.msg) == (
        -2010,
        "Order would immediately match and take.",
    )
    assert unstructure(outcome) == data


def test_cancel_replace_both_failed(signed_tagged: Tagged) -> None:
    data = error_data(
        "order.cancelReplace", "400 (-2022): STOP_ON_FAILURE, cancel failed, new order not attempted"
    )
    signed_tagged.exchange.fail_next(
        "order.cancelReplace",
        400,
        code=-2022,
        msg="Order cancel-replace failed.",
        data=data,
        connection=signed_tagged.tag,
    )
    with pytest.raises(BadRequestError) as raised:
        _cancel_replace(signed_tagged.client)
    outcome = CancelReplaceOutcome.from_error(raised.value)
    assert outcome is not None
    assert outcome.new_order_result is CancelReplaceResult.NOT_ATTEMPTED
    assert outcome.cancel_response is not None and outcome.cancel_response.code == -2011
    assert outcome.new_order_response is None
    assert unstructure(outcome) == data


def test_from_error_without_data() -> None:
    assert CancelReplaceOutcome.from_error(BadRequestError(400, -1013, "Filter failure: LOT_SIZE")) is None


def test_repr_shows_only_the_fields_that_are_set() -> None:
    order = structure(
        {"symbol": "BTCUSDT", "orderId": 7, "status": "NEW", "fills": [{"qty": "1.0"}]}, OrderFull
    )
    assert repr(order) == ("OrderFull(symbol='BTCUSDT', status=NEW, order_id=7, fills=[Fill(qty=1.0)])")


# -- a real trading flow, once the local exchange trades -----------------------------------


@pytest.fixture(scope="module")
def trading_exchange() -> Iterator[LocalExchange]:
    # Its own exchange: these orders move the demo account's balances.
    with LocalExchange(book_levels=50) as ex:
        yield ex


def test_place_query_cancel_flow(trading_exchange: LocalExchange) -> None:
    key = trading_exchange.keys.hmac
    with Client(trading_exchange.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5) as client:
        filled = client.order_place(
            symbol="BTCUSDT",
            side="BUY",
            type="MARKET",
            quantity="0.001",
            new_client_order_id="flow-market",
        )
        assert type(filled) is OrderFull  # MARKET defaults to FULL
        assert filled.status is OrderStatus.FILLED and filled.fills
        assert sum(f.qty for f in filled.fills if f.qty is not None) == Decimal("0.001")
        queried = client.order_status(symbol="BTCUSDT", orig_client_order_id="flow-market")
        assert (queried.order_id, queried.executed_qty) == (filled.order_id, filled.executed_qty)

        bids = client.depth(symbol="BTCUSDT", limit=5).bids
        assert bids
        best_bid = bids[0].price
        resting = client.order_place(
            symbol="BTCUSDT",
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            price=best_bid,
            quantity="0.001",
            new_order_resp_type="ACK",
        )
        assert type(resting) is OrderAck and resting.order_id is not None
        assert [o.order_id for o in client.open_orders_status(symbol="BTCUSDT")] == [resting.order_id]
        canceled = client.order_cancel(symbol="BTCUSDT", order_id=resting.order_id)
        assert not canceled.is_order_list and canceled.status is OrderStatus.CANCELED
        assert client.open_orders_status(symbol="BTCUSDT") == []
