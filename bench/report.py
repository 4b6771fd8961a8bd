"""Statistics, the targets of the performance issue, and the printed table."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "BASELINE_PREFIX",
    "OURS",
    "FLOOR",
    "PEER_NAMES",
    "PEER_TASK_NAMES",
    "REF",
    "Target",
    "evaluate_targets",
    "percentile",
    "render",
    "summarize_latency",
    "summarize_values",
]

OURS = "binance-ws"
#: Earlier trees measured with ``--baseline REF`` report as ``binance-ws@REF``.
BASELINE_PREFIX = "binance-ws@"
FLOOR = "raw floor"
REF = "ref: reader+Event"
PEER_NAMES = ("binance-sdk-spot", "python-binance")
#: The peers' throughput as N asyncio tasks on their own loop (their native best case).
PEER_TASK_NAMES = tuple(f"{name} (asyncio tasks)" for name in PEER_NAMES)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of already sorted values, nearest-rank.

    >>> percentile([1, 2, 3, 4], 0.5), percentile([1, 2, 3, 4], 0.99)
    (2, 4)
    """
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def _spread(values: Sequence[float]) -> float:
    """Range across repeats as a percentage of their median (0 for one repeat)."""
    if len(values) < 2:
        return 0.0
    mid = statistics.median(values)
    return 100.0 * (max(values) - min(values)) / mid if mid else 0.0


def summarize_latency(repeats: Sequence[Sequence[int]]) -> dict[str, Any]:
    """p50/p99 (µs) over all samples, plus each repeat's p50 and their spread."""
    pooled = sorted(v for rep in repeats for v in rep)
    per_repeat = [percentile(sorted(rep), 0.5) / 1000 for rep in repeats if rep]
    return {
        "n": len(pooled),
        "p50_us": percentile(pooled, 0.5) / 1000,
        "p99_us": percentile(pooled, 0.99) / 1000,
        "repeat_p50_us": per_repeat,
        "repeat_p99_us": [percentile(sorted(rep), 0.99) / 1000 for rep in repeats if rep],
        "spread_pct": _spread(per_repeat),
    }


def summarize_values(values: Sequence[float]) -> dict[str, Any]:
    """Median of per-repeat values (e.g. requests per second) and their spread."""
    return {"median": statistics.median(values), "repeats": list(values), "spread_pct": _spread(values)}


@dataclass
class Target:
    """One target of the issue, checked on this run's ratios."""

    name: str
    value: float | None
    limit: float
    #: ``"<="`` or ``">="``.
    op: str
    unit: str = "x"
    note: str = ""

    @property
    def status(self) -> str:
        if self.value is None or math.isnan(self.value):
            return "N/A"
        ok = self.value <= self.limit if self.op == "<=" else self.value >= self.limit
        return "PASS" if ok else "MISS"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status}


def _p50(results: dict[str, Any], server: str, op: str, client: str) -> float | None:
    entry = results.get("latency", {}).get(server, {}).get(op, {}).get(client)
    return entry["p50_us"] if entry else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _label(results: dict[str, Any], server: str, op: str, client: str) -> str:
    entry = results.get("latency", {}).get(server, {}).get(op, {}).get(client) or {}
    return str(entry.get("label", ""))


