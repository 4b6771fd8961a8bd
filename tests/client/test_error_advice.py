"""The advice of a timeout, a 5xx or a lost connection fits the method that failed.

A request that changes state (TRADE security, served by the matching engine) may have
executed: its error says so and names the query that finds out. Any other request changed no
order, so its error says it is safe to retry and never mentions querying an order. The table
checks run over every method; the end-to-end checks inject the faults into the local exchange.
"""

from __future__ import annotations

import inspect
import pickle
import uuid
from collections.abc import Iterator

import pytest
from exchange_helpers import Tagged, no_reconnect_client, unique_tag

import binance_ws as bw
from binance_ws import Client
from binance_ws._errors import error_for_response
from binance_ws._spec import METHODS
from binance_ws.exchange import LocalExchange
from binance_ws.models import Empty, Order, OrderBook
from tools import reference

# Written out from the protocol reference: the TRADE methods the matching engine serves.
STATE_CHANGING = {
    "order.place",
    "order.cancel",
    "order.cancelReplace",
    "order.amend.keepPriority",
    "openOrders.cancelAll",
    "orderList.place",
    "orderList.place.oco",
    "orderList.place.oto",
    "orderList.place.otoco",
    "orderList.place.opo",
    "orderList.place.opoco",
    "orderList.cancel",
    "sor.order.place",
}
READ_ONLY = "nothing was changed by this read-only request: it is safe to retry"
NO_ORDER = "this request places, cancels and amends no order: it is safe to retry"
UNKNOWN = "execution status is unknown: query the order (e.g. order_status(symbol=..., orig_client_order_id=...)) before retrying"
NOT_SENT = "the request was not sent, so it did not execute: it is safe to retry"


def _three_errors(method: str) -> list[bw.RequestTimeoutError | bw.ServerError | bw.ConnectionClosedError]:
    server = error_for_response(
        503, {"code": -1008, "msg": "Server is busy."}, method=method, request_id=11, rate_limits=()
    )
    assert isinstance(server, bw.ServerError)
    return [
        bw.RequestTimeoutError(method, 10, 0.3),
        server,
        bw.ConnectionClosedError("connection lost", method=method, request_id=12),
    ]


# -- the table ---------------------------------------------------------------------------------


def test_changes_state_is_trade_on_the_matching_engine() -> None:
    records = reference.methods()
    derived = {
        r["method"] for r in records if r["security"] == "TRADE" and r["data_source"] == "Matching Engine"
    }
    table = {wire for wire, spec in METHODS.items() if spec.changes_state}
    assert table == derived == STATE_CHANGING
    for record in records:
        spec = METHODS[record["method"]]
        assert spec.data_source == record["data_source"]
        assert type(spec.changes_state) is bool and type(spec.read_only) is bool
    # The test orders, the session and the stream methods change no order.
    for wire in ("order.test", "sor.order.test", "session.logon", "userDataStream.subscribe"):
        assert METHODS[wire].changes_state is False
    assert METHODS["order.test"].read_only and METHODS["order.status"].read_only
    assert not METHODS["session.logon"].read_only and not METHODS["userDataStream.subscribe"].read_only


@pytest.mark.parametrize("method", sorted(METHODS))
def test_advice_matches_changes_state(method: str) -> None:
    spec = METHODS[method]
    for exc in _three_errors(method):
        text = str(exc)
        assert exc.changes_state is spec.changes_state, type(exc).__name__
        assert exc.method == method and text.startswith(method)
        if spec.changes_state:
            assert "; execution status is unknown: query the " in text and text.endswith(" before retrying")
            assert "safe to retry" not in text
        else:
            assert text.endswith("; " + (READ_ONLY if spec.read_only else NO_ORDER))
            assert "query" not in text and "status is unknown" not in text
        clone = pickle.loads(pickle.dumps(exc))
        assert type(clone) is type(exc) and clone.changes_state is exc.changes_state and str(clone) == text
    # Not sent: certainly not executed, whatever the method.
    unsent = bw.ConnectionClosedError("not connected", method=method, request_id=13, sent=False)
    assert unsent.changes_state is spec.changes_state
    assert str(unsent) == f"{method} (id=13): connection closed (not connected); {NOT_SENT}"


