"""Parameter checks of the typed trading methods, and the result types their annotations promise.

Every check runs on a client that is never connected: bad input is refused before anything
is sent.
"""

from __future__ import annotations

import typing
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from methods_support import refused

from binance_ws import Client, InvalidParameterError, ResultList
from binance_ws.enums import OrderResponseType, OrderType
from binance_ws.exchange import LocalExchange
from binance_ws.models import Empty, OrderAck, OrderFull, OrderResult, OrderTestCommissions


@pytest.fixture
def signed_client(exchange: LocalExchange) -> Iterator[Client]:
    key = exchange.keys.hmac
    with Client(exchange.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5) as client:
        yield client


# -- annotations: what the overloads promise -----------------------------------------------


def _overload_returns(name: str) -> list[Any]:
    get_overloads = getattr(typing, "get_overloads", None)  # Python 3.11+
    if get_overloads is None:
        pytest.skip("typing.get_overloads needs Python 3.11")
    return [typing.get_type_hints(ov)["return"] for ov in get_overloads(getattr(Client, name))]


def test_overloads_name_the_result_types() -> None:
    place = _overload_returns("order_place")
    assert place[:4] == [OrderAck, OrderResult, OrderFull, OrderFull]
    assert set(typing.get_args(typing.get_type_hints(Client.order_place)["return"])) == {
        OrderAck,
        OrderResult,
        OrderFull,
    }
    assert _overload_returns("order_test")[:2] == [OrderTestCommissions, Empty]
    # A list result is declared a ResultList (a list subclass, so list[...] annotations still hold).
    assert _overload_returns("sor_order_place")[:3] == [
        ResultList[OrderAck],
        ResultList[OrderResult],
        ResultList[OrderFull],
    ]


def _static_types(client: Client) -> None:
    """Never run: mypy checks that the overloads give these precise types."""
    ack: OrderAck = client.order_place(symbol="X", side="BUY", type="STOP_LOSS", new_order_resp_type="ACK")
    result: OrderResult = client.order_place(
        symbol="X", side="BUY", type="LIMIT", new_order_resp_type=OrderResponseType.RESULT
    )
    full: OrderFull = client.order_place(symbol="X", side="BUY", type="MARKET", quantity="1")
    full_enum: OrderFull = client.order_place(symbol="X", side="BUY", type=OrderType.LIMIT)
    rates: OrderTestCommissions = client.order_test(
        symbol="X", side="BUY", type="MARKET", compute_commission_rates=True
    )
    empty: Empty = client.order_test(symbol="X", side="BUY", type="MARKET")
    sor: list[OrderFull] = client.sor_order_place(symbol="X", side="BUY", type="MARKET", quantity="1")
    del ack, result, full, full_enum, rates, empty, sor


# -- validation: refused before anything is sent --------------------------------------------


def test_missing_mandatory(offline: Client) -> None:
    missing: Any = None
    err = refused(lambda: offline.order_place(symbol=missing, side="BUY", type="MARKET", quantity="1"))
    assert err.param == "symbol" and "mandatory" in str(err)
    err = refused(lambda: offline.order_amend_keep_priority(symbol="BTCUSDT", order_id=1, new_qty=missing))
    assert err.param == "new_qty"


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"type": "LIMIT", "quantity": "1", "price": "1"}, "time_in_force"),
        ({"type": "LIMIT", "quantity": "1", "time_in_force": "GTC"}, "price"),
        ({"type": "LIMIT_MAKER", "price": "1"}, "quantity"),
        ({"type": "MARKET"}, "quantity or quote_order_qty"),
        ({"type": "STOP_LOSS", "quantity": "1"}, "stop_price or trailing_delta"),
        (
            {"type": "TAKE_PROFIT_LIMIT", "quantity": "1", "price": "1", "time_in_force": "GTC"},
            "stop_price or trailing_delta",
        ),
    ],
)
def test_mandatory_by_order_type(offline: Client, kwargs: dict[str, Any], param: str) -> None:
    err = refused(lambda: offline.order_place(symbol="BTCUSDT", side="BUY", **kwargs))
    assert err.param == param
    err = refused(lambda: offline.order_test(symbol="BTCUSDT", side="BUY", **kwargs))
    assert err.param == param


