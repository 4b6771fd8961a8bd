"""The command line: the demo session and the standalone exchange."""

from __future__ import annotations

import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

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


def _start_exchange(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """Start ``python -m binance_ws exchange``; returns the process and its banner lines."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "binance_ws", "exchange", "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines = []
    for _ in range(10):
        line = proc.stdout.readline().rstrip("\n")
        lines.append(line)
        if line.startswith("Press Ctrl-C") or not line:
            break
    return proc, lines


def _fields(line: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in line.split()[1:])


def test_exchange_prints_demo_keys_that_work() -> None:
    proc, lines = _start_exchange("--balance", "USDT=500", "--balance", "btc=0.25")
    try:
        url = lines[0]
        assert url.startswith("ws://127.0.0.1:")
        hmac_line = next(line for line in lines if line.startswith("HMAC "))
        ed_line = next(line for line in lines if line.startswith("Ed25519 "))
        rsa_line = next(line for line in lines if line.startswith("RSA "))
        hmac_key = _fields(hmac_line)
        assert len(hmac_key["api_key"]) == 64 and len(hmac_key["api_secret"]) == 64
        for line in (ed_line, rsa_line):
            key = _fields(line)
            pem = Path(key["private_key"]).read_text()
            assert pem.startswith("-----BEGIN PRIVATE KEY-----")
        assert "Demo account balances: BTC=0.25, USDT=500" in lines
        with Client(url, api_key=hmac_key["api_key"], api_secret=hmac_key["api_secret"], timeout=5) as c:
            account = c.account_status()
            free = {b.asset: b.free for b in account.balances or []}
            assert free["USDT"] == Decimal("500") and free["BTC"] == Decimal("0.25")
        ed_key = _fields(ed_line)
        with Client(url, api_key=ed_key["api_key"], private_key=ed_key["private_key"], timeout=5) as c:
            assert c.session_logon().api_key == ed_key["api_key"]
    finally:
        proc.terminate()
        proc.wait(10)
    # A terminated exchange removes its key files.
    assert not Path(_fields(ed_line)["private_key"]).exists()


def test_exchange_rejects_a_malformed_balance() -> None:
    out = subprocess.run(  # noqa: PLW1510 - the return code is asserted
        [sys.executable, "-m", "binance_ws", "exchange", "--balance", "USDT:5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "expected ASSET=AMOUNT" in out.stderr


def test_exchange_with_scripted_market_moves_prices() -> None:
    proc, lines = _start_exchange("--scripted-market")
    try:
        assert any(line.startswith("Scripted market: on") for line in lines)
        with Client(lines[0], timeout=5) as c:
            first = c.request("trades.recent", {"symbol": "BTCUSDT", "limit": 1}).result[0]["id"]
            deadline = time.monotonic() + 10
            last = first
            while last == first and time.monotonic() < deadline:
                time.sleep(0.1)
                last = c.request("trades.recent", {"symbol": "BTCUSDT", "limit": 1}).result[0]["id"]
            assert last != first, "the scripted market made no trade in 10 s"
    finally:
        proc.terminate()
        proc.wait(10)
