"""Memory: the cost of a pending request, and the resident size of a connected idle client.

The pending measure holds every answer back on the canned server (``bench.hold``), starts
one caller thread per request on one shared client, waits until all of them are pending,
takes a tracemalloc snapshot, then releases the answers (``bench.release``) and checks that
every call completes. "Bytes per pending request" counts only what was allocated inside
``binance_ws`` (the slot, its Event, the encoded request...): the caller's own thread is the
application's, not the client's; it is reported separately.

``python -m bench.memory probe NAME URL`` is the idle probe: a fresh interpreter that
connects one client and reports its RSS and thread count as a JSON line.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import websocket

from .clients import no_env_kwargs
from .ops import Credentials

__all__ = ["measure_idle_rss", "measure_pending", "rss_bytes"]

_ROOT = Path(__file__).resolve().parent.parent
# Caller threads only wait; a small stack keeps 10 000 of them cheap for the machine.
_CALLER_STACK = 256 * 1024


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc; ru_maxrss elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def _control(url: str, method: str) -> None:
    ws = websocket.create_connection(url, timeout=30, skip_utf8_validation=True)
    try:
        ws.send(json.dumps({"id": 0, "method": method}))
        ws.recv()
    finally:
        ws.close()


def measure_pending(url: str, in_flight: int, *, limit_s: float = 40.0) -> dict[str, Any]:
    """Bytes per pending request with ``in_flight`` requests waiting on one client.

    Bounded: threads stop being started, and the answers are released, once ``limit_s``
    has passed (it must stay under the client's 60 s read-idle limit, since the server is
    silent while it holds the answers); whatever was reached by then is reported.
    """
    from binance_ws import Client

    client = Client(url, timeout=limit_s + 60, **no_env_kwargs()).connect()
    call: Callable[[], object] = client.ping
    call()  # warm every code path before the baseline
    failures: list[BaseException] = []
    completed = [0]
    count_lock = threading.Lock()

    def caller() -> None:
        try:
            call()
        except BaseException as exc:
            failures.append(exc)
        else:
            with count_lock:
                completed[0] += 1

    _control(url, "bench.hold")
    old_stack = threading.stack_size(_CALLER_STACK)
    threads: list[threading.Thread] = []
    began = time.monotonic()
    deadline = began + limit_s
    try:
        gc.collect()
        tracemalloc.start(8)
        base_snapshot = tracemalloc.take_snapshot()
        base_rss = rss_bytes()
        for i in range(in_flight):
            if time.monotonic() > deadline:
                break
            t = threading.Thread(target=caller, name=f"bench-pending-{i}", daemon=True)
            t.start()
            threads.append(t)
        while client.pending_count < len(threads) and time.monotonic() < deadline and not failures:
            time.sleep(0.05)
        pending_seen = client.pending_count
        reached_s = time.monotonic() - began
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
        rss = rss_bytes()
        tracemalloc.stop()
    finally:
        threading.stack_size(old_stack)
        _control(url, "bench.release")
    join_deadline = time.monotonic() + limit_s
    for t in threads:
        t.join(max(0.0, join_deadline - time.monotonic()))
    alive = sum(t.is_alive() for t in threads)
    client.close()
    ours_filter = [tracemalloc.Filter(True, "*/binance_ws/*", all_frames=True)]
    ours_bytes = _growth(snapshot.filter_traces(ours_filter), base_snapshot.filter_traces(ours_filter))
    all_bytes = _growth(snapshot, base_snapshot)
    seen = max(pending_seen, 1)
    return {
        "in_flight": in_flight,
        "started": len(threads),
        "pending_seen": pending_seen,
        "seconds_to_pending": round(reached_s, 2),
        "bytes_per_request": ours_bytes / seen,
        "all_bytes_per_request": all_bytes / seen,
        "rss_per_request": (rss - base_rss) / seen,
        "completed": completed[0],
        "failed": len(failures),
        "missing": alive + in_flight - len(threads),
        "first_failure": repr(failures[0]) if failures else None,
    }


def _growth(after: tracemalloc.Snapshot, before: tracemalloc.Snapshot) -> int:
    return sum(s.size for s in after.statistics("filename")) - sum(
        s.size for s in before.statistics("filename")
    )


# -- idle resident size, in a fresh interpreter -------------------------------------------


def _probe(name: str, url: str) -> dict[str, Any]:
    baseline = rss_bytes()
    threads_before = threading.active_count()
    keep: list[Any] = []
    if name == "raw floor":
        keep.append(websocket.create_connection(url, skip_utf8_validation=True))
    elif name == "binance-ws":
        from binance_ws import Client

        keep.append(Client(url, **no_env_kwargs()).connect())
    elif name in ("binance-sdk-spot", "python-binance"):
        from .ops import OPS
        from .peers import PEERS

        # Plain HMAC keys: generating RSA/Ed25519 ones would load cryptography into the count.
        runner = PEERS[name](url, Credentials(hmac_key="k" * 64, hmac_secret="s" * 64))
        keep.append(runner)
        call = runner.bind(OPS["ping"])
        if call is not None:
            call()
    else:
        raise ValueError(f"unknown client {name!r}")
    time.sleep(0.5)
    gc.collect()
    return {
        "rss_kib": rss_bytes() // 1024,
        "delta_kib": (rss_bytes() - baseline) // 1024,
        "threads": threading.active_count() - threads_before + 1,
    }


def measure_idle_rss(name: str, url: str, timeout: float = 60.0) -> dict[str, Any]:
    """RSS of a fresh interpreter holding one connected, idle ``name`` client."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.memory", "probe", name, url],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=str(_ROOT),
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"no answer within {timeout:g} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-1:] or ["?"]
        return {"error": f"probe failed: {tail[0]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or args[0] != "probe":
        raise SystemExit("usage: python -m bench.memory probe NAME URL")
    sys.stdout.write(json.dumps(_probe(args[1], args[2])) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip the interpreter's teardown of the peers' event loops


if __name__ == "__main__":
    main()