def test_float_refused(offline: Client) -> None:
    tenth: Any = 0.1
    err = refused(lambda: offline.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=tenth))
    assert err.param == "quantity" and "float" in str(err) and "Decimal('0.1')" in str(err)
    err = refused(
        lambda: offline.order_place(
            symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC", quantity="1", price=tenth
        )
    )
    assert err.param == "price"
    err = refused(lambda: offline.order_amend_keep_priority(symbol="BTCUSDT", order_id=1, new_qty=tenth))
    assert err.param == "new_qty"
    err = refused(
        lambda: offline.order_place(
            symbol="BTCUSDT", side="BUY", type="STOP_LOSS", quantity="1", trailing_delta=tenth
        )
    )
    assert err.param == "trailing_delta"
    err = refused(
        lambda: offline.order_list_place_oto(
            symbol="BTCUSDT",
            working_type="LIMIT",
            working_side="BUY",
            working_price="1",
            working_quantity=tenth,
            pending_type="MARKET",
            pending_side="SELL",
            pending_quantity="1",
        )
    )
    assert err.param == "working_quantity"


@pytest.mark.parametrize("amount", [Decimal("0"), "-0.001", "0.00000000", Decimal("-5")])
def test_non_positive_amount_refused(offline: Client, amount: Any) -> None:
    err = refused(lambda: offline.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=amount))
    assert err.param == "quantity" and "greater than zero" in str(err)
    err = refused(lambda: offline.order_amend_keep_priority(symbol="BTCUSDT", order_id=1, new_qty=amount))
    assert err.param == "new_qty"
    err = refused(
        lambda: offline.sor_order_place(
            symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="1", price=amount
        )
    )
    assert err.param == "price"


def test_non_positive_int_quantity_refused(offline: Client) -> None:
    err = refused(
        lambda: offline.order_list_place_oco(
            symbol="BTCUSDT",
            side="SELL",
            quantity="1",
            above_type="LIMIT_MAKER",
            below_type="STOP_LOSS",
            above_iceberg_qty="0",
        )
    )
    assert err.param == "above_iceberg_qty"


def test_unknown_kwarg_refused(offline: Client) -> None:
    extra: dict[str, Any] = {"qty": "1"}
    err = refused(
        lambda: offline.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="1", **extra)
    )
    assert err.param == "qty" and "valid:" in str(err) and "quantity" in str(err)
    camel: dict[str, Any] = {"orderId": 1}
    err = refused(lambda: offline.order_cancel(symbol="BTCUSDT", **camel))
    assert err.param == "orderId" and "order_id=" in str(err)


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda c: c.order_cancel(symbol="BTCUSDT"), "order_id / orig_client_order_id"),
        (
            lambda c: c.order_amend_keep_priority(symbol="BTCUSDT", new_qty="1"),
            "order_id / orig_client_order_id",
        ),
        (
            lambda c: c.order_cancel_replace(
                symbol="BTCUSDT",
                cancel_replace_mode="STOP_ON_FAILURE",
                side="BUY",
                type="MARKET",
                quantity="1",
            ),
            "cancel_order_id / cancel_orig_client_order_id",
        ),
        (lambda c: c.order_list_cancel(symbol="BTCUSDT"), "order_list_id / list_client_order_id"),
        (
            lambda c: c.order_list_place(symbol="BTCUSDT", side="SELL", price="2", quantity="1"),
            "stop_price / trailing_delta",
        ),
    ],
)
def test_one_of_a_group_needed(offline: Client, call: Callable[[Client], object], param: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # orderList.place
        err = refused(lambda: call(offline))
    assert err.param == param


def test_wrong_types_refused(offline: Client) -> None:
    one: Any = 1
    err = refused(lambda: offline.order_place(symbol="BTCUSDT", side=one, type="MARKET", quantity="1"))
    assert err.param == "side"
    listed: Any = ["LIMIT"]
    err = refused(
        lambda: offline.order_place(symbol="BTCUSDT", side="BUY", type=listed, new_order_resp_type=listed)
    )
    assert err.param == "type"
    text: Any = "12"
    err = refused(lambda: offline.order_cancel(symbol="BTCUSDT", order_id=text))
    assert err.param == "order_id"
    yes: Any = "yes"
    err = refused(
        lambda: offline.order_test(
            symbol="BTCUSDT", side="BUY", type="MARKET", quantity="1", compute_commission_rates=yes
        )
    )
    assert err.param == "compute_commission_rates"
    window: Any = 5000.5
    err = refused(lambda: offline.open_orders_cancel_all(symbol="BTCUSDT", recv_window=window))
    assert err.param == "recv_window"


def test_nothing_sent_when_refused(signed_client: Client, exchange: LocalExchange) -> None:
    before = len(exchange.requests)
    with pytest.raises(InvalidParameterError):
        signed_client.order_place(symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="1", price="0")
    assert len(exchange.requests) == before
