"""The command line: ``exchange`` in a subprocess, the other commands in-process with ``main()``."""

from __future__ import annotations

import configparser
import csv
import datetime as dt
import importlib
import json
import re
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from binance_ws import Client
from binance_ws.cli import build_parser, main
from binance_ws.cli._commands import _client
from binance_ws.cli._table import cell
from binance_ws.exchange import LocalExchange


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

            def last_trades() -> list[int]:
                # It trades one of three symbols at random every 0.25 s: watch all three.
                return [
                    c.request("trades.recent", {"symbol": s, "limit": 1}).result[0]["id"]
                    for s in ("BTCUSDT", "ETHUSDT", "BNBUSDT")
                ]

            first = last_trades()
            deadline = time.monotonic() + 30
            last = first
            while last == first and time.monotonic() < deadline:
                time.sleep(0.1)
                last = last_trades()
            assert last != first, "the scripted market made no trade in 30 s"
    finally:
        proc.terminate()
        proc.wait(10)


# -- in-process: main([...]) against the shared LocalExchange ---------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def keys(exchange: LocalExchange, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The demo HMAC key, given to the command line as it is meant to be: by environment."""
    key = exchange.keys.hmac
    monkeypatch.setenv("BINANCE_API_KEY", key.api_key)
    monkeypatch.setenv("BINANCE_API_SECRET", key.api_secret)
    return key.api_key, key.api_secret


