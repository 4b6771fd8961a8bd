"""``python -m bench``: the benchmark suite; prints a table of ratios and writes JSON.

Everything is measured in one run, against servers in their own processes on 127.0.0.1,
and reported as ratios to the raw floor and to the best peer measured in the same run,
because absolute times on a shared 2-core machine are noise. Modes: ``--tiny`` (a few
requests per measure, for the test suite), quick (the default, about a minute) and
``--full`` (more requests and repeats, plus the local exchange; a few minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from .baseline import exported
from .clients import CA_ENV
from .connections import measure_connections
from .measures import measure_latency_and_throughput, measure_parse, measure_signing
from .memory import measure_idle_rss, measure_pending
from .ops import make_credentials
from .report import FLOOR, OURS, PEER_NAMES, evaluate_targets, render
from .servers import ServerProcess
from .userdata import measure_userdata, render_userdata

__all__ = ["MODES", "Mode", "main", "run"]

MEASURES = ("latency", "parse", "memory", "signing", "connections", "userdata")
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"


@dataclass(frozen=True)
class Mode:
    """How much of everything one run measures."""

    name: str
    repeats: int
    counts: dict[str, int]
    inflight: tuple[int, ...]
    throughput_requests: int
    pending: int
    #: How long the memory measure may hold answers back (under the client's 60 s idle limit).
    pending_limit_s: float
    servers: tuple[str, ...]
    parse_budget_s: float
    signing_budget_s: float
    idle_clients: tuple[str, ...] = field(default=(FLOOR, OURS, *PEER_NAMES))
    #: Drops healed and rotations made by the connection measure.
    connection_rounds: int = 10
    #: User Data Stream measure: events flooded, and events paced (1 ms apart) for latency.
    userdata_events: tuple[int, int] = (50_000, 2000)


MODES: dict[str, Mode] = {
    "tiny": Mode(
        "tiny",
        repeats=1,
        counts={
            "ping": 5,
            "depth100": 3,
            "depth5000": 2,
            "order_hmac": 3,
            "order_ed25519": 3,
            "exchangeInfo": 2,
            "exchangeInfo_read": 2,
            "ping_between_reads": 2,
            "order_hmac_between_reads": 2,
            "depth5000_read": 2,
            "klines1000": 2,
            "klines1000_read": 2,
            "allOrders1000": 2,
            "allOrders1000_read": 2,
        },
        inflight=(1, 8),
        throughput_requests=32,
        pending=200,
        pending_limit_s=10,
        servers=("canned", "canned-tls"),
        parse_budget_s=0.0,
        signing_budget_s=0.0,
        idle_clients=(OURS,),
        connection_rounds=2,
        userdata_events=(300, 30),
    ),
    "quick": Mode(
        "quick",
        repeats=3,
        counts={
            "ping": 300,
            "depth100": 150,
            "depth5000": 15,
            "order_hmac": 200,
            "order_ed25519": 150,
            "exchangeInfo": 6,
            "exchangeInfo_read": 6,
            "ping_between_reads": 100,
            "order_hmac_between_reads": 100,
            "depth5000_read": 15,
            "klines1000": 20,
            "klines1000_read": 20,
            "allOrders1000": 15,
            "allOrders1000_read": 15,
        },
        inflight=(1, 8, 64),
        throughput_requests=1000,
        pending=10_000,
        pending_limit_s=30,
        servers=("canned", "canned-tls"),
        parse_budget_s=0.3,
        signing_budget_s=0.15,
    ),
    "full": Mode(
        "full",
        repeats=5,
        counts={
            "ping": 2000,
            "depth100": 800,
            "depth5000": 80,
            "order_hmac": 1000,
            "order_ed25519": 800,
            "exchangeInfo": 25,
            "exchangeInfo_read": 25,
            "ping_between_reads": 400,
            "order_hmac_between_reads": 400,
            "depth5000_read": 80,
            "klines1000": 80,
            "klines1000_read": 80,
            "allOrders1000": 60,
            "allOrders1000_read": 60,
        },
        inflight=(1, 8, 64),
        throughput_requests=5000,
        pending=10_000,
        pending_limit_s=40,
        servers=("canned", "canned-tls", "exchange"),
        connection_rounds=30,
        userdata_events=(200_000, 5000),
        parse_budget_s=2.0,
        signing_budget_s=1.0,
    ),
}


def _versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for dist in (
        "binance-ws",
        "websocket-client",
        "websockets",
        "attrs",
        "cattrs",
        "orjson",
        "cryptography",
        "binance-sdk-spot",
        "python-binance",
        "aiohttp",
        "pydantic",
    ):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=str(Path(__file__).resolve().parent),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def run(
    mode: Mode,
    *,
    peers: Sequence[str] = PEER_NAMES,
    measures: Sequence[str] = MEASURES,
    quiet: bool = False,
    baselines: Sequence[str] = (),
) -> dict[str, Any]:
    """Run the measures of ``mode``; returns the results (what the JSON file holds)."""
    from binance_ws import _json

    started = time.monotonic()

    def progress(message: str) -> None:
        if not quiet:
            sys.stderr.write(f"[{time.monotonic() - started:6.1f}s] {message}\n")
            sys.stderr.flush()

    skipped: list[str] = []
    results: dict[str, Any] = {
        "meta": {
            "mode": mode.name,
            "repeats": mode.repeats,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "json_backend": _json.BACKEND,
            "versions": _versions(),
            "commit": _git_commit(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "counts": mode.counts,
        },
        "latency": {},
        "throughput": {},
        "skipped": skipped,
    }
    servers = list(mode.servers) if "latency" in measures else []
    if ("memory" in measures or "connections" in measures) and "canned" not in servers:
        servers.append("canned")
    for server in servers:
        try:
            srv = ServerProcess(server).start()
        except (RuntimeError, OSError) as exc:
            skipped.append(f"{server} server: {exc}")
            continue
        if srv.ca:
            os.environ[CA_ENV] = srv.ca  # the clients' processes trust the test CA
        try:
            progress(f"{server} server up at {srv.url}")
            if "latency" in measures and server in mode.servers:
                latency, throughput = measure_latency_and_throughput(
                    srv.url,
                    make_credentials(srv.keys),
                    server=server,
                    counts=mode.counts,
                    repeats=mode.repeats,
                    inflight=mode.inflight,
                    throughput_requests=mode.throughput_requests,
                    # The peers are measured on ws:// only (they take no CA file).
                    peers=() if srv.ca else peers,
                    skipped=skipped,
                    progress=progress,
                    baselines=baselines,
                )
                results["latency"][server] = latency
                results["throughput"][server] = throughput
            if server == "canned" and "connections" in measures:
                progress("connections: reconnects and rotations")
                rounds = mode.connection_rounds
                results["connections"] = measure_connections(srv.url, rounds=rounds, rotations=rounds)
            if server == "canned" and "memory" in measures:
                results["memory"] = _measure_memory(mode, srv.url, peers, progress)
        finally:
            srv.close()
            os.environ.pop(CA_ENV, None)
    if "userdata" in measures:
        flood, paced = mode.userdata_events
        progress(f"user data: {flood} events flooded, {paced} paced")
        results["userdata"] = measure_userdata(
            flood=flood, paced=paced, repeats=mode.repeats, peers=peers, skipped=skipped, progress=progress
        )
    if "parse" in measures:
        progress("parse cost")
        results["parse"] = measure_parse(mode.parse_budget_s, skipped, sdk="binance-sdk-spot" in peers)
    if "signing" in measures:
        progress("signing cost")
        results["signing"] = measure_signing(make_credentials(), mode.signing_budget_s, skipped)
    results["targets"] = [t.as_dict() for t in evaluate_targets(results)]
    results["meta"]["seconds"] = round(time.monotonic() - started, 1)
    progress("done")
    return results


def _measure_memory(
    mode: Mode, url: str, peers: Sequence[str], progress: Callable[[str], None]
) -> dict[str, Any]:
    progress(f"memory: {mode.pending} requests pending on one client (at most {mode.pending_limit_s:g} s)")
    memory: dict[str, Any] = {"pending": measure_pending(url, mode.pending, limit_s=mode.pending_limit_s)}
    idle: dict[str, Any] = {}
    for name in mode.idle_clients:
        if name in PEER_NAMES and name not in peers:
            continue
        progress(f"memory: idle connected {name}")
        idle[name] = measure_idle_rss(name, url)
    memory["idle_rss"] = idle
    return memory


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_const", dest="mode", const="quick", help="the default")
    size.add_argument("--full", action="store_const", dest="mode", const="full")
    size.add_argument("--tiny", action="store_const", dest="mode", const="tiny", help="a smoke run")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"results file (default {DEFAULT_JSON})"
    )
    parser.add_argument("--no-peers", action="store_true", help="measure only the floor and binance-ws")
    parser.add_argument(
        "--only", default=",".join(MEASURES), help=f"comma-separated subset of {','.join(MEASURES)}"
    )
    parser.add_argument("--repeats", type=int, help="override the mode's repeat count")
    parser.add_argument("--pending", type=int, help="requests in flight for the memory measure")
    parser.add_argument("--servers", help="comma-separated subset of canned,canned-tls,exchange")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also measure binance_ws/ of this git revision (e.g. a release tag), in the same run",
    )
    args = parser.parse_args(argv)
    mode = MODES[args.mode or "quick"]
    if args.repeats:
        mode = replace(mode, repeats=max(1, args.repeats))
    if args.pending:
        mode = replace(mode, pending=max(1, args.pending))
    if args.servers:
        mode = replace(mode, servers=tuple(s for s in args.servers.split(",") if s))
    measures = [m for m in args.only.split(",") if m]
    unknown = sorted(set(measures) - set(MEASURES))
    if unknown:
        parser.error(f"unknown measure(s): {', '.join(unknown)}")
    peers = () if args.no_peers else PEER_NAMES
    with contextlib.ExitStack() as stack:
        baselines = [stack.enter_context(exported(args.baseline))] if args.baseline else []
        results = run(mode, peers=peers, measures=measures, quiet=args.quiet, baselines=baselines)
    print(render(results))
    if "userdata" in results:
        print(render_userdata(results["userdata"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
