"""A short chaos run (``python -m bench.chaos`` with small numbers): every figure is 0.

The low-rate-limit chaos is off here: the client does not pace itself to the server's limits
yet, so that figure would not be 0.
"""

from __future__ import annotations

import io
import time

import pytest

import binance_ws as bw
from bench.chaos import FIGURES, main, print_report, run_chaos
from bench.chaos_tally import Tally, check_account, check_depth, check_klines, check_order
from binance_ws import Client


def test_a_short_chaos_run_leaves_every_figure_at_zero() -> None:
    out = io.StringIO()
    result = run_chaos(threads=4, duration=4.0, seed=20261202, rate_limits=True, progress_every=1e9, out=out)
    report = io.StringIO()
    clean = print_report(result, report)
    for key, label in FIGURES:
        assert type(result[key]) is int
        assert result[key] == 0, f"{label}: {result[key]}\n{report.getvalue()}"
    assert clean is True and "verdict: clean" in report.getvalue()
    # The run did something: calls of every kind, and the chaos thread acted.
    assert result["calls"] > 0 and set(result["calls_by_kind"]) >= {"depth", "klines", "order"}
    assert sum(result["episodes"].values()) > 0
    orders = result["orders"]
    assert orders["accepted"] > 0 and orders["accepted"] <= orders["sent"]
    assert orders["lost"] == orders["phantom"] == 0


def test_the_command_fails_on_bad_arguments() -> None:
    with pytest.raises(SystemExit) as info:
        main(["--threads", "0"])
    assert info.value.code == 2


def test_the_checks_catch_an_answer_meant_for_another_caller(client: Client) -> None:
    book = client.depth(symbol="BTCUSDT", limit=5)
    assert check_depth(book, "BTCUSDT", 5) is None
    assert "5 bids and 5 asks" in (check_depth(book, "BTCUSDT", 6) or "")
    assert "another symbol" in (check_depth(book, "ETHUSDT", 5) or "")
    rows = client.klines(symbol="BNBUSDT", interval="1m", limit=3)
    assert check_klines(rows, "BNBUSDT", "1m", 3) is None
    assert "spans" in (check_klines(rows, "BNBUSDT", "5m", 3) or "")
    assert "another symbol" in (check_klines(rows, "BNBBTC", "1m", 3) or "")
    assert check_klines(book, "BNBUSDT", "1m", 3) is not None
    assert check_order(book, "cid", "BTCUSDT") is not None
    assert check_account(book) is not None


def test_the_tally_counts_overruns_and_server_refusals_only() -> None:
    tally = Tally(grace=0.05)

    def slow(*, timeout: float) -> str:
        time.sleep(timeout + 0.2)
        return "late"

    assert tally.timed("slow", 0.01, slow) == "late"
    assert len(tally.overruns) == 1 and tally.overruns[0].startswith("slow:")
    refusal = bw.RateLimitedError(429, -1003, "too much", method="depth")

    def refused(*, timeout: float) -> None:
        raise refusal

    def held(*, timeout: float) -> None:
        raise refusal.held_back("depth")

    for call in (refused, held):
        with pytest.raises(bw.RateLimitedError):
            tally.timed("depth", 1.0, call)
    assert tally.server_limits == 1 and tally.calls == 3