def evaluate_targets(results: dict[str, Any], server: str = "canned") -> list[Target]:
    """Every target of the issue, from the measures of ``server``."""
    targets: list[Target] = []

    def vs_floor(op: str, limit: float, title: str) -> None:
        ratio = _ratio(_p50(results, server, op, OURS), _p50(results, server, op, FLOOR))
        targets.append(Target(title, ratio, limit, "<=", note=_label(results, server, op, OURS)))

    vs_floor("ping", 1.15, "ping p50 vs raw floor")
    vs_floor("order_hmac", 1.2, "order.place (HMAC) p50 vs raw floor")
    # A single run's p99 here is whoever else was busy: the ratio is taken per repeat (client
    # and floor alternate within each) and the median of those ratios is the figure.
    for op, title in (
        ("ping", "ping"),
        ("order_hmac", "order.place (HMAC)"),
        ("ping_between_reads", "ping, depth 5000 read between calls,"),
        ("order_hmac_between_reads", "order.place, depth 5000 read between calls,"),
    ):
        ratio, repeats = _tail_ratio(results, server, op)
        note = f"median of {repeats} per-repeat ratios" if repeats else "not measured"
        targets.append(Target(f"{title} p99 vs raw floor", ratio, 1.5, "<=", note=note))
    if "canned-tls" in results.get("latency", {}):
        # wss://, as production: both clients over the same TLS server.
        for op, limit, title in (("ping", 1.15, "ping"), ("order_hmac", 1.2, "order.place (HMAC)")):
            ratio = _ratio(_p50(results, "canned-tls", op, OURS), _p50(results, "canned-tls", op, FLOOR))
            targets.append(Target(f"{title} p50 vs raw floor, wss://", ratio, limit, "<="))
    latency = results.get("latency", {})
    for name in sorted({n for section in latency.values() for n in _clients(section)}):
        if name.startswith(BASELINE_PREFIX):
            _vs_baseline(results, name, targets)
    vs_floor("depth5000", 1.5, "depth 5000 typed p50 vs raw floor")
    vs_floor("exchangeInfo", 1.5, "exchangeInfo typed p50 vs raw floor")
    # Read: every value touched, the floor's numbers made Decimals (see bench.reading).
    vs_floor("depth5000_read", 1.3, "depth 5000 read p50 vs raw floor read")
    vs_floor("exchangeInfo_read", 2.0, "exchangeInfo read p50 vs raw floor read")
    vs_floor("klines1000_read", 1.5, "klines 1000 read p50 vs raw floor read")
    vs_floor("allOrders1000_read", 1.5, "allOrders 1000 read p50 vs raw floor read")
    sdk_read = _p50(results, server, "depth5000_read", "binance-sdk-spot")
    targets.append(
        Target(
            "depth 5000 read p50 vs binance-sdk-spot read",
            _ratio(_p50(results, server, "depth5000_read", OURS), sdk_read),
            0.75,
            "<=",
            note="" if sdk_read else "binance-sdk-spot not measured",
        )
    )
    sdk = _p50(results, server, "depth5000", "binance-sdk-spot")
    targets.append(
        Target(
            "depth 5000 p50 vs binance-sdk-spot typed",
            _ratio(_p50(results, server, "depth5000", OURS), sdk),
            0.75,
            "<=",
            note="" if sdk else "binance-sdk-spot not measured",
        )
    )
    tput = results.get("throughput", {}).get(server, {}).get("8", {})
    peers = {name: tput[name]["median"] for name in PEER_NAMES if name in tput}
    best = max(peers.items(), key=lambda kv: kv[1]) if peers else None
    ours = tput.get(OURS, {}).get("median")
    note = f"best peer: {best[0]}" if best else "no peer measured"
    tasks = _best_peer(tput, "median", highest=True, names=PEER_TASK_NAMES)
    if tasks:
        note += f"; vs the best peer's own asyncio tasks: {_fmt_ratio(_ratio(ours, tasks))}"
    targets.append(
        Target(
            "throughput, 8 threads in flight, vs best peer",
            _ratio(ours, best[1]) if best else None,
            1.5,
            ">=",
            note=note,
        )
    )
    connections = results.get("connections") or {}
    heal = connections.get("reconnect") or {}
    if heal:
        targets.append(
            Target(
                "reconnect: drop to first call, vs a fresh Client's first call",
                heal.get("ratio_to_fresh_client"),
                2.0,
                "<=",
                note=(
                    f"median {heal.get('median_ms', 0):.2f} ms over {heal.get('rounds')} drops; "
                    f"fresh Client {heal.get('fresh_client_ms', 0):.2f} ms, "
                    f"raw websocket-client {heal.get('fresh_connection_ms', 0):.2f} ms"
                ),
            )
        )
    rotation = connections.get("rotation") or {}
    if rotation:
        targets.append(
            Target(
                "rotation: p99 of calls during vs steady",
                rotation.get("p99_ratio"),
                2.0,
                "<=",
                note=f"{rotation.get('rotations')} rotations, {rotation.get('calls_during')} calls during",
            )
        )
        targets.append(
            Target(
                "calls failed during rotations",
                float(rotation.get("failed_calls", 0)),
                0,
                "<=",
                unit=" failed",
                note=rotation.get("first_failure") or "",
            )
        )
    pending = results.get("memory", {}).get("pending") or {}
    targets.append(
        Target(
            "bytes per pending request",
            pending.get("bytes_per_request"),
            2048,
            "<=",
            unit="B",
            note=_pending_note(pending),
        )
    )
    if pending:
        failed = pending.get("failed", 0) + pending.get("missing", 0)
        targets.append(
            Target(
                f"{pending.get('in_flight')} in flight complete without error",
                float(failed),
                0,
                "<=",
                unit=" not completed",
                note=pending.get("first_failure") or "",
            )
        )
    return targets


