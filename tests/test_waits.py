"""Waits off the main thread: one unsliced wait that still honours its timeout."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import binance_ws as bw
from binance_ws import Client
from binance_ws.exchange import LocalExchange


def test_timeout_in_a_worker_thread(exchange: LocalExchange, client: Client) -> None:
    exchange.delay_next("time", 0.8)

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
