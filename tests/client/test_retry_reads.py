"""Read-only requests are sent once more after a 5xx or a lost connection; nothing else is.

On the local exchange, with faults aimed at the test's own connection; what the exchange
received tells how many times a request was sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from exchange_helpers import unique_tag

import binance_ws as bw
from binance_ws import Client
from binance_ws._errors import _advice
from binance_ws._spec import METHODS
from binance_ws.exchange import LocalExchange
from binance_ws.models import AccountInfo, OrderBook


@pytest.fixture(scope="module")
def ex() -> Iterator[LocalExchange]:
    with LocalExchange(enforce_limits=False, book_levels=20) as exchange:
        yield exchange


class Tagged:
    def __init__(self, ex: LocalExchange, name: str, **kwargs: Any) -> None:
        self.ex = ex
        self.tag = unique_tag(name)
        key = ex.keys.hmac
        options: dict[str, Any] = {"timeout": 5, **kwargs}
        self.client = Client(
            ex.url_for(self.tag), api_key=key.api_key, api_secret=key.api_secret, **options
        ).connect()
        self.start = len(ex.requests)

    def count(self, method: str) -> int:
        """Requests of ``method`` the exchange received since this client connected."""
        return sum(1 for wire, _ in self.ex.requests[self.start :] if wire == method)


@pytest.fixture
def make(ex: LocalExchange, request: pytest.FixtureRequest) -> Iterator[Any]:
    made: list[Tagged] = []

    def factory(**kwargs: Any) -> Tagged:
        made.append(Tagged(ex, request.node.name, **kwargs))
        return made[-1]

    yield factory
    for tagged in made:
        tagged.client.close()
        assert tagged.client.pending_count == 0
        ex.faults.clear(tagged.tag)


def test_a_5xx_on_depth_succeeds_after_one_retry(make: Any) -> None:
    t = make()
    t.ex.fail_next("depth", 503, connection=t.tag)
    book = t.client.depth(symbol="BTCUSDT", limit=5)
    assert type(book) is OrderBook and len(book.bids or []) == 5
    assert t.count("depth") == 2


def test_a_5xx_on_account_status_succeeds_signed_afresh(make: Any) -> None:
    t = make(recv_window=5000)
    t.ex.fail_next("account.status", 500, connection=t.tag)
    info = t.client.account_status()
    assert type(info) is AccountInfo and info.balances
    sent = [p for w, p in t.ex.requests[t.start :] if w == "account.status"]
    assert len(sent) == 2 and all(p["signature"] and p["recvWindow"] == 5000 for p in sent)


def test_a_drop_mid_read_succeeds_after_the_reconnect(make: Any) -> None:
    t = make()
    t.ex.drop_next("depth", connection=t.tag)
    book = t.client.depth(symbol="BTCUSDT", limit=5)
    assert type(book) is OrderBook and len(book.asks or []) == 5
    assert t.client.reconnects == 1 and t.count("depth") == 2


def test_a_drop_mid_signed_read_succeeds_after_the_reconnect(make: Any) -> None:
    t = make()
    t.ex.drop_next("account.status", connection=t.tag)
    assert type(t.client.account_status()) is AccountInfo
    assert t.client.reconnects == 1 and t.count("account.status") == 2


def test_raw_reads_are_retried_too(make: Any) -> None:
    t = make()
    t.ex.fail_next("depth", 503, connection=t.tag)
    response = t.client.request("depth", {"symbol": "BTCUSDT", "limit": 5})
    assert response.status == 200 and len(response.result["bids"]) == 5
    assert t.count("depth") == 2


def test_retry_reads_false_raises(make: Any) -> None:
    t = make(retry_reads=False)
    t.ex.fail_next("depth", 503, connection=t.tag)
    with pytest.raises(bw.ServerError) as info:
        t.client.depth(symbol="BTCUSDT")
    assert info.value.status == 503 and t.count("depth") == 1
    t.ex.drop_next("depth", connection=t.tag)
    with pytest.raises(bw.ConnectionClosedError):
        t.client.depth(symbol="BTCUSDT")
    assert t.count("depth") == 2  # the drop's one request, not resent


def test_only_one_retry(make: Any) -> None:
    t = make()
    t.ex.fail_next("depth", 503, times=3, connection=t.tag)
    with pytest.raises(bw.ServerError):
        t.client.depth(symbol="BTCUSDT")
    assert t.count("depth") == 2
    assert t.ex.faults.pending(t.tag) == 1


def test_the_retry_stays_within_the_calls_timeout(make: Any) -> None:
    t = make()
    t.ex.fail_next("depth", 503, connection=t.tag)
    t.ex.delay_next("depth", 2.0, connection=t.tag)
    with pytest.raises(bw.RequestTimeoutError) as info:
        t.client.depth(symbol="BTCUSDT", timeout=0.5)
    assert info.value.timeout <= 0.5 and t.count("depth") == 2


def test_a_timeout_is_not_retried(make: Any) -> None:
    t = make()
    t.ex.delay_next("depth", 1.0, connection=t.tag)
    with pytest.raises(bw.RequestTimeoutError):
        t.client.depth(symbol="BTCUSDT", timeout=0.3)
    assert t.count("depth") == 1


def test_no_retry_without_reconnect(make: Any) -> None:
    t = make(reconnect=False)
    t.ex.drop_next("depth", connection=t.tag)
    with pytest.raises(bw.ConnectionClosedError) as info:
        t.client.depth(symbol="BTCUSDT")
    assert info.value.sent is True and t.count("depth") == 1


@pytest.mark.parametrize("fault", ["fail", "drop"])
def test_a_state_changing_call_is_never_retried(make: Any, fault: str) -> None:
    t = make()
    if fault == "fail":
        t.ex.fail_next("order.place", 503, connection=t.tag)
    else:
        t.ex.drop_next("order.place", connection=t.tag)
    with pytest.raises(bw.ExecutionUnknownError):
        t.client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
    assert t.client.ping() is not None  # (after the reconnect, for the drop)
    assert t.count("order.place") == 1


def test_raw_requests_retry_only_known_reads(make: Any, ex: LocalExchange) -> None:
    t = make()
    t.ex.fail_next("someNewMethod", 503, connection=t.tag)
    with pytest.raises(bw.ServerError):
        t.client.request("someNewMethod")
    assert t.count("someNewMethod") == 1
    t.ex.fail_next("order.place", 503, connection=t.tag)
    with pytest.raises(bw.ServerError):
        t.client.request("order.place", {"symbol": "BTCUSDT"})
    assert t.count("order.place") == 1
    t.ex.fail_next("session.status", 503, connection=t.tag)  # not read-only: a session method
    with pytest.raises(bw.ServerError):
        t.client.request("session.status")
    assert t.count("session.status") == 1


def test_retry_reads_must_be_a_bool() -> None:
    with pytest.raises(bw.InvalidParameterError) as info:
        Client("ws://127.0.0.1:9/ws-api/v3", retry_reads="yes")  # type: ignore[arg-type]
    assert info.value.param == "retry_reads"


def test_read_only_errors_never_say_query_the_order() -> None:
    for wire, spec in METHODS.items():
        if spec.read_only:
            errors = [
                bw.ServerError(503, -1008, "x", method=wire),
                bw.RequestTimeoutError(wire, 1, 1.0),
                bw.ConnectionClosedError("gone", method=wire),
            ]
            for err in errors:
                assert "query" not in str(err) and "resolve_unknown" not in str(err), (wire, str(err))
                assert "safe to retry" in str(err)
            assert "query" not in _advice(wire)