def _tail_ratio(results: dict[str, Any], server: str, op: str) -> tuple[float | None, int]:
    entries = results.get("latency", {}).get(server, {}).get(op, {})
    ours = (entries.get(OURS) or {}).get("repeat_p99_us") or []
    floor = (entries.get(FLOOR) or {}).get("repeat_p99_us") or []
    ratios = [a / b for a, b in zip(ours, floor, strict=False) if b]
    return (statistics.median(ratios) if ratios else None), len(ratios)


def _vs_baseline(results: dict[str, Any], baseline: str, targets: list[Target]) -> None:
    """Today's ratio to the floor against the baseline's, both from this run: within 5 %."""
    for server in results.get("latency", {}):
        for op, title in (("ping", "ping"), ("order_hmac", "order.place (HMAC)")):
            ours = _ratio(_p50(results, server, op, OURS), _p50(results, server, op, FLOOR))
            then = _ratio(_p50(results, server, op, baseline), _p50(results, server, op, FLOOR))
            targets.append(
                Target(
                    f"{title} p50 ratio to the floor vs {baseline}'s, {server}",
                    _ratio(ours, then),
                    1.05,
                    "<=",
                    note=f"{_fmt_ratio(ours)} now, {_fmt_ratio(then)} then",
                )
            )


def _pending_note(pending: dict[str, Any]) -> str:
    if not pending:
        return "not measured"
    if pending["pending_seen"] < pending["in_flight"]:
        return (
            f"only {pending['pending_seen']} of {pending['in_flight']} became pending "
            f"within {pending['seconds_to_pending']:g} s"
        )
    return f"{pending['in_flight']} in flight, all pending after {pending['seconds_to_pending']:g} s"


# -- the printed table -------------------------------------------------------------------


def _fmt_us(us: float) -> str:
    if us >= 10_000:
        return f"{us / 1000:.1f}ms"
    if us >= 1000:
        return f"{us / 1000:.2f}ms"
    return f"{us:.0f}µs"


def _fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [_row(header, widths), _row(["-" * w for w in widths], widths)]
    lines.extend(_row(r, widths) for r in rows)
    return lines