def test_help_runs_as_a_module_in_a_subprocess() -> None:
    out = subprocess.run(  # noqa: PLW1510 - the return code is asserted
        [sys.executable, "-m", "binance_ws", "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    for text in (
        "demo",
        "exchange",
        "call",
        "stream",
        "time-offset",
        "klines",
        "BINANCE_API_KEY",
        "exit codes",
    ):
        assert text in out.stdout
    assert "3  connection failure or timeout" in out.stdout


def test_the_console_script_names_main() -> None:
    config = configparser.ConfigParser()
    config.read(Path(__file__).resolve().parents[2] / "setup.cfg")
    name, _, target = config["options.entry_points"]["console_scripts"].strip().partition(" = ")
    module, _, attribute = target.partition(":")
    assert name == "binance-ws"
    assert getattr(importlib.import_module(module), attribute) is main
    assert "tqdm" in config["options.extras_require"]["progress"]


@pytest.mark.parametrize("command", ["demo", "exchange", "call", "stream", "time-offset", "klines"])
def test_every_command_has_help_with_an_example(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert "example:\n  binance-ws " + command in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "nonsense")
    assert code == 2 and "invalid choice" in err
    code, _, err = run(capsys, "call", "ping", "--url", "ws://127.0.0.1:9/ws-api/v3", "--testnet")
    assert code == 2 and "testnet" in err


def test_demo_shows_market_data_an_order_its_events_and_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "Server time:" in out and "BTCUSDT order book" in out
    assert "Market BUY 0.01 BTC: FILLED" in out
    assert "User data event: executionReport NEW" in out
    assert "User data event: executionReport FILLED" in out
    assert "Caught BadRequestError" in out and "-1121" in out


def test_call_prints_a_list_as_a_table(
    exchange: LocalExchange, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "call", "ticker.price", "symbols=BTCUSDT,ETHUSDT", "--url", exchange.url)
    assert code == 0
    prices = {p.symbol: p.price for p in client.ticker_price(symbols=["BTCUSDT", "ETHUSDT"])}
    lines = out.splitlines()
    assert lines[0].split() == ["symbol", "price"]
    rows = {line.split()[0]: line.split()[1] for line in lines[1:]}
    assert rows == {s: format(p, "f") for s, p in prices.items()}
    assert len(lines[1]) == len(lines[2])  # aligned columns


def test_call_prints_one_model_as_fields(exchange: LocalExchange, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "call", "depth", "symbol=BTCUSDT", "limit=3", "--url", exchange.url)
    assert code == 0
    assert out.splitlines()[0].split() == ["field", "value"]
    assert "last_update_id" in out and "bids:" in out and "asks:" in out
    ask_rows = out.split("asks:")[1].strip().splitlines()
    assert ask_rows[0].split() == ["price", "quantity"] and len(ask_rows) == 4
    assert "E" not in ask_rows[1]  # fixed-point, never exponent notation


def test_call_json_keeps_the_wire_types(
    exchange: LocalExchange, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "call", "depth", "symbol=BTCUSDT", "limit=2", "--json", "--url", exchange.url)
    assert code == 0
    got = json.loads(out)
    raw = client.request("depth", {"symbol": "BTCUSDT", "limit": 2}).result
    assert type(got["lastUpdateId"]) is type(raw["lastUpdateId"]) is int
    assert type(got["bids"][0][0]) is type(raw["bids"][0][0]) is str
    assert Decimal(got["bids"][0][0]) > 0


def test_call_signed_by_python_name_with_keys_from_the_environment(
    exchange: LocalExchange, keys: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["symbol=BTCUSDT", "side=buy", "type=MARKET", "quantity=0.001", "--url", exchange.url]
    code, out, err = run(capsys, "call", "order_place", *argv, "--json")
    assert code == 0, err
    order = json.loads(out)
    assert order["status"] == "FILLED" and type(order["orderId"]) is int and type(order["executedQty"]) is str
    code, out, err = run(
        capsys, "call", "order.status", "symbol=BTCUSDT", f"orderId={order['orderId']}", "--url", exchange.url
    )
    assert code == 0, err
    assert re.search(r"^status\s+FILLED$", out, re.M)
    assert keys[1] not in out + err and keys[0] not in out + err  # never a secret, nor the key


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["depth", "symbol=BTCUSDT", "limit=abc"], "limit: expected a whole number"),
        (
            ["order.place", "symbol=BTCUSDT", "side=BUY", "type=MARKET", "quantity=lots"],
            "quantity: expected a decimal",
        ),
        (["account.status", "omit_zero_balances=maybe"], "omit_zero_balances: expected true or false"),
        (
            ["depth", "symbol=BTCUSDT", "colour=red"],
            "colour: depth takes no such parameter; valid: limit, symbol",
        ),
        (["depth"], "symbol: is mandatory for depth; add symbol=..."),
        (["depth", "BTCUSDT"], "expected key=value"),
        (["depth", "symbol=A", "symbol=B"], "symbol: given twice"),
        (["order.plac"], "did you mean: order.place"),
        (["order_plac"], "did you mean: order_place"),
        (["depht", "symbol=BTCUSDT"], "did you mean: depth?"),  # one word: both spellings
        (["klnes"], "did you mean: klines, ui_klines?"),
    ],
)
def test_call_parameter_errors_exit_2_before_connecting(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    # Port 9 has no server: a usage error must be found before any connection.
    code, out, err = run(capsys, "call", *argv, "--url", "ws://127.0.0.1:9/ws-api/v3")
    assert code == 2
    assert message in err and out == ""


def test_an_enum_value_this_release_does_not_know_goes_as_given(
    exchange: LocalExchange, keys: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "call",
        "order.test",
        "symbol=BTCUSDT",
        "side=SIDEWAYS",
        "type=MARKET",
        "quantity=0.001",
        "--url",
        exchange.url,
    )
    assert "note: side=SIDEWAYS is none of BUY, SELL; sent as given" in err
    # The exchange judges it (as Binance would): an API error, exit 1.
    assert code == 1 and out == "" and "BadRequestError" in err, err
    assert any(
        params.get("side") == "SIDEWAYS" for method, params in exchange.requests if method == "order.test"
    )


def test_testnet_chooses_over_the_environment_url(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BINANCE_WS_URL", "ws://127.0.0.1:9/ws-api/v3")
    parser = build_parser()
    for argv, url in (
        (["time-offset", "--testnet"], "wss://ws-api.testnet.binance.vision/ws-api/v3"),
        (["time-offset"], "ws://127.0.0.1:9/ws-api/v3"),
    ):
        client = _client(parser.parse_args(argv))  # not connected: the URL it would use
        assert client.url == url
        client.close()
    code, _out, err = run(capsys, "time-offset", "--testnet", "--url", "ws://127.0.0.1:9/ws-api/v3")
    assert code == 2 and "testnet" in err


def test_call_api_error_exits_1(exchange: LocalExchange, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "call", "depth", "symbol=NOSUCHPAIR", "--url", exchange.url)
    assert code == 1 and out == ""
    assert "BadRequestError" in err and "-1121" in err


def test_signed_call_without_keys_names_the_environment(
    exchange: LocalExchange, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "call", "account.status", "--url", exchange.url)
    assert code == 2 and out == ""
    assert "BINANCE_API_KEY" in err and "BINANCE_API_SECRET" in err


def test_connection_failure_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "call", "ping", "--url", "ws://127.0.0.1:9/ws-api/v3")
    assert code == 3 and "ConnectError" in err


def test_timeout_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    def silent(conn: ServerConnection) -> None:
        try:
            for _ in conn:
                pass  # never answers
        except ConnectionClosed:
            pass

    with serve(silent, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/ws-api/v3"
        code, _, err = run(capsys, "call", "time", "--url", url, "--timeout", "0.3")
        server.shutdown()
        thread.join(5)
    assert code == 3 and "RequestTimeoutError" in err


def test_time_offset(exchange: LocalExchange, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "time-offset", "--url", exchange.url)
    assert code == 0 and "Clock offset:" in out and "Round trip:" in out
    code, out, _ = run(capsys, "time-offset", "--url", exchange.url, "--json")
    got = json.loads(out)
    assert code == 0 and type(got["offset_ms"]) is int and abs(got["offset_ms"]) < 1000
    assert type(got["round_trip_ms"]["min"]) is float and got["round_trip_ms"]["min"] > 0


def _run_in_thread(*argv: str) -> tuple[threading.Thread, list[int]]:
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(main(list(argv))), daemon=True)
    thread.start()
    return thread, codes


@pytest.mark.parametrize("as_json", [False, True])
def test_stream_prints_count_events(
    exchange: LocalExchange,
    keys: tuple[str, str],
    signed_client: Client,
    capsys: pytest.CaptureFixture[str],
    as_json: bool,
) -> None:
    argv = ["stream", "--count", "3", "--seconds", "20", "--url", exchange.url] + (
        ["--json"] if as_json else []
    )
    thread, codes = _run_in_thread(*argv)
    deadline = time.monotonic() + 20
    # Orders until the stream has its three events (it may subscribe after the first ones).
    while thread.is_alive() and time.monotonic() < deadline:
        signed_client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
        thread.join(0.2)
    thread.join(5)
    assert codes == [0]
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 3, lines
    if as_json:
        events = [json.loads(line) for line in lines]
        assert {e["e"] for e in events} <= {"executionReport", "outboundAccountPosition"}
        assert all(type(e["E"]) is int for e in events)
    else:
        assert all(
            re.match(r"^\d{4}-\d\d-\d\dT[\d:.]+\+00:00 (executionReport|outboundAccountPosition) ", x)
            for x in lines
        )
        assert any("symbol=BTCUSDT" in x and "side=BUY" in x for x in lines)
    assert keys[1] not in out + err


def test_stream_stops_after_seconds_without_events(
    exchange: LocalExchange, keys: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "stream", "--seconds", "0.3", "--url", exchange.url)
    assert code == 0 and out == "" and "Listening" in err


def test_stream_count_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "stream", "--count", "0", "--url", "ws://127.0.0.1:9/ws-api/v3")
    assert code == 2 and "--count" in err


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).isoformat(timespec="milliseconds")


