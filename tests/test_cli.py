"""The command line: the demo session and the standalone exchange."""

from __future__ import annotations

import subprocess
import sys

from binance_ws import Client


def test_demo_runs() -> None:
    out = subprocess.run(  # noqa: PLW1510 - the return code is asserted
        [sys.executable, "-m", "binance_ws", "demo"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "Server time:" in out.stdout
    assert "BTCUSDT order book" in out.stdout
    assert "Caught BadRequestError" in out.stdout and "-1121" in out.stdout


def test_exchange_prints_url_first_and_serves() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "binance_ws", "exchange", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("ws://127.0.0.1:") and url.endswith("/ws-api/v3")
        with Client(url, timeout=5) as c:
            assert c.request("ping").status == 200
    finally:
        proc.terminate()
        proc.wait(10)