def _clients(section: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    for entries in section.values():
        for name in entries:
            if name not in seen:
                seen.append(name)
    order = [FLOOR, REF, OURS, *PEER_NAMES, *PEER_TASK_NAMES]
    return sorted(seen, key=lambda n: order.index(n) if n in order else len(order))


def _best_peer(
    entries: dict[str, Any], key: str, highest: bool, names: tuple[str, ...] = PEER_NAMES
) -> float | None:
    values = [float(entries[p][key]) for p in names if p in entries]
    if not values:
        return None
    return max(values) if highest else min(values)


def render(results: dict[str, Any]) -> str:
    """The human-readable report of a run."""
    out: list[str] = []
    meta = results.get("meta", {})
    out.append(
        f"binance-ws benchmark ({meta.get('mode', '?')} mode, {meta.get('repeats', '?')} repeats, "
        f"python {meta.get('python', '?')}, {meta.get('cpus', '?')} CPUs, JSON backend {meta.get('json_backend', '?')})"
    )
    notes: list[str] = []
    labels: dict[tuple[str, str], list[str]] = {}
    for server, ops in results.get("latency", {}).items():
        clients = _clients(ops)
        out += [
            "",
            f"Sequential round trip against the {server} server: p50 / p99 (±spread of p50 across repeats)",
        ]
        rows = []
        for op, entries in ops.items():
            row = [op]
            for name in clients:
                e = entries.get(name)
                row.append(
                    f"{_fmt_us(e['p50_us'])} / {_fmt_us(e['p99_us'])} ±{e['spread_pct']:.0f}%" if e else "-"
                )
                if e and e.get("label"):
                    labels.setdefault((name, e["label"]), []).append(op)
            ours = entries.get(OURS, {}).get("p50_us")
            floor = entries.get(FLOOR, {}).get("p50_us")
            row.append(_fmt_ratio(_ratio(ours, floor)))
            row.append(_fmt_ratio(_ratio(ours, _best_peer(entries, "p50_us", highest=False))))
            rows.append(row)
        out += _table(["op", *clients, "ours/floor", "ours/best peer"], rows)
    for (name, label), ops_with_label in labels.items():
        notes.append(f"{name}: {label} ({', '.join(dict.fromkeys(ops_with_label))})")
    for server, levels in results.get("throughput", {}).items():
        clients = _clients(levels)
        out += ["", f"Throughput of ping against the {server} server, requests/s (±spread across repeats)"]
        rows = []
        for inflight, entries in levels.items():
            row = [f"{inflight} in flight"]
            for name in clients:
                e = entries.get(name)
                row.append(f"{e['median']:.0f} ±{e['spread_pct']:.0f}%" if e else "-")
            ours = entries.get(OURS, {}).get("median")
            row.append(_fmt_ratio(_ratio(ours, entries.get(FLOOR, {}).get("median"))))
            row.append(_fmt_ratio(_ratio(ours, _best_peer(entries, "median", highest=True))))
            tasks = _best_peer(entries, "median", highest=True, names=PEER_TASK_NAMES)
            row.append(_fmt_ratio(_ratio(ours, tasks)))
            rows.append(row)
        out += _table(["", *clients, "ours/floor", "ours/best peer", "ours/best tasks"], rows)
        out += [
            "  raw floor: one thread pipelining N requests. ref, binance-ws and the peers: N threads sharing",
            "  one client (a peer's event loop runs in its own thread; threads submit with",
            "  run_coroutine_threadsafe). '(asyncio tasks)': N tasks on the peer's own loop, its native case.",
        ]
    parse = results.get("parse")
    if parse:
        out += ["", "Parse cost of one frame (median)"]
        rows = []
        for frame, entries in parse.items():
            ours = entries.get(OURS, {})
            row = [f"{frame} ({entries['bytes'] / 1024:.0f} KiB)"]
            for name in ("json.loads", "binance-ws json", OURS, "binance-sdk-spot"):
                e = entries.get(name)
                row.append(_fmt_us(e["us"]) if e else "-")
            row.append(_fmt_ratio(_ratio(ours.get("us"), entries.get("json.loads", {}).get("us"))))
            row.append(_fmt_ratio(_ratio(ours.get("us"), entries.get("binance-sdk-spot", {}).get("us"))))
            rows.append(row)
            for name in (OURS, "binance-sdk-spot"):
                if entries.get(name, {}).get("label"):
                    notes.append(f"parse {frame} {name}: {entries[name]['label']}")
        out += _table(
            [
                "frame",
                "json.loads",
                "ours: JSON only",
                "ours: typed",
                "sdk: pydantic",
                "typed/json",
                "typed/sdk",
            ],
            rows,
        )
    memory = results.get("memory", {})
    if memory:
        out += ["", "Memory"]
        pending = memory.get("pending")
        if pending:
            out.append(
                f"  {pending['in_flight']} requests on one client ({_pending_note(pending)}): "
                f"{pending['bytes_per_request']:.0f} B per pending request inside binance-ws (tracemalloc), "
                f"{pending['all_bytes_per_request']:.0f} B with the caller threads' Python objects, "
                f"RSS +{pending['rss_per_request'] / 1024:.0f} KiB each (thread stacks included)"
            )
            out.append(
                f"  after the release: {pending['completed']} completed, {pending['failed']} failed, "
                f"{pending['missing']} never started or still waiting"
                + (f"; first failure: {pending['first_failure']}" if pending.get("first_failure") else "")
            )
        for name, probe in memory.get("idle_rss", {}).items():
            if "error" in probe:
                out.append(f"  idle connected {name}: not measured ({probe['error']})")
            else:
                out.append(
                    f"  idle connected {name}: RSS {probe['rss_kib'] / 1024:.1f} MiB "
                    f"(+{probe['delta_kib'] / 1024:.1f} MiB over a bare interpreter), {probe['threads']} threads"
                )
    signing = results.get("signing")
    if signing:
        out += ["", "Signing cost per request (canonical payload + signature, median)"]
        rows = []
        for kind, entries in signing.items():
            ours = entries.get(OURS, {}).get("us")
            ref = entries.get("reference", {}).get("us")
            rows.append(
                [
                    kind,
                    _fmt_us(ours) if ours else "-",
                    _fmt_us(ref) if ref else "-",
                    _fmt_ratio(_ratio(ours, ref)),
                ]
            )
            label = entries.get(OURS, {}).get("label")
            if label:
                notes.append(f"signing {kind} binance-ws: {label}")
        out += _table(["key", "binance-ws", "inline reference", "ours/ref"], rows)
    targets = results.get("targets", [])
    if targets:
        out += ["", "Targets (canned server)"]
        rows = []
        for t in targets:
            if t["value"] is None:
                shown = "-"
            elif t["unit"] == "x":
                shown = f"{t['value']:.2f}x"
            else:
                shown = f"{t['value']:.0f}{t['unit']}"
            rows.append([t["status"], t["name"], shown, f"{t['op']} {t['limit']:g}{t['unit']}", t["note"]])
        out += _table(["", "target", "measured", "goal", "note"], rows)
    skipped = results.get("skipped", [])
    if notes or skipped:
        out += ["", "Notes"]
        out += [f"  - {n}" for n in notes]
        out += [f"  - skipped: {s}" for s in skipped]
    return "\n".join(out)
