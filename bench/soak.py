"""``python -m bench.soak``: many requests from many threads on one client; memory must stay flat.

By default 1 000 000 requests from 16 threads sharing one :class:`binance_ws.Client`, against
the canned server in its own process (``--server exchange`` for the local exchange). A sampler
prints the resident size, the thread count and the pending count at a fixed interval; the
verdict compares the second half of the run with its middle, so warm-up growth (caches,
interned strings) does not count. Bounded by ``--max-seconds``; exits 1 on any failed
request, on growth, on leftover threads or pending slots.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from .clients import no_env_kwargs
from .memory import rss_bytes
from .servers import ServerProcess

__all__ = ["main", "soak"]

# RSS may wobble by allocator noise; growth past both of these over the second half fails.
FLAT_LIMIT_BYTES = 4 * 1024 * 1024
FLAT_LIMIT_FRACTION = 0.05


def soak(
    url: str,
    *,
    requests: int,
    threads: int,
    sample_every: float,
    max_seconds: float,
    out: Any = sys.stdout,
) -> dict[str, Any]:
    """Run the soak against ``url``; returns the samples and the verdict."""
    from binance_ws import Client

    client = Client(url, timeout=30, **no_env_kwargs()).connect()
    ping: Callable[[], object] = client.ping
    per_thread = max(1, requests // threads)
    done = [0] * threads
    failures: list[str] = []
    stop = threading.Event()
    threads_before = threading.active_count()

    remaining = [threads]
    remaining_lock = threading.Lock()
    all_done = threading.Event()

    def worker(index: int) -> None:
        try:
            for _ in range(per_thread):
                if stop.is_set():
                    return
                try:
                    ping()
                except Exception as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    if len(failures) > 100:
                        stop.set()
                    return
                done[index] += 1
        finally:
            with remaining_lock:
                remaining[0] -= 1
                if remaining[0] == 0:
                    all_done.set()

    samples: list[dict[str, Any]] = []
    started = time.monotonic()

    def sample() -> None:
        entry = {
            "t": round(time.monotonic() - started, 1),
            "done": sum(done),
            "rss": rss_bytes(),
            "threads": threading.active_count(),
            "pending": client.pending_count,
        }
        samples.append(entry)
        out.write(
            f"{entry['t']:7.1f}s  {entry['done']:>9} done  RSS {entry['rss'] / 2**20:7.1f} MiB  "
            f"threads {entry['threads']:3}  pending {entry['pending']:3}\n"
        )
        out.flush()

    workers = [threading.Thread(target=worker, args=(i,), name=f"soak-{i}") for i in range(threads)]
    sample()
    for t in workers:
        t.start()
    deadline = started + max_seconds
    while not all_done.wait(sample_every):
        if time.monotonic() > deadline:
            stop.set()
        sample()
    for t in workers:
        t.join()
    sample()
    elapsed = time.monotonic() - started
    client.close()
    time.sleep(0.2)
    sample()
    total = sum(done)
    verdict = _verdict(
        samples,
        failures,
        threads_before=threads_before,
        wanted=per_thread * threads,
        total=total,
        stopped=stop.is_set(),
    )
    verdict.update(
        {"requests": total, "seconds": round(elapsed, 1), "rate": total / elapsed if elapsed else 0}
    )
    return {"samples": samples, "failures": failures[:10], **verdict}


def _verdict(
    samples: list[dict[str, Any]],
    failures: list[str],
    *,
    threads_before: int,
    wanted: int,
    total: int,
    stopped: bool,
) -> dict[str, Any]:
    problems: list[str] = []
    running = samples[:-1]  # the last sample is taken after close()
    mid = running[len(running) // 2]["rss"] if len(running) >= 2 else samples[0]["rss"]
    end = running[-1]["rss"] if running else samples[-1]["rss"]
    growth = end - mid
    if growth > max(FLAT_LIMIT_BYTES, FLAT_LIMIT_FRACTION * mid):
        problems.append(f"RSS grew by {growth / 2**20:.1f} MiB over the second half")
    if failures:
        problems.append(f"{len(failures)} request(s) failed; first: {failures[0]}")
    if stopped and total < wanted:
        problems.append(f"stopped at the time limit after {total} of {wanted} requests")
    final = samples[-1]
    if final["threads"] > threads_before - 1:
        problems.append(f"{final['threads'] - threads_before + 1} thread(s) left after close()")
    if final["pending"]:
        problems.append(f"{final['pending']} pending slot(s) left after close()")
    return {"flat": not problems, "rss_growth_second_half": growth, "problems": problems}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--server", choices=["canned", "exchange"], default="canned")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="stop after this long")
    args = parser.parse_args(argv)
    with ServerProcess(args.server) as srv:
        print(f"soak: {args.requests} pings from {args.threads} threads on one client, {srv.url}")
        result = soak(
            srv.url,
            requests=args.requests,
            threads=args.threads,
            sample_every=args.sample_every,
            max_seconds=args.max_seconds,
        )
    print(
        f"\n{result['requests']} requests in {result['seconds']} s ({result['rate']:.0f}/s); "
        f"RSS change over the second half: {result['rss_growth_second_half'] / 2**20:+.1f} MiB"
    )
    if result["flat"]:
        print("verdict: flat (memory and threads steady, every request answered)")
        return 0
    for problem in result["problems"]:
        print(f"verdict: {problem}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
