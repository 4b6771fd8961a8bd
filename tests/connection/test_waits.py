"""Waits off the main thread: one unsliced wait that still honours its timeout."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from exchange_helpers import Tagged

import binance_ws as bw
from binance_ws import Client


def test_timeout_in_a_worker_thread(tagged: Tagged) -> None:
    client = tagged.client
    tagged.exchange.delay_next("time", 0.8, connection=tagged.tag)

    def call() -> float:
        t0 = time.monotonic()
        with pytest.raises(bw.RequestTimeoutError):
            client.time(timeout=0.25)
        return time.monotonic() - t0

    with ThreadPoolExecutor(1) as pool:
        took = pool.submit(call).result(5)
    assert 0.2 < took < 3  # at its timeout, not at the late answer; loose for busy machines
    assert client.pending_count == 0


def test_answer_in_a_worker_thread(client: Client) -> None:
    with ThreadPoolExecutor(4) as pool:
        times = list(pool.map(lambda _: client.time().server_time, range(40)))
    assert all(isinstance(t, int) and t > 1_600_000_000_000 for t in times)


def test_slot_is_a_one_shot_event() -> None:
    from binance_ws._pending import PendingTable

    table = PendingTable()
    slot = table.register(1, "ping")
    assert not slot.is_set()
    t0 = time.monotonic()
    assert slot.wait(0.05) is False  # times out, stays unset
    assert time.monotonic() - t0 >= 0.04
    assert table.resolve(1, {"id": 1, "status": 200}) is True
    assert slot.is_set() and slot.wait(0.0) and slot.wait(0.0)  # stays set for every wait
    assert slot.frame == {"id": 1, "status": 200}
    assert table.resolve(1, {"id": 1}) is False  # already taken: a late duplicate is dropped


def test_slot_wakes_a_waiting_thread_and_fail_all_wakes_the_rest() -> None:
    from binance_ws._pending import PendingTable

    table = PendingTable()
    slots = [table.register(i, "ping") for i in range(3)]
    with ThreadPoolExecutor(3) as pool:
        waits = [pool.submit(slot.wait, 5.0) for slot in slots]
        table.resolve(0, {"id": 0, "status": 200})
        assert waits[0].result(2) is True
        assert table.fail_all("gone") == 2
        assert [w.result(2) for w in waits[1:]] == [True, True]
    assert isinstance(slots[1].error, bw.ConnectionClosedError)
    assert slots[0].error is None
    with pytest.raises(bw.ConnectionClosedError):
        table.register(9, "ping")  # refused after the fan-out
