"""Client.resolve_unknown: what a state-changing call that got no usable answer did.

Every case runs on the local exchange, with faults aimed at the test's own connection: the
request executed but its answer was lost (5xx, drop or timeout after handling), or it never
reached the matching engine (5xx or drop before handling). The window of Binance's matching
engine (10 s) is shortened with ``window=``.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from exchange_helpers import signed, unique_tag, wait_until

import binance_ws as bw
from binance_ws import CancelReplaceResolution, Client
from binance_ws._client_ids import is_generated
from binance_ws.enums import OrderListStatus, OrderStatus, OrderType, Side
from binance_ws.exchange import LocalExchange
from binance_ws.models import Order, OrderList

WINDOW = 0.3


@pytest.fixture(scope="module")
def ex() -> Iterator[LocalExchange]:
    with LocalExchange(enforce_limits=False, book_levels=20) as exchange:
        yield exchange


class Tagged:
    """A signed client that reconnects, on a URL tagged for one test (its faults hit only it)."""

    def __init__(self, ex: LocalExchange, name: str, **kwargs: Any) -> None:
        self.ex = ex
        self.tag = unique_tag(name)
        key = ex.keys.hmac
        options: dict[str, Any] = {"timeout": 5, **kwargs}
        self.client = Client(
            ex.url_for(self.tag), api_key=key.api_key, api_secret=key.api_secret, **options
        ).connect()

    def sent(self, method: str, key: str, value: str) -> int:
        """How many requests of ``method`` with ``key=value`` the exchange received."""
        return sum(1 for wire, params in self.ex.requests if wire == method and params.get(key) == value)


@pytest.fixture
def t(ex: LocalExchange, request: pytest.FixtureRequest) -> Iterator[Tagged]:
    tagged = Tagged(ex, request.node.name)
    yield tagged
    tagged.client.close()
    ex.faults.clear(tagged.tag)
    ex.end_half_open(connection=tagged.tag)


def buy_limit(client: Client, **extra: Any) -> Order | Any:
    # Below the book (about 60000): it rests as NEW.
    return client.order_place(
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        time_in_force="GTC",
        price="50000",
        quantity="0.001",
        **extra,
    )


def place_unknown(t: Tagged, **extra: Any) -> bw.ExecutionUnknownError:
    with pytest.raises(bw.ExecutionUnknownError) as info:
        buy_limit(t.client, **extra)
    return info.value


# -- what the error carries --------------------------------------------------------------------


def test_a_5xx_after_execution_carries_the_ids_and_resolves_to_the_order(t: Tagged) -> None:
    t.ex.fail_next("order.place", 503, executed=True, connection=t.tag)
    before = time.time()
    err = place_unknown(t)
    assert type(err) is bw.ServerError and err.changes_state is True
    cid = err.client_order_id
    assert cid is not None and is_generated(cid)
    assert (err.symbol, err.list_client_order_id, err.order_id, err.orig_client_order_id) == (
        "BTCUSDT",
        None,
        None,
        None,
    )
    assert err.sent_at is not None and before <= err.sent_at <= time.time()
    text = str(err)
    assert f"orig_client_order_id='{cid}'" in text and "symbol='BTCUSDT'" in text
    assert text.endswith(f"[sent: symbol=BTCUSDT clientOrderId={cid}]")
    assert "client.resolve_unknown(err)" in text
    order = t.client.resolve_unknown(err)
    assert type(order) is Order
    assert order.client_order_id == cid and order.symbol == "BTCUSDT"
    assert order.status is OrderStatus.NEW and order.side is Side.BUY and order.type is OrderType.LIMIT
    assert str(order.price) == "50000.00000000" and str(order.orig_qty) == "0.00100000"
    assert t.sent("order.place", "newClientOrderId", cid) == 1  # looked up, never re-sent
    t.client.order_cancel(symbol="BTCUSDT", orig_client_order_id=cid)


def test_a_5xx_before_the_engine_resolves_to_none_after_the_window(t: Tagged) -> None:
    t.ex.fail_next("order.place", 503, connection=t.tag)
    err = place_unknown(t)
    assert err.client_order_id is not None and err.sent_at is not None
    assert t.client.resolve_unknown(err, window=WINDOW) is None
    # "Does not exist" was concluded only after the window had passed.
    assert time.time() >= err.sent_at + WINDOW
    assert t.sent("order.place", "newClientOrderId", err.client_order_id) == 1
    assert t.sent("order.status", "origClientOrderId", err.client_order_id) >= 1


def test_before_the_window_ends_does_not_exist_is_no_answer(t: Tagged) -> None:
    t.ex.fail_next("order.place", 503, connection=t.tag)
    err = place_unknown(t)
    with pytest.raises(bw.ResolveTimeoutError) as info:
        t.client.resolve_unknown(err, timeout=0.2, window=30)
    still = info.value
    assert isinstance(still, bw.ExecutionUnknownError) and isinstance(still, bw.RequestTimeoutError)
    assert (still.method, still.client_order_id, still.symbol, still.sent_at) == (
        "order.place",
        err.client_order_id,
        "BTCUSDT",
        err.sent_at,
    )
    assert "still unknown" in str(still) and "call client.resolve_unknown(err) again" in str(still)
    assert still.timeout == 0.2
    # The error it raised resolves like the first one.
    assert t.client.resolve_unknown(still, window=WINDOW) is None


def test_an_order_that_appears_within_the_window_is_found(ex: LocalExchange, t: Tagged) -> None:
    # The request sits unread on a frozen connection: the engine handles it only later.
    ex.go_half_open(connection=t.tag)
    with pytest.raises(bw.RequestTimeoutError) as info:
        buy_limit(t.client, timeout=0.3)
    err = info.value
    cid = err.client_order_id
    assert cid is not None and err.sent_at is not None and err.sent_at <= time.time() - 0.3 + 0.05
    found: list[object] = []
    with Tagged(ex, "resolver").client as other:  # its own connection, not frozen
        resolver = threading.Thread(target=lambda: found.append(other.resolve_unknown(err, window=30)))
        resolver.start()
        # The first lookups hear "does not exist"; then the engine gets the order.
        assert wait_until(lambda: t.sent("order.status", "origClientOrderId", cid) >= 2, 10)
        assert not found  # "does not exist" before the window ends is not an answer
        ex.end_half_open(connection=t.tag)
        resolver.join(15)
        assert not resolver.is_alive()
    (order,) = found
    assert type(order) is Order and order.client_order_id == cid and order.status is OrderStatus.NEW
    assert t.sent("order.place", "newClientOrderId", cid) == 1
    t.client.order_cancel(symbol="BTCUSDT", orig_client_order_id=cid)


def test_a_timeout_of_an_executed_order_resolves_to_it(t: Tagged) -> None:
    t.ex.delay_next("order.place", 1.0, connection=t.tag)
    with pytest.raises(bw.RequestTimeoutError) as info:
        t.client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001", timeout=0.3)
    err = info.value
    order = t.client.resolve_unknown(err, window=WINDOW)
    assert type(order) is Order and order.client_order_id == err.client_order_id
    assert order.status is OrderStatus.FILLED and str(order.executed_qty) == "0.00100000"
    assert t.sent("order.place", "newClientOrderId", err.client_order_id or "") == 1


def test_a_drop_before_handling_resolves_to_none_after_the_reconnect(t: Tagged) -> None:
    t.ex.drop_next("order.place", connection=t.tag)
    err = place_unknown(t)
    assert type(err) is bw.ConnectionClosedError and err.sent is True
    assert err.client_order_id is not None and err.symbol == "BTCUSDT"
    # The same client looks it up once it has reconnected.
    assert t.client.resolve_unknown(err, window=WINDOW) is None
    assert t.client.reconnects == 1
    assert t.sent("order.place", "newClientOrderId", err.client_order_id) == 1


def test_a_drop_after_handling_resolves_to_the_order(t: Tagged) -> None:
    t.ex.drop_next("order.place", executed=True, connection=t.tag)
    err = place_unknown(t, new_client_order_id=f"mine-{t.tag[-30:]}")
    assert err.client_order_id == f"mine-{t.tag[-30:]}"  # the caller's own id
    order = t.client.resolve_unknown(err, window=WINDOW)
    assert type(order) is Order and order.client_order_id == err.client_order_id
    assert t.sent("order.place", "newClientOrderId", err.client_order_id) == 1
    t.client.order_cancel(symbol="BTCUSDT", orig_client_order_id=err.client_order_id)


def test_a_new_client_resolves_the_error_of_a_closed_one(ex: LocalExchange) -> None:
    once = Tagged(ex, "closed-one", reconnect=False)
    ex.drop_next("order.place", executed=True, connection=once.tag)
    err = place_unknown(once)
    assert once.client.state is bw.ClientState.CLOSED
    err = pickle.loads(pickle.dumps(err))  # e.g. handed to another process
    with Tagged(ex, "new-one").client as fresh:
        order = fresh.resolve_unknown(err, window=WINDOW)
        assert type(order) is Order and order.client_order_id == err.client_order_id
        fresh.order_cancel(symbol="BTCUSDT", order_id=order.order_id)


def test_a_sor_order_resolves_to_the_order(t: Tagged) -> None:
    t.ex.fail_next("sor.order.place", 503, executed=True, connection=t.tag)
    with pytest.raises(bw.ServerError) as info:
        t.client.sor_order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
    err = info.value
    order = t.client.resolve_unknown(err, window=WINDOW)
    assert type(order) is Order and order.client_order_id == err.client_order_id
    assert order.status is OrderStatus.FILLED
    assert t.sent("sor.order.place", "newClientOrderId", err.client_order_id or "") == 1


def test_minus_1007_is_execution_unknown_with_ids(t: Tagged) -> None:
    msg = "Timeout waiting for response from backend server. Send status unknown; execution status unknown."
    t.ex.fail_next("order.place", 400, code=-1007, msg=msg, executed=True, connection=t.tag)
    err = place_unknown(t)
    assert type(err) is bw.ServerError and err.status == 400 and err.code == -1007
    order = t.client.resolve_unknown(err)
    assert type(order) is Order and order.client_order_id == err.client_order_id
    t.client.order_cancel(symbol="BTCUSDT", order_id=order.order_id)


# -- order lists, cancels, cancel-replace ------------------------------------------------------


def oco(client: Client) -> OrderList:
    return client.order_list_place_oco(
        symbol="BTCUSDT",
        side="SELL",
        quantity="0.001",
        above_type="LIMIT_MAKER",
        above_price="70000",
        below_type="STOP_LOSS",
        below_stop_price="50000",
    )


def test_an_order_list_resolves_to_the_list(t: Tagged) -> None:
    t.ex.fail_next("orderList.place.oco", 500, executed=True, connection=t.tag)
    with pytest.raises(bw.ServerError) as info:
        oco(t.client)
    err = info.value
    lcid = err.list_client_order_id
    assert lcid is not None and is_generated(lcid) and err.client_order_id is None
    assert f"order_list_status(orig_client_order_id='{lcid}')" in str(err)
    lst = t.client.resolve_unknown(err, window=WINDOW)
    assert type(lst) is OrderList and lst.list_client_order_id == lcid and lst.symbol == "BTCUSDT"
    sent = next(
        p for w, p in t.ex.requests if w == "orderList.place.oco" and p.get("listClientOrderId") == lcid
    )
    assert {o.client_order_id for o in lst.orders or []} == {
        sent["aboveClientOrderId"],
        sent["belowClientOrderId"],
    }
    assert t.sent("orderList.place.oco", "listClientOrderId", lcid) == 1
    t.client.order_list_cancel(symbol="BTCUSDT", order_list_id=lst.order_list_id)


def test_an_order_list_that_never_arrived_resolves_to_none(t: Tagged) -> None:
    t.ex.fail_next("orderList.place.oco", 503, connection=t.tag)
    with pytest.raises(bw.ServerError) as info:
        oco(t.client)
    err = info.value
    assert t.client.resolve_unknown(err, window=WINDOW) is None
    assert t.sent("orderList.place.oco", "listClientOrderId", err.list_client_order_id or "") == 1


def test_an_order_list_cancel_resolves_to_the_list_as_it_is(t: Tagged) -> None:
    lst = oco(t.client)
    t.ex.fail_next("orderList.cancel", 503, executed=True, connection=t.tag)
    with pytest.raises(bw.ServerError) as info:
        t.client.order_list_cancel(symbol="BTCUSDT", order_list_id=lst.order_list_id)
    err = info.value
    assert (err.order_list_id, err.symbol, err.client_order_id) == (lst.order_list_id, "BTCUSDT", None)
    now = t.client.resolve_unknown(err, window=WINDOW)
    assert type(now) is OrderList and now.order_list_id == lst.order_list_id
    assert now.list_status_type is OrderListStatus.ALL_DONE


def test_a_cancel_resolves_to_the_order_as_it_is(t: Tagged) -> None:
    order = buy_limit(t.client)
    t.ex.fail_next("order.cancel", 503, executed=True, connection=t.tag)
    with pytest.raises(bw.ServerError) as info:
        t.client.order_cancel(symbol="BTCUSDT", orig_client_order_id=order.client_order_id)
    err = info.value
    assert (err.orig_client_order_id, err.symbol, err.client_order_id) == (
        order.client_order_id,
        "BTCUSDT",
        None,
    )
    now = t.client.resolve_unknown(err, window=WINDOW)
    assert type(now) is Order and now.order_id == order.order_id and now.status is OrderStatus.CANCELED


def test_a_cancel_that_never_arrived_leaves_the_order_new(t: Tagged) -> None:
    order = buy_limit(t.client)
    t.ex.fail_next("order.cancel", 503, connection=t.tag)
    with pytest.raises(bw.ServerError) as info:
        t.client.order_cancel(symbol="BTCUSDT", order_id=order.order_id)
    err = info.value
    assert err.order_id == order.order_id and err.sent_at is not None
    now = t.client.resolve_unknown(err, window=WINDOW)
    assert time.time() >= err.sent_at + WINDOW  # an active order is told only after the window
    assert type(now) is Order and now.order_id == order.order_id and now.status is OrderStatus.NEW
    t.client.order_cancel(symbol="BTCUSDT", order_id=order.order_id)


def cancel_replace(client: Client, order: Any) -> Any:
    return client.order_cancel_replace(
        symbol="BTCUSDT",
        cancel_replace_mode="STOP_ON_FAILURE",
        cancel_orig_client_order_id=order.client_order_id,
        side="BUY",
        type="LIMIT",
        time_in_force="GTC",
        price="50001",
        quantity="0.001",
    )


def test_a_cancel_replace_resolves_to_both_orders(t: Tagged) -> None:
    old = buy_limit(t.client)
    t.ex.fail_next("order.cancelReplace", 503, executed=True, connection=t.tag)
    with pytest.raises(bw.ServerError) as info:
        cancel_replace(t.client, old)
    err = info.value
    new_cid = err.client_order_id
    assert new_cid is not None and is_generated(new_cid)
    assert (err.orig_client_order_id, err.symbol) == (old.client_order_id, "BTCUSDT")
    assert f"orig_client_order_id='{new_cid}'" in str(err) and f"'{old.client_order_id}'" in str(err)
    outcome = t.client.resolve_unknown(err, window=WINDOW)
    assert type(outcome) is CancelReplaceResolution
    assert type(outcome.cancelled_order) is Order and type(outcome.new_order) is Order
    assert outcome.cancelled_order.order_id == old.order_id
    assert outcome.cancelled_order.status is OrderStatus.CANCELED
    assert outcome.new_order.client_order_id == new_cid and outcome.new_order.status is OrderStatus.NEW
    assert str(outcome.new_order.price) == "50001.00000000"
    assert t.sent("order.cancelReplace", "newClientOrderId", new_cid) == 1
    t.client.order_cancel(symbol="BTCUSDT", orig_client_order_id=new_cid)


def test_a_cancel_replace_that_never_arrived_changed_nothing(t: Tagged) -> None:
    old = buy_limit(t.client)
    t.ex.fail_next("order.cancelReplace", 503, connection=t.tag)
    with pytest.raises(bw.ServerError) as info:
        cancel_replace(t.client, old)
    outcome = t.client.resolve_unknown(info.value, window=WINDOW)
    assert type(outcome) is CancelReplaceResolution and outcome.new_order is None
    assert type(outcome.cancelled_order) is Order and outcome.cancelled_order.status is OrderStatus.NEW
    t.client.order_cancel(symbol="BTCUSDT", order_id=old.order_id)


# -- what cannot be resolved -------------------------------------------------------------------


def test_a_read_only_error_is_refused_naming_err(t: Tagged) -> None:
    t.ex.fail_next("depth", 503, times=2, connection=t.tag)  # the read and its one retry
    with pytest.raises(bw.ServerError) as info:
        t.client.depth(symbol="BTCUSDT")
    with pytest.raises(bw.InvalidParameterError) as refused:
        t.client.resolve_unknown(info.value)
    assert refused.value.param == "err" and "changes no order" in str(refused.value)
    with pytest.raises(bw.InvalidParameterError) as wrong:
        t.client.resolve_unknown(ValueError("x"))  # type: ignore[arg-type]
    assert wrong.value.param == "err"


def test_an_error_without_ids_is_refused_naming_err(t: Tagged) -> None:
    # A raw request of a cancel-all names no order to look up.
    err = bw.ServerError(503, -1008, "overloaded", method="openOrders.cancelAll")
    with pytest.raises(bw.InvalidParameterError) as refused:
        t.client.resolve_unknown(err)
    assert refused.value.param == "err" and "open_orders_status" in str(refused.value)
    bare = bw.RequestTimeoutError("order.place", 7, 1.0)  # made by hand: no ids noted
    with pytest.raises(bw.InvalidParameterError, match="carries no order ids"):
        t.client.resolve_unknown(bare)
    before = len(t.ex.requests)
    unsent = bw.ConnectionClosedError("gone", method="order.place", sent=False)
    assert t.client.resolve_unknown(unsent) is None  # never left: certainly not executed
    assert len(t.ex.requests) == before


def test_a_raw_request_with_its_own_id_can_be_resolved(t: Tagged) -> None:
    cid = f"raw-{t.tag[-30:]}"
    order_params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}
    raw = signed(t.ex, {**order_params, "newClientOrderId": cid})
    t.ex.fail_next("order.place", 503, executed=True, connection=t.tag)
    with pytest.raises(bw.ServerError) as info:
        t.client.request("order.place", raw)
    err = info.value
    assert (err.client_order_id, err.symbol) == (cid, "BTCUSDT")
    order = t.client.resolve_unknown(err)
    assert type(order) is Order and order.client_order_id == cid and order.status is OrderStatus.FILLED
    assert t.sent("order.place", "newClientOrderId", cid) == 1


def test_ids_survive_pickling(t: Tagged) -> None:
    t.ex.fail_next("order.place", 503, connection=t.tag)
    err = place_unknown(t)
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is bw.ServerError and str(clone) == str(err)
    assert (clone.client_order_id, clone.symbol, clone.sent_at) == (
        err.client_order_id,
        "BTCUSDT",
        err.sent_at,
    )
    t.ex.drop_next("order.place", connection=t.tag)
    closed = place_unknown(t)
    clone_closed = pickle.loads(pickle.dumps(closed))
    assert type(clone_closed) is bw.ConnectionClosedError
    assert clone_closed.client_order_id == closed.client_order_id and str(clone_closed) == str(closed)
    still = bw.ResolveTimeoutError.still_unknown(err, 1.5, "testing")
    clone_still = pickle.loads(pickle.dumps(still))
    assert type(clone_still) is bw.ResolveTimeoutError and str(clone_still) == str(still)
    assert clone_still.client_order_id == err.client_order_id
