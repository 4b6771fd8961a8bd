"""A short chaos run (``python -m bench.chaos`` with small numbers): every figure is 0.

The low-rate-limit chaos is off here: the client does not pace itself to the server's limits
yet, so that figure would not be 0.
"""

from __future__ import annotations

import io

import pytest

from bench.chaos import FIGURES, main, print_report, run_chaos


def test_a_short_chaos_run_leaves_every_figure_at_zero() -> None:
    out = io.StringIO()
    result = run_chaos(threads=4, duration=4.0, seed=20261202, rate_limits=False, progress_every=1e9, out=out)
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
