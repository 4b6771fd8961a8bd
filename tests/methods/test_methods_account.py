"""The typed account methods: the wire request each sends, the model each returns, validation.

Requests are checked on the server side (the local exchange records every request before
answering it); results end to end against a scripted loopback server that answers with the
documented example.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from methods_support import (
    Case,
    ScriptedServer,
    case_id,
    check_request,
    check_result,
    example,
    refused,
)

from binance_ws import Client, structure, unstructure
from binance_ws.enums import (
    AllocationType,
    ContingencyType,
    OrderListOrderStatus,
    OrderStatus,
    Permission,
    RateLimitInterval,
    RateLimitType,
    SelfTradePreventionMode,
)
from binance_ws.exchange import LocalExchange
from binance_ws.models import (
    AccountCommission,
    AccountFilters,
    AccountInfo,
    AccountTrade,
    Allocation,
    Order,
    OrderAmendment,
    OrderList,
    PreventedMatch,
    UnfilledOrderCount,
)


def documented(
    method: str, kwargs: dict[str, Any], wire: str, wire_params: dict[str, Any], expected: Any
) -> Case:
    """A case answered with the method's documented example."""
    return Case(method, kwargs, wire, wire_params, example(wire), expected)


CASES = [
    documented("account_status", {}, "account.status", {}, AccountInfo),
    documented(
        "account_status",
        {"omit_zero_balances": True, "recv_window": Decimal("5000.5")},
        "account.status",
        {"omitZeroBalances": True, "recvWindow": "5000.5"},
        AccountInfo,
    ),
    documented(
        "order_status",
        {"symbol": "BTCUSDT", "order_id": 12569099453},
        "order.status",
        {"symbol": "BTCUSDT", "orderId": 12569099453},
        Order,
    ),
    documented(
        "order_status",
        {"symbol": "BTCUSDT", "orig_client_order_id": "my-order-1"},
        "order.status",
        {"symbol": "BTCUSDT", "origClientOrderId": "my-order-1"},
        Order,
    ),
    documented("open_orders_status", {}, "openOrders.status", {}, list[Order]),
    documented(
        "open_orders_status", {"symbol": "BTCUSDT"}, "openOrders.status", {"symbol": "BTCUSDT"}, list[Order]
    ),
    documented(
        "all_orders",
        {
            "symbol": "BTCUSDT",
            "order_id": 1,
            "start_time": 1660801715000,
            "end_time": 1660888115000,
            "limit": 1000,
        },
        "allOrders",
        {
            "symbol": "BTCUSDT",
            "orderId": 1,
            "startTime": 1660801715000,
            "endTime": 1660888115000,
            "limit": 1000,
        },
        list[Order],
    ),
    documented(
        "order_list_status",
        {"order_list_id": 1274512},
        "orderList.status",
        {"orderListId": 1274512},
        OrderList,
    ),
    documented(
        "order_list_status",
        {"orig_client_order_id": "08985fedd9ea2cf6b28996"},
        "orderList.status",
        {"origClientOrderId": "08985fedd9ea2cf6b28996"},
        OrderList,
    ),
    documented("open_order_lists_status", {}, "openOrderLists.status", {}, list[OrderList]),
    documented(
        "all_order_lists",
        {"from_id": 3, "start_time": 1, "end_time": 2, "limit": 10},
        "allOrderLists",
        {"fromId": 3, "startTime": 1, "endTime": 2, "limit": 10},
        list[OrderList],
    ),
    documented(
        "my_trades",
        {"symbol": "BTCUSDT", "order_id": 12569099453, "limit": 5},
        "myTrades",
        {"symbol": "BTCUSDT", "orderId": 12569099453, "limit": 5},
        list[AccountTrade],
    ),
    documented(
        "my_trades",
        {"symbol": "BTCUSDT", "from_id": 1650422481},
        "myTrades",
        {"symbol": "BTCUSDT", "fromId": 1650422481},
        list[AccountTrade],
    ),
    documented("account_rate_limits_orders", {}, "account.rateLimits.orders", {}, list[UnfilledOrderCount]),
    documented(
        "my_prevented_matches",
        {"symbol": "BTCUSDT", "order_id": 5, "from_prevented_match_id": 1, "limit": 20},
        "myPreventedMatches",
        {"symbol": "BTCUSDT", "orderId": 5, "fromPreventedMatchId": 1, "limit": 20},
        list[PreventedMatch],
    ),
    documented(
        "my_prevented_matches",
        {"symbol": "BTCUSDT", "prevented_match_id": 1},
        "myPreventedMatches",
        {"symbol": "BTCUSDT", "preventedMatchId": 1},
        list[PreventedMatch],
    ),
    documented(
        "my_allocations",
        {
            "symbol": "BTCUSDT",
            "start_time": 1,
            "end_time": 2,
            "from_allocation_id": 0,
            "limit": 7,
            "order_id": 500,
        },
        "myAllocations",
        {
            "symbol": "BTCUSDT",
            "startTime": 1,
            "endTime": 2,
            "fromAllocationId": 0,
            "limit": 7,
            "orderId": 500,
        },
        list[Allocation],
    ),
    documented(
        "account_commission",
        {"symbol": "BTCUSDT"},
        "account.commission",
        {"symbol": "BTCUSDT"},
        AccountCommission,
    ),
    documented(
        "order_amendments",
        {"symbol": "BTCUSDT", "order_id": 23, "from_execution_id": 60, "limit": 10},
        "order.amendments",
        {"symbol": "BTCUSDT", "orderId": 23, "fromExecutionId": 60, "limit": 10},
        list[OrderAmendment],
    ),
    documented("my_filters", {"symbol": "BTCUSDT"}, "myFilters", {"symbol": "BTCUSDT"}, AccountFilters),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_request_reaches_the_exchange(signed_client: Client, exchange: LocalExchange, case: Case) -> None:
    check_request(signed_client, exchange, case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_result_model(scripted: ScriptedServer, scripted_client: Client, case: Case) -> None:
    check_result(scripted, scripted_client, case)


def test_account_info_values() -> None:
    info = structure(example("account.status"), AccountInfo)
    assert info.can_trade is True and info.maker_commission == 15
    assert info.commission_rates is not None and info.commission_rates.maker == Decimal("0.0015")
    assert info.permissions == [Permission.SPOT]
    assert info.account_type == "SPOT" and info.uid == 354937868
    btc = info.balance("BTC")
    assert btc is not None and str(btc.free) == "1.3447112" and btc.locked == Decimal("0.086")
    assert info.balance("DOGE") is None
    assert info.update_datetime is not None and info.update_datetime.year == 2022


def test_order_values() -> None:
    order = structure(example("order.status"), Order)
    assert order.status is OrderStatus.FILLED
    assert order.trailing_delta == 10 and order.trailing_time == -1
    assert order.prevented_quantity == Decimal("1.2")
    assert order.is_working is True
    assert order.datetime is not None and order.update_datetime is not None
    assert order.update_datetime > order.datetime
    assert order.expiry_reason is None  # absent: None, never an error


def test_small_models_values() -> None:
    [limit, day] = structure(example("account.rateLimits.orders"), list[UnfilledOrderCount])
    assert limit.rate_limit_type is RateLimitType.ORDERS and limit.interval is RateLimitInterval.SECOND
    assert (limit.interval_num, limit.limit, limit.remaining) == (10, 50, 50)
    assert day.interval is RateLimitInterval.DAY
    [match] = structure(example("myPreventedMatches"), list[PreventedMatch])
    assert match.self_trade_prevention_mode is SelfTradePreventionMode.EXPIRE_MAKER
    assert match.maker_prevented_quantity == Decimal("1.3") and match.transact_datetime is not None
    [allocation] = structure(example("myAllocations"), list[Allocation])
    assert allocation.allocation_type is AllocationType.SOR and allocation.is_allocator is False
    commission = structure(example("account.commission"), AccountCommission)
    assert commission.tax_commission is not None and commission.tax_commission.seller == Decimal("0.00000116")
    assert commission.discount is not None and commission.discount.enabled_for_symbol is True
    [amendment] = structure(example("order.amendments"), list[OrderAmendment])
    assert (amendment.orig_qty, amendment.new_qty) == (Decimal(7), Decimal(5))
    filters = structure(example("myFilters"), AccountFilters)
    max_asset = filters.filter("MAX_ASSET")
    assert max_asset is not None and max_asset.asset == "JPY" and max_asset.limit == Decimal(1000000)
    exchange_max = filters.filter("EXCHANGE_MAX_NUM_ORDERS")
    assert exchange_max is not None and exchange_max.max_num_orders == 1000
    assert filters.filter("PRICE_FILTER") is None
    [trade, _] = structure(example("myTrades"), list[AccountTrade])
    assert trade.is_maker is True and trade.quote_qty == Decimal("148.692235")
    [order_list] = structure(example("openOrderLists.status"), list[OrderList])
    assert order_list.contingency_type is ContingencyType.OCO
    assert order_list.list_order_status is OrderListOrderStatus.EXECUTING
    assert order_list.order_reports is None  # status queries name the orders only


def test_unknown_filter_kept_exactly() -> None:
    doc = {"exchangeFilters": [], "symbolFilters": [{"filterType": "NEW_FILTER", "someLimit": "1.50"}]}
    filters = structure(doc, AccountFilters)
    new = filters.filter("NEW_FILTER")
    assert new is not None and new.extra == {"someLimit": "1.50"}
    assert unstructure(filters) == doc


def test_all_orders_1000(scripted: ScriptedServer, scripted_client: Client) -> None:
    # Speed is measured by the benchmark (bench/), not asserted here.
    template = example("allOrders")[0]
    scripted.answer = [dict(template, orderId=i, clientOrderId=f"c{i}") for i in range(1000)]
    orders = scripted_client.all_orders(symbol="BTCUSDT", limit=1000)
    assert len(orders) == 1000
    assert orders[999].order_id == 999 and orders[999].price == Decimal("23416.10000000")
    assert unstructure(orders) == scripted.answer


# -- validation: refused before anything is sent --------------------------------------------


def test_missing_mandatory(offline: Client) -> None:
    missing: Any = None
    err = refused(lambda: offline.all_orders(symbol=missing))
    assert err.param == "symbol" and "mandatory" in str(err)
    err = refused(lambda: offline.order_amendments(symbol="BTCUSDT", order_id=missing))
    assert err.param == "order_id"


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda c: c.order_status(symbol="BTCUSDT"), "order_id / orig_client_order_id"),
        (lambda c: c.order_list_status(), "orig_client_order_id / order_list_id"),
    ],
)
def test_one_of_a_group_needed(offline: Client, call: Callable[[Client], object], param: str) -> None:
    err = refused(lambda: call(offline))
    assert err.param == param


