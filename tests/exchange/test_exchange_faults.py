"""Random faults and stray frames of the local exchange (the chaos run's noise), and a 5xx
answered after the request executed."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import pytest
import websocket
from exchange_helpers import hang_up, raw_call, raw_connect, signed, wait_until

import binance_ws as bw
from binance_ws import Client
from binance_ws.exchange import LocalExchange
from binance_ws.exchange.server.faults import Fault, FaultOdds, FaultPlan


@pytest.fixture
def fresh() -> Iterator[LocalExchange]:
    with LocalExchange(book_levels=20) as ex:
        yield ex


def _ioc(cid: str) -> dict[str, object]:
    # A buy far below the book: accepted, then expired at once (nothing rests, nothing fills).
    return {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "IOC",
        "price": "50000",
        "quantity": "0.001",
        "newClientOrderId": cid,
    }


def _has_order(ex: LocalExchange, cid: str) -> bool:
    return any(o.client_order_id == cid for o in list(ex.engine.orders.values()))


def test_random_errors_answer_a_5xx_without_executing(fresh: LocalExchange) -> None:
    ws = raw_connect(fresh.url)
    try:
        fresh.random_faults(error=1.0)
        answer = raw_call(ws, "order.place", signed(fresh, _ioc("rand-err-1")))
        assert answer["id"] == 1 and answer["status"] in (500, 503)
        assert type(answer["error"]["code"]) is int
        assert not _has_order(fresh, "rand-err-1")
        fresh.random_faults()  # all zero: off
        answer = raw_call(ws, "ping", rid=2)
        assert (answer["id"], answer["status"], answer["result"]) == (2, 200, {})
    finally:
        hang_up(ws)


def test_errors_after_execution_leave_the_order_placed(fresh: LocalExchange) -> None:
    ws = raw_connect(fresh.url)
    try:
        fresh.random_faults(error_executed=1.0)
        answer = raw_call(ws, "order.place", signed(fresh, _ioc("rand-exec-1")))
        assert answer["status"] in (500, 503) and "result" not in answer
        assert _has_order(fresh, "rand-exec-1")
        fresh.random_faults()
        fresh.fail_next("order.place", 503, executed=True)
        answer = raw_call(ws, "order.place", signed(fresh, _ioc("next-exec-1")), rid=2)
        assert (answer["id"], answer["status"]) == (2, 503)
        assert _has_order(fresh, "next-exec-1")
        fresh.fail_next("order.place", 503)  # not executed: the order is not there
        assert raw_call(ws, "order.place", signed(fresh, _ioc("next-503-1")), rid=3)["status"] == 503
        assert not _has_order(fresh, "next-503-1")
    finally:
        hang_up(ws)


def test_the_client_sees_an_executed_5xx_as_execution_unknown(fresh: LocalExchange) -> None:
    key = fresh.keys.hmac
    with Client(fresh.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5) as c:
        fresh.fail_next("order.place", 500, executed=True)
        with pytest.raises(bw.ServerError) as caught:
            c.order_place(
                symbol="BTCUSDT",
                side="BUY",
                type="LIMIT",
                time_in_force="IOC",
                price="50000",
                quantity="0.001",
                new_client_order_id="client-exec-1",
            )
        assert isinstance(caught.value, bw.ExecutionUnknownError) and caught.value.changes_state is True
        order = c.order_status(symbol="BTCUSDT", orig_client_order_id="client-exec-1")
        assert order.client_order_id == "client-exec-1" and str(order.status) == "EXPIRED"


def test_random_wrong_ids_duplicates_and_garbage(fresh: LocalExchange) -> None:
    ws = raw_connect(fresh.url)
    try:
        fresh.random_faults(wrong_id=1.0)
        answer = raw_call(ws, "ping", rid=7)
        assert answer["id"] == "not-7" and answer["status"] == 200
        fresh.random_faults(duplicate=1.0)
        first = raw_call(ws, "ping", rid=8)
        assert json.loads(ws.recv()) == first and first["id"] == 8
        fresh.random_faults(garbage=1.0, seed=3)
        ws.send(json.dumps({"id": 9, "method": "ping"}))
        frames: list[object] = []
        for _ in range(3):  # the stray frame, then the answer
            opcode, data = ws.recv_data()
            frames.append(data)
            if opcode == websocket.ABNF.OPCODE_TEXT and data.startswith(b'{"id":9'):
                break
        assert len(frames) == 2 and json.loads(frames[1])["status"] == 200  # type: ignore[arg-type]
    finally:
        hang_up(ws)


def test_random_delays_still_answer(fresh: LocalExchange) -> None:
    ws = raw_connect(fresh.url)
    try:
        fresh.random_faults(delay=1.0, max_delay=0.2)
        assert raw_call(ws, "ping", rid=5)["id"] == 5
    finally:
        hang_up(ws)


def test_odds_aim_at_their_connection_only(fresh: LocalExchange) -> None:
    fresh.random_faults(error=1.0, connection="noisy")
    quiet, noisy = raw_connect(fresh.url), raw_connect(fresh.url_for("noisy"))
    try:
        assert raw_call(quiet, "ping")["status"] == 200
        assert raw_call(noisy, "ping")["status"] in (500, 503)
        fresh.faults.clear("noisy")
        assert raw_call(noisy, "ping", rid=2)["status"] == 200
    finally:
        hang_up(quiet, noisy)


def test_a_queued_fault_comes_before_the_odds() -> None:
    plan = FaultPlan()
    plan.set_odds(FaultOdds(duplicate=1.0))
    plan.add("ping", Fault(drop=True))
    assert plan.take("ping") == Fault(drop=True)
    assert plan.take("ping") == Fault(duplicate=True)
    plan.clear()
    assert plan.take("ping") is None


def test_a_seed_repeats_the_draws() -> None:
    odds = FaultOdds(delay=0.2, error=0.1, garbage=0.1, wrong_id=0.1, duplicate=0.1, max_delay=2.0)
    first, second = random.Random(42), random.Random(42)
    assert [odds.draw(first) for _ in range(50)] == [odds.draw(second) for _ in range(50)]
    rng = random.Random(1)
    many = [odds.draw(rng) for _ in range(2000)]
    kinds = {type(f).__name__ for f in many}
    assert kinds == {"Fault", "NoneType"}
    delays = [f.delay for f in many if f is not None and f.delay]
    assert delays and all(0 < d <= 2.0 for d in delays)
    assert 0.3 < sum(f is None for f in many) / len(many) < 0.5  # faults add up to 0.6


@pytest.mark.parametrize(
    "kwargs",
    [
        {"error": 0.6, "delay": 0.6},
        {"garbage": -0.1},
        {"wrong_id": float("nan")},
        {"duplicate": True},
        {"max_delay": 0},
        {"statuses": (429,)},
    ],
)
def test_odds_are_checked(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FaultOdds(**kwargs)  # type: ignore[arg-type]


def test_send_garbage_reaches_every_connection_and_the_client_carries_on(fresh: LocalExchange) -> None:
    ws = raw_connect(fresh.url)
    try:
        with Client(fresh.url, timeout=5, reconnect=False) as c:
            assert wait_until(lambda: fresh.connection_count == 2)
            assert fresh.send_garbage() == 2
            assert ws.recv() == "}{ not json"
            assert fresh.send_garbage(b"\x00\x01", connection="nobody") == 0
            fresh.send_garbage('{"id": 1, "status": 200, "result": {}}')  # an answer nobody waits for
            fresh.send_garbage(b"\x00\xff")  # binary: skipped by the client
            assert c.request("ping").result == {} and c.pending_count == 0
            assert c.state is bw.ClientState.OPEN
        with pytest.raises(TypeError):
            fresh.send_garbage(42)  # type: ignore[arg-type]
    finally:
        hang_up(ws)
