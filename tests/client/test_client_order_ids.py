"""Client order ids the client generates for the orders a call places when none was given.

Checked on the wire (what the local exchange received) and in the results; the ids must be
valid for Binance, unique across threads, clients and forked processes, and never replace an
id the caller chose.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from binance_ws import Client
from binance_ws._client_ids import PREFIX, generated_names, is_generated, new_client_order_id
from binance_ws._spec import METHODS
from binance_ws.enums import OrderStatus
from binance_ws.exchange import LocalExchange
from binance_ws.models import Order, OrderList

# Binance's range for client order ids (errors.md, -1100 on newClientOrderId).
BINANCE_ID = re.compile(r"^[a-zA-Z0-9-_]{1,36}$")

# What each order-placing method gets, by hand from the docs: the method table must agree.
EXPECTED = {
    "order.place": ("newClientOrderId",),
    "sor.order.place": ("newClientOrderId",),
    "order.cancelReplace": ("newClientOrderId",),
    "orderList.place": ("listClientOrderId", "limitClientOrderId", "stopClientOrderId"),
    "orderList.place.oco": ("listClientOrderId", "aboveClientOrderId", "belowClientOrderId"),
    "orderList.place.oto": ("listClientOrderId", "workingClientOrderId", "pendingClientOrderId"),
    "orderList.place.opo": ("listClientOrderId", "workingClientOrderId", "pendingClientOrderId"),
    "orderList.place.otoco": (
        "listClientOrderId",
        "workingClientOrderId",
        "pendingAboveClientOrderId",
        "pendingBelowClientOrderId",
    ),
    "orderList.place.opoco": (
        "listClientOrderId",
        "workingClientOrderId",
        "pendingAboveClientOrderId",
        "pendingBelowClientOrderId",
    ),
}


@pytest.fixture(scope="module")
def ex() -> Iterator[LocalExchange]:
    with LocalExchange(enforce_limits=False, book_levels=20) as exchange:
        yield exchange


@pytest.fixture
def client(ex: LocalExchange) -> Iterator[Client]:
    key = ex.keys.hmac
    with Client(ex.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5) as c:
        yield c
    assert c.pending_count == 0


def last_params(ex: LocalExchange, method: str) -> dict[str, Any]:
    """The params of the latest request of ``method`` the exchange received."""
    return next(params for wire, params in reversed(ex.requests) if wire == method)


def resting_buy(**extra: Any) -> dict[str, Any]:
    # Below the book (about 60000): it rests, so it can be cancelled and replaced.
    return {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "time_in_force": "GTC"} | {
        "price": "50000",
        "quantity": "0.001",
        **extra,
    }


# -- the ids themselves ------------------------------------------------------------------------


def test_ids_fit_binance_and_start_with_the_prefix() -> None:
    ids = [new_client_order_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    for cid in ids:
        assert type(cid) is str and BINANCE_ID.match(cid), cid
        assert cid.startswith(PREFIX) and is_generated(cid)
    # Even the last counter value a 64-bit count reaches stays within 36 characters.
    assert len(ids[0].rsplit("-", 1)[0]) + 1 + len(f"{2**64 - 1:x}") == 36
    assert not is_generated("my-order-1") and not is_generated("bws") and not is_generated(None)


def test_ids_are_unique_across_threads() -> None:
    per_thread = 5_000
    results: list[list[str]] = [[] for _ in range(8)]
    start = threading.Barrier(len(results))

    def make(out: list[str]) -> None:
        start.wait(5)
        out.extend(new_client_order_id() for _ in range(per_thread))

    threads = [threading.Thread(target=make, args=(out,)) for out in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    every = [cid for out in results for cid in out]
    assert len(every) == 8 * per_thread and len(set(every)) == len(every)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_never_repeats_the_parents_ids() -> None:
    before = new_client_order_id()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send its ids, then leave at once
        try:
            os.write(write, " ".join(new_client_order_id() for _ in range(100)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        child = pipe.read().decode().split()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    parent = [new_client_order_id() for _ in range(100)]
    assert len(child) == 100 and all(BINANCE_ID.match(c) and is_generated(c) for c in child)
    assert not set(child) & set(parent) and before not in child
    # A new random token in the child, not just a counter that happens to differ.
    assert child[0].rsplit("-", 1)[0] != parent[0].rsplit("-", 1)[0]


def test_the_method_table_decides_which_params_get_ids() -> None:
    for wire in METHODS:
        assert generated_names(wire) == EXPECTED.get(wire, ()), wire
    # Cancels and amendments name existing orders: nothing is made up for them.
    for wire in ("order.cancel", "orderList.cancel", "order.amend.keepPriority", "order.test", "depth"):
        assert generated_names(wire) == ()


# -- on the wire -------------------------------------------------------------------------------


def test_order_place_sends_a_generated_id_and_the_result_has_it(ex: LocalExchange, client: Client) -> None:
    order = client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
    sent = last_params(ex, "order.place")["newClientOrderId"]
    assert type(sent) is str and is_generated(sent) and BINANCE_ID.match(sent)
    assert order.client_order_id == sent
    found = client.order_status(symbol="BTCUSDT", orig_client_order_id=sent)
    assert type(found) is Order and found.order_id == order.order_id
    assert found.status is OrderStatus.FILLED


def test_a_given_id_is_left_alone(ex: LocalExchange, client: Client) -> None:
    order = client.order_place(**resting_buy(new_client_order_id="mine-1"))
    assert last_params(ex, "order.place")["newClientOrderId"] == "mine-1"
    assert order.client_order_id == "mine-1"
    client.order_cancel(symbol="BTCUSDT", orig_client_order_id="mine-1")


def test_many_orders_from_many_threads_get_distinct_ids(ex: LocalExchange, client: Client) -> None:
    got: list[str | None] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def place() -> None:
        try:
            for _ in range(10):
                order = client.order_place(symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.0001")
                with lock:
                    got.append(order.client_order_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=place) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and not any(t.is_alive() for t in threads)
    assert len(got) == 40 and len(set(got)) == 40 and all(is_generated(c) for c in got)


def test_an_oco_gets_a_list_id_and_an_id_per_leg(ex: LocalExchange, client: Client) -> None:
    lst = client.order_list_place_oco(
        symbol="BTCUSDT",
        side="SELL",
        quantity="0.001",
        above_type="LIMIT_MAKER",
        above_price="70000",
        below_type="STOP_LOSS",
        below_stop_price="50000",
    )
    sent = last_params(ex, "orderList.place.oco")
    ids = [sent[name] for name in EXPECTED["orderList.place.oco"]]
    assert all(is_generated(i) for i in ids) and len(set(ids)) == 3
    assert type(lst) is OrderList and lst.list_client_order_id == sent["listClientOrderId"]
    legs = {o.client_order_id for o in lst.orders or []}
    assert legs == {sent["aboveClientOrderId"], sent["belowClientOrderId"]}
    client.order_list_cancel(symbol="BTCUSDT", order_list_id=lst.order_list_id)


def test_an_otoco_keeps_the_given_leg_id_and_fills_the_others(ex: LocalExchange, client: Client) -> None:
    lst = client.order_list_place_otoco(
        symbol="BTCUSDT",
        working_type="LIMIT",
        working_side="BUY",
        working_price="50000",
        working_quantity="0.001",
        working_time_in_force="GTC",
        working_client_order_id="my-working-1",
        pending_side="SELL",
        pending_quantity="0.001",
        pending_above_type="LIMIT_MAKER",
        pending_above_price="70000",
        pending_below_type="STOP_LOSS",
        pending_below_stop_price="50000",
    )
    sent = last_params(ex, "orderList.place.otoco")
    assert sent["workingClientOrderId"] == "my-working-1"
    for name in ("listClientOrderId", "pendingAboveClientOrderId", "pendingBelowClientOrderId"):
        assert is_generated(sent[name]), name
    assert type(lst) is OrderList and lst.list_client_order_id == sent["listClientOrderId"]
    legs = {o.client_order_id for o in lst.orders or []}
    assert legs == {"my-working-1", sent["pendingAboveClientOrderId"], sent["pendingBelowClientOrderId"]}
    client.order_list_cancel(symbol="BTCUSDT", order_list_id=lst.order_list_id)


def test_cancel_replace_gets_an_id_for_its_new_order_only(ex: LocalExchange, client: Client) -> None:
    old = client.order_place(**resting_buy())
    outcome = client.order_cancel_replace(
        symbol="BTCUSDT",
        cancel_replace_mode="STOP_ON_FAILURE",
        cancel_order_id=old.order_id,
        side="BUY",
        type="LIMIT",
        time_in_force="GTC",
        price="50001",
        quantity="0.001",
    )
    sent = last_params(ex, "order.cancelReplace")
    assert is_generated(sent["newClientOrderId"])
    assert "cancelNewClientOrderId" not in sent and "cancelOrigClientOrderId" not in sent
    assert outcome.new_order_response is not None
    assert outcome.new_order_response.client_order_id == sent["newClientOrderId"]
    client.order_cancel(symbol="BTCUSDT", orig_client_order_id=sent["newClientOrderId"])


def test_sor_order_place_gets_an_id(ex: LocalExchange, client: Client) -> None:
    result = client.sor_order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
    sent = last_params(ex, "sor.order.place")["newClientOrderId"]
    assert is_generated(sent) and [r.client_order_id for r in result] == [sent]


def test_cancels_and_test_orders_get_no_made_up_id(ex: LocalExchange, client: Client) -> None:
    order = client.order_place(**resting_buy())
    client.order_cancel(symbol="BTCUSDT", order_id=order.order_id)
    assert "newClientOrderId" not in last_params(ex, "order.cancel")
    client.order_test(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
    assert "newClientOrderId" not in last_params(ex, "order.test")