@pytest.mark.parametrize(
    ("method", "query", "params"),
    [
        ("order.place", "order_status", {"symbol", "orig_client_order_id"}),
        ("sor.order.place", "order_status", {"symbol", "orig_client_order_id"}),
        ("orderList.place.oco", "order_list_status", {"orig_client_order_id"}),
        ("orderList.cancel", "order_list_status", {"orig_client_order_id"}),
        ("openOrders.cancelAll", "open_orders_status", {"symbol"}),
    ],
)
def test_the_named_query_exists(method: str, query: str, params: set[str]) -> None:
    # The advice names a facade method and its parameters: they must be real.
    text = str(bw.RequestTimeoutError(method, 1, 0.3))
    shown = ", ".join(f"{p}=..." for p in sorted(params, key=lambda p: p != "symbol"))
    assert f"(e.g. {query}({shown}))" in text
    assert params <= set(inspect.signature(getattr(Client, query)).parameters)


def test_a_method_the_table_lacks_keeps_the_cautious_advice() -> None:
    for exc in _three_errors("someNewMethod"):
        assert exc.changes_state is None
        assert str(exc).endswith("; " + UNKNOWN)
    nameless = bw.ConnectionClosedError("connection lost")
    assert nameless.method is None and nameless.changes_state is None
    assert str(nameless) == f"connection closed (connection lost); {UNKNOWN}"


# -- end to end on the local exchange -----------------------------------------------------------


def _order(client: Client, cid: str, *, timeout: float | None = None) -> object:
    return client.order_place(
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        time_in_force="GTC",
        price="50000",
        quantity="0.001",
        new_client_order_id=cid,
        timeout=timeout,
    )


def _cid() -> str:
    return f"advice-{uuid.uuid4().hex[:16]}"


def test_503_on_depth_says_retry(tagged: Tagged) -> None:
    client = tagged.client
    tagged.exchange.fail_next("depth", 503, times=2, connection=tagged.tag)  # and its one retry
    with pytest.raises(bw.ServerError) as info:
        client.depth(symbol="BTCUSDT", limit=5)
    exc = info.value
    assert (exc.status, exc.method, exc.changes_state) == (503, "depth", False)
    assert str(exc) == f"depth [503] {exc.code}: {exc.msg} (id={exc.request_id}); {READ_ONLY}"
    assert "query" not in str(exc)
    book = client.depth(symbol="BTCUSDT", limit=5)  # and the retry works
    assert type(book) is OrderBook and len(book.bids or []) == 5


def test_503_on_order_place_says_query_first(signed_tagged: Tagged) -> None:
    signed_client = signed_tagged.client
    signed_tagged.exchange.fail_next("order.place", 503, connection=signed_tagged.tag)
    cid = _cid()
    with pytest.raises(bw.ServerError) as info:
        _order(signed_client, cid)
    exc = info.value
    assert (exc.status, exc.method, exc.changes_state) == (503, "order.place", True)
    assert str(exc).endswith(
        "; execution status is unknown: query the order "
        f"(order_status(symbol='BTCUSDT', orig_client_order_id={cid!r})) before retrying "
        f"(or call client.resolve_unknown(err)) [sent: symbol=BTCUSDT clientOrderId={cid}]"
    )
    # The recipe: this 503 came before the engine, so the order does not exist.
    with pytest.raises(bw.BadRequestError) as lookup:
        signed_client.order_status(symbol="BTCUSDT", orig_client_order_id=cid)
    assert (lookup.value.code, lookup.value.msg) == (-2013, "Order does not exist.")


def test_timeout_on_depth_says_retry(tagged: Tagged) -> None:
    client = tagged.client
    tagged.exchange.delay_next("depth", 1, connection=tagged.tag)
    with pytest.raises(bw.RequestTimeoutError) as info:
        client.depth(symbol="BTCUSDT", limit=5, timeout=0.3)
    exc = info.value
    assert (exc.method, exc.timeout, exc.changes_state) == ("depth", 0.3, False)
    assert str(exc) == f"depth (id={exc.request_id}): no response within 0.3 s; {READ_ONLY}"
    assert type(client.depth(symbol="BTCUSDT", limit=5)) is OrderBook


