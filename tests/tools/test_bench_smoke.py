"""The benchmark's own code works: a tiny run of every measure, no timing assertions.

The numbers themselves are the benchmark's business (``python -m bench``); here only the
shape of the results is checked, so a slow or busy machine can never fail the suite.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from bench import run as bench_run
from bench import userdata as bench_userdata
from bench.ops import Credentials
from bench.peers import TASKS_SUFFIX, _threads_on_loop, peer_import_error
from bench.report import FLOOR, OURS, PEER_NAMES, REF, percentile, render
from bench.servers import extract_request
from bench.soak import main as soak_main
from bench.workers import RemoteRunner


def test_the_canned_server_reads_id_method_and_limit_without_parsing() -> None:
    assert extract_request(b'{"id":7,"method":"ping"}') == (b"7", "ping", "ping")
    assert extract_request(b'{"method": "depth", "params": {"limit": 5000}, "id": "ab-1"}') == (
        b'"ab-1"',
        "depth",
        "depth:5000",
    )
    assert extract_request(b'{"id": "x", "method": "depth", "params": {"limit": "5000"}}')[2] == "depth:5000"
    assert extract_request(b'{"id":null,"method":"v3/depth"}') == (b"null", "depth", "depth:100")
    assert extract_request(b'{"id":3,"method":"order.place","params":{"orderId":1}}')[0] == b"3"


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([5], 0.99) == 5


@pytest.fixture(scope="module")
def tiny_results() -> dict[str, Any]:
    return bench_run.run(bench_run.MODES["tiny"], quiet=True)


@pytest.mark.timeout(180)
def test_tiny_run_measures_every_op_for_the_floor_and_ours(tiny_results: dict[str, Any]) -> None:
    counts = bench_run.MODES["tiny"].counts
    latency = tiny_results["latency"]["canned"]
    assert set(latency) == set(counts)
    for op, n in counts.items():
        if op == "order_ed25519" and OURS not in latency[op]:
            continue  # needs the crypto extra
        for client in (FLOOR, REF, OURS):
            entry = latency[op][client]
            assert entry["n"] == n
            assert entry["p50_us"] > 0
            assert entry["p99_us"] >= entry["p50_us"]
            assert len(entry["repeat_p50_us"]) == 1
    for inflight in ("1", "8"):
        for client in (FLOOR, REF, OURS):
            assert tiny_results["throughput"]["canned"][inflight][client]["median"] > 0


def test_tiny_run_reports_each_peer_or_why_not(tiny_results: dict[str, Any]) -> None:
    ping = tiny_results["latency"]["canned"]["ping"]
    for peer in PEER_NAMES:
        if peer_import_error(peer) is None:
            assert ping[peer]["p50_us"] > 0
            eight = tiny_results["throughput"]["canned"]["8"]
            assert eight[peer]["median"] > 0 and eight[peer + TASKS_SUFFIX]["median"] > 0
        else:
            assert any(s.startswith(f"{peer}:") for s in tiny_results["skipped"])


def test_threads_share_an_asyncio_client_through_its_loop_thread() -> None:
    # How the peers' "N threads sharing one client" is measured: their loop in its own thread.
    loop = asyncio.new_event_loop()
    seen: set[int] = set()

    async def call() -> None:
        seen.add(threading.get_ident())  # runs on the loop's thread, whichever thread asked
        await asyncio.sleep(0)

    try:
        rate = _threads_on_loop(loop, call, 4, 40)
        assert rate > 0
        assert len(seen) == 1 and threading.get_ident() not in seen
        assert not loop.is_running()  # stopped again: the sequential measures drive it next
        loop.run_until_complete(call())
    finally:
        loop.close()


def test_a_client_process_that_cannot_connect_says_why() -> None:
    with pytest.raises(RuntimeError, match="could not connect"):
        RemoteRunner(FLOOR, "ws://127.0.0.1:9/ws-api/v3", Credentials())


def test_tiny_run_measures_parse_memory_and_signing(tiny_results: dict[str, Any]) -> None:
    parse = tiny_results["parse"]
    assert set(parse) == {"exchangeInfo", "depth:5000", "klines", "allOrders"}
    for entry in parse.values():
        assert entry["bytes"] > 100_000
        assert entry["json.loads"]["us"] > 0
        assert entry["binance-ws json"]["us"] > 0
    pending = tiny_results["memory"]["pending"]
    assert pending["in_flight"] == bench_run.MODES["tiny"].pending
    assert pending["failed"] == 0
    assert pending["completed"] == pending["started"]
    assert pending["bytes_per_request"] > 0
    idle = tiny_results["memory"]["idle_rss"][OURS]
    assert idle["rss_kib"] > 0 and idle["threads"] >= 2
    assert tiny_results["signing"]["hmac"]["reference"]["us"] > 0


def test_tiny_run_checks_every_target_and_renders(tiny_results: dict[str, Any]) -> None:
    targets = tiny_results["targets"]
    names = [t["name"] for t in targets]
    assert len(targets) == 22
    assert {t["status"] for t in targets} <= {"PASS", "MISS", "N/A"}
    assert targets[0]["name"] == "ping p50 vs raw floor" and targets[0]["value"] > 0
    by_name = {t["name"]: t for t in targets}
    # wss:// is measured against a TLS floor in the same run.
    assert by_name["ping p50 vs raw floor, wss://"]["value"] > 0
    assert by_name["order.place (HMAC) p50 vs raw floor, wss://"]["value"] > 0
    # Drops healed and rotations made, with no call failed during the rotations.
    assert by_name["reconnect: drop to first call, vs a fresh Client's first call"]["value"] > 0
    assert by_name["rotation: p99 of calls during vs steady"]["value"] > 0
    assert by_name["calls failed during rotations"]["value"] == 0
    # Big results read (every value touched) by ours and the floor alike.
    for name in (
        "depth 5000 read p50 vs raw floor read",
        "exchangeInfo read p50 vs raw floor read",
        "klines 1000 read p50 vs raw floor read",
        "allOrders 1000 read p50 vs raw floor read",
        "ping, depth 5000 read between calls, p99 vs raw floor",
    ):
        assert by_name[name]["value"] > 0, name
    assert by_name["ping p99 vs raw floor"]["note"] == "median of 1 per-repeat ratios"
    assert len(set(names)) == len(names)
    connections = tiny_results["connections"]
    assert connections["reconnect"]["rounds"] == bench_run.MODES["tiny"].connection_rounds
    assert connections["rotation"]["calls_during"] > 0
    text = render(tiny_results)
    assert "Sequential round trip" in text and "Targets" in text
    json.dumps(tiny_results)


def test_tiny_run_measures_the_user_data_stream(tiny_results: dict[str, Any]) -> None:
    userdata = tiny_results["userdata"]
    flood, paced = bench_run.MODES["tiny"].userdata_events
    assert (userdata["flood"], userdata["paced"]) == (flood, paced)
    clients = userdata["clients"]
    for name in (bench_userdata.FLOOR, bench_userdata.OURS_ITER, bench_userdata.OURS_CB):
        entry = clients[name]
        assert entry["events_per_s"] > 0 and 0 < entry["p50_us"] <= entry["p99_us"]
    if peer_import_error("binance-sdk-spot") is None:
        assert clients["binance-sdk-spot"]["events_per_s"] > 0
    text = bench_userdata.render_userdata(userdata)
    assert "User Data Stream" in text and "rate/floor" in text


def test_the_user_data_server_frames_events_for_any_length() -> None:
    small = bench_userdata._frame(b"x" * 10)
    assert small[:2] == bytes((0x81, 10))
    medium = bench_userdata._frame(b"x" * 700)
    assert medium[:4] == bytes((0x81, 126)) + (700).to_bytes(2, "big")
    large = bench_userdata._frame(b"x" * 70000)
    assert large[:2] == bytes((0x81, 127)) and int.from_bytes(large[2:10], "big") == 70000
    event = json.loads(bench_userdata._event_frame(123)[4:])
    assert event["event"]["E"] == 123 and event["subscriptionId"] == 0


def test_the_command_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    assert bench_run.main(["--tiny", "--only", "signing", "--no-peers", "--quiet", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["meta"]["mode"] == "tiny"
    assert "hmac" in data["signing"]
    assert "Signing cost" in capsys.readouterr().out


@pytest.mark.timeout(120)
def test_a_small_soak_stays_flat(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        soak_main(["--requests", "400", "--threads", "4", "--sample-every", "0.5", "--max-seconds", "60"])
        == 0
    )
    assert "verdict: flat" in capsys.readouterr().out


def test_a_baseline_tree_is_measured_beside_todays(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=root, capture_output=True, check=False
    )
    if inside.returncode != 0:
        pytest.skip("the checkout is not a git repository: there is no earlier tree to export")
    out = tmp_path / "r.json"
    argv = ["--tiny", "--only", "latency", "--servers", "canned", "--no-peers", "--quiet"]
    assert bench_run.main([*argv, "--baseline", "HEAD", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    ping = data["latency"]["canned"]["ping"]
    assert ping["binance-ws@HEAD"]["p50_us"] > 0 and ping[OURS]["p50_us"] > 0
    by_name = {t["name"]: t for t in data["targets"]}
    vs = by_name["ping p50 ratio to the floor vs binance-ws@HEAD's, canned"]
    assert vs["value"] > 0 and vs["status"] in ("PASS", "MISS")