def test_klines_csv_across_pages(
    exchange: LocalExchange, client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 1-second klines of the seeded trades (half an hour back): more than one page of 1000.
    end = int(time.time() * 1000) // 1000 * 1000 - 5000
    start = end - 1500 * 1000
    before = len(exchange.requests)
    target = tmp_path / "btc.csv"
    code, out, err = run(
        capsys,
        "klines",
        "BTCUSDT",
        "1s",
        "--start",
        _iso(start),
        "--end",
        str(end),
        "--csv",
        str(target),
        "--url",
        exchange.url,
    )
    assert code == 0, err
    pages = [p for m, p in exchange.requests[before:] if m == "klines"]
    assert len(pages) == 2 and [p["limit"] for p in pages] == [1000, 1000]
    with target.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == [
        "open_time", "open", "high", "low", "close", "volume", "close_time", "quote_asset_volume",
        "number_of_trades", "taker_buy_base_asset_volume", "taker_buy_quote_asset_volume",
    ]  # fmt: skip
    body = rows[1:]
    assert [int(r[0]) for r in body] == list(range(start, end + 1, 1000))
    expected = client.klines(symbol="BTCUSDT", interval="1s", start_time=start, end_time=end, limit=1000)
    expected += client.klines(
        symbol="BTCUSDT", interval="1s", start_time=start + 1000 * 1000, end_time=end, limit=1000
    )
    assert body == [[cell(getattr(k, c)) for c in rows[0]] for k in expected]
    assert all(re.fullmatch(r"\d+\.\d+", r[4]) for r in body)
    assert f"Wrote {len(body)} klines" in err and out == ""


def test_klines_to_stdout_with_a_plain_counter_without_tqdm(
    exchange: LocalExchange, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    end = int(time.time() * 1000) // 60_000 * 60_000 - 30_000  # mid-minute: exactly 10 klines open in range
    code, out, err = run(
        capsys,
        "klines",
        "BTCUSDT",
        "1m",
        "--start",
        str(end - 600_000),
        "--end",
        str(end),
        "--progress",
        "--url",
        exchange.url,
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("open_time,open,") and len(lines) == 11
    assert err.strip().endswith("10 klines")


def test_klines_bad_times_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    url = "ws://127.0.0.1:9/ws-api/v3"
    code, _, err = run(capsys, "klines", "BTCUSDT", "1m", "--start", "yesterday", "--url", url)
    assert code == 2 and "--start: expected an ISO date/time" in err
    code, _, err = run(
        capsys, "klines", "BTCUSDT", "1m", "--start", "2024-02-01", "--end", "2024-01-01", "--url", url
    )
    assert code == 2 and "--start: is after --end" in err


def test_klines_json_lines_with_a_tqdm_bar(
    exchange: LocalExchange, capsys: pytest.CaptureFixture[str]
) -> None:
    end = int(time.time() * 1000) // 60_000 * 60_000 - 30_000
    argv = [
        "klines",
        "BTCUSDT",
        "1m",
        "--start",
        str(end - 300_000),
        "--end",
        str(end),
        "--progress",
        "--json",
    ]
    code, out, err = run(capsys, *argv, "--url", exchange.url)
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 5 and all(type(r[0]) is int and type(r[1]) is str for r in rows)
    assert "kline" in err  # the bar's unit


@pytest.mark.parametrize(("given", "sent"), [("1M", "1M"), ("1m", "1m"), ("1H", "1h")])
def test_call_enum_values_keep_case_where_it_matters(
    exchange: LocalExchange, capsys: pytest.CaptureFixture[str], given: str, sent: str
) -> None:
    before = len(exchange.requests)
    code, out, err = run(
        capsys, "call", "klines", "symbol=BTCUSDT", f"interval={given}", "limit=1", "--url", exchange.url
    )
    assert code == 0, err
    assert [p["interval"] for m, p in exchange.requests[before:] if m == "klines"] == [sent]
    assert out.splitlines()[0].split()[:2] == ["open_time", "open"]