@pytest.fixture
def fresh_signed() -> Iterator[Client]:
    # Its own exchange: this test leaves an order resting on the book.
    with LocalExchange() as ex:
        key = ex.keys.hmac
        with Client(ex.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5) as client:
            ex.delay_next("order.place", 1)
            yield client


def test_timeout_on_order_place_then_the_recipe_finds_it(fresh_signed: Client) -> None:
    cid = _cid()
    with pytest.raises(bw.RequestTimeoutError) as info:
        _order(fresh_signed, cid, timeout=0.3)
    exc = info.value
    assert (exc.method, exc.changes_state) == ("order.place", True)
    assert "no response within 0.3 s; execution status is unknown: query the order" in str(exc)
    # It did execute (only its answer was late): resending blindly would have bought twice.
    order = fresh_signed.order_status(symbol="BTCUSDT", orig_client_order_id=cid)
    assert type(order) is Order
    assert order.client_order_id == cid and order.status is bw.enums.OrderStatus.NEW


def test_drop_on_depth_says_retry_and_the_client_says_how(exchange: LocalExchange) -> None:
    tag = unique_tag("drop-on-depth")
    # A client that reconnects (unlike ``tagged``'s): its URL, and so its tag, survive the drop.
    # retry_reads=False: the error is under test, not the automatic retry of a read.
    with Client(exchange.url_for(tag), timeout=5, retry_reads=False) as client:
        exchange.drop_next("depth", connection=tag)
        with pytest.raises(bw.ConnectionClosedError) as info:
            client.depth(symbol="BTCUSDT")
        exc = info.value
        assert (exc.method, exc.sent, exc.changes_state) == ("depth", True, False)
        assert str(exc).endswith(f"; {READ_ONLY}") and "query" not in str(exc)
        # The retry works on the same client: it waits for the reconnect within its timeout.
        assert type(client.depth(symbol="BTCUSDT", limit=5)) is OrderBook
        assert client.reconnects == 1


def test_a_client_closed_by_a_drop_says_how(exchange: LocalExchange) -> None:
    tag = unique_tag("closed-by-a-drop")
    with no_reconnect_client(exchange.url_for(tag), timeout=5) as once:
        exchange.drop_next("depth", connection=tag)
        with pytest.raises(bw.ConnectionClosedError):
            once.depth(symbol="BTCUSDT")
        with pytest.raises(bw.ClientClosedError) as closed:
            once.depth(symbol="BTCUSDT")
        assert str(closed.value).startswith("depth: this client was closed (")
        assert str(closed.value).endswith("); create a new Client")
    with Client(exchange.url, timeout=5) as again:
        assert type(again.depth(symbol="BTCUSDT", limit=5)) is OrderBook


def test_drop_on_order_place_says_query_first(signed_tagged: Tagged) -> None:
    signed_tagged.exchange.drop_next("order.place", connection=signed_tagged.tag)
    with pytest.raises(bw.ConnectionClosedError) as info:
        _order(signed_tagged.client, _cid())
    exc = info.value
    assert (exc.method, exc.sent, exc.changes_state) == ("order.place", True, True)
    assert "execution status is unknown: query the order (order_status(symbol='BTCUSDT'" in str(exc)


def test_raw_unknown_method_keeps_the_cautious_advice(tagged: Tagged) -> None:
    tagged.exchange.fail_next("someNewMethod", 503, connection=tagged.tag)
    with pytest.raises(bw.ServerError) as info:
        tagged.client.request("someNewMethod")
    assert (info.value.method, info.value.changes_state) == ("someNewMethod", None)
    assert str(info.value).endswith("; " + UNKNOWN)


def test_client_closed_advice_is_what_works(exchange: LocalExchange) -> None:
    c = Client(exchange.url, timeout=5)
    try:
        with pytest.raises(bw.ClientClosedError) as unopened:
            c.ping()
        assert str(unopened.value) == (
            "ping: the client is not connected yet; call connect() or use it in a with block"
        )
        assert c.connect() is c  # the advice works
        assert type(c.ping()) is Empty
    finally:
        c.close()
    with pytest.raises(bw.ClientClosedError) as closed:
        c.ping()
    assert str(closed.value) == "ping: this client was closed; create a new Client"
    with pytest.raises(bw.ClientClosedError, match="create a new Client"):
        c.connect()  # connect() would not have worked: the advice does not suggest it
