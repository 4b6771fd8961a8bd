"""``python -m bench.profile WORKLOAD``: one of binance-ws's hot paths in a loop, for a profiler.

Workloads: ``ping`` and ``depth5000`` (sequential, typed), ``order`` (signed HMAC
order.place), ``inflight8`` (8 threads sharing one client), each against the canned server
in its own process, for ``--seconds``. Run it under a sampling profiler, e.g.::

    py-spy record --threads --rate 500 -o ping.svg -- python -m bench.profile ping
    py-spy top -- python -m bench.profile inflight8
    pyinstrument -m bench.profile depth5000

or with ``--pyinstrument`` to print pyinstrument's tree of the caller's thread directly.
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Sequence
from typing import Any

from .clients import Ours, threaded_throughput
from .ops import OPS, make_credentials
from .servers import ServerProcess

__all__ = ["main"]

WORKLOADS = {"ping": "ping", "depth5000": "depth5000", "order": "order_hmac", "inflight8": "ping"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pyinstrument", action="store_true", help="profile with pyinstrument and print")
    args = parser.parse_args(argv)
    with ServerProcess("canned") as srv:
        ours = Ours(srv.url, make_credentials(srv.keys))
        call = ours.bind(OPS[WORKLOADS[args.workload]])
        assert call is not None
        profiler = None
        if args.pyinstrument:
            # Imported by name: an optional tool of the bench extra, not needed to type-check.
            pyinstrument: Any = importlib.import_module("pyinstrument")
            profiler = pyinstrument.Profiler(interval=0.0005)
            profiler.start()
        count = 0
        start = time.perf_counter()
        deadline = start + args.seconds
        while time.perf_counter() < deadline:
            if args.workload == "inflight8":
                threaded_throughput(call, 8, 800)
                count += 800
            else:
                call()
                count += 1
        elapsed = time.perf_counter() - start
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        ours.close()
    print(f"{args.workload}: {count} requests in {elapsed:.1f} s, {elapsed / count * 1e6:.0f} µs each")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