def test_wrong_types_refused(offline: Client) -> None:
    thousand: Any = 1000.0
    err = refused(lambda: offline.all_orders(symbol="BTCUSDT", limit=thousand))
    assert err.param == "limit" and "pass 1000" in str(err)
    yes: Any = "yes"
    err = refused(lambda: offline.account_status(omit_zero_balances=yes))
    assert err.param == "omit_zero_balances"
    window: Any = 5000.0
    err = refused(lambda: offline.my_filters(symbol="BTCUSDT", recv_window=window))
    assert err.param == "recv_window" and "float" in str(err)
    number: Any = 5
    err = refused(lambda: offline.account_commission(symbol=number))
    assert err.param == "symbol"


def test_unknown_kwarg_refused(offline: Client) -> None:
    extra: dict[str, Any] = {"from_trade_id": 1}
    err = refused(lambda: offline.my_trades(symbol="BTCUSDT", **extra))
    assert err.param == "from_trade_id" and "from_id" in str(err)
    camel: dict[str, Any] = {"omitZeroBalances": True}
    err = refused(lambda: offline.account_status(**camel))
    assert err.param == "omitZeroBalances" and "omit_zero_balances=" in str(err)


def test_signed_method_needs_credentials() -> None:
    # Validation passes, then the client refuses to send a USER_DATA request it cannot sign.
    client = Client("ws://127.0.0.1:9/ws-api/v3", credentials_from_env=False)
    err = refused(client.account_status)
    assert err.param == "api_key"
