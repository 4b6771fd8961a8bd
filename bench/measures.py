"""The measures: sequential round trips, throughput, parse cost and signing cost."""

from __future__ import annotations

import functools
import gc
import importlib
import json
import logging
import math
import time
import typing
from collections.abc import Callable, Sequence
from typing import Any

from .clients import Runner, Timer
from .ops import OPS, ORDER_PARAMS, Credentials, Op, floor_sign
from .payloads import CannedFrames, build_canned
from .peers import TASKS_SUFFIX, peer_import_error
from .report import FLOOR, OURS, REF, summarize_latency, summarize_values
from .workers import RemoteRunner

__all__ = ["measure_latency_and_throughput", "measure_parse", "measure_signing", "open_runners"]

logger = logging.getLogger(__name__)

# The frames of the parse measure: canned key -> (typed method of Client, official SDK model).
PARSE_FRAMES: dict[str, tuple[str, str]] = {
    "exchangeInfo": ("exchange_info", "ExchangeInfoResponse"),
    "depth:5000": ("depth", "DepthResponse"),
    "klines": ("klines", "KlinesResponse"),
    "allOrders": ("all_orders", "AllOrdersResponse"),
}

# Each op's calls per repeat are split into this many batches, taken by the clients in turn.
_BATCHES = 6

# An id like the ones the official SDK sends (its models want a string id).
_FRAME_ID = '"5494febb-d167-46a2-996d-70533eb4d976"'


def open_runners(
    url: str, creds: Credentials, peers: Sequence[str], skipped: list[str], baselines: Sequence[str] = ()
) -> list[Runner]:
    """The floor, the reference design, binance-ws, its baselines and every peer that connects.

    Each in a process of its own (see :mod:`bench.workers`); why a peer is left out goes to
    ``skipped``.
    """
    runners: list[Runner] = [RemoteRunner(name, url, creds) for name in (FLOOR, REF, OURS, *baselines)]
    for name in peers:
        reason = peer_import_error(name)
        if reason is None:
            try:
                runners.append(RemoteRunner(name, url, creds))
                continue
            except Exception as exc:
                reason = str(exc)
        skipped.append(f"{name}: {reason}")
    return runners


def measure_latency_and_throughput(
    url: str,
    creds: Credentials,
    *,
    server: str,
    counts: dict[str, int],
    repeats: int,
    inflight: Sequence[int],
    throughput_requests: int,
    peers: Sequence[str],
    skipped: list[str],
    progress: Callable[[str], None],
    baselines: Sequence[str] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Sequential p50/p99 per op and client, and ping throughput per in-flight level.

    Clients take turns within each repeat (their order rotating), so a slow phase of the
    machine hits every client alike instead of one.
    """
    runners = open_runners(url, creds, peers, skipped, baselines)
    ops = [
        op
        for key, op in OPS.items()
        if key in counts and not (op.canned_only and not server.startswith("canned"))
    ]
    samples: dict[str, dict[str, list[list[int]]]] = {op.key: {} for op in ops}
    rates: dict[int, dict[str, list[float]]] = {n: {} for n in inflight}
    timers: dict[tuple[str, str], Timer | None] = {}
    try:
        for rep in range(repeats):
            turn = runners[rep % len(runners) :] + runners[: rep % len(runners)]
            for op in ops:
                progress(f"{server}: {op.key} (repeat {rep + 1}/{repeats})")
                for runner in turn:
                    if (runner.name, op.key) not in timers:
                        timers[runner.name, op.key] = _timer(runner, op)
                # Clients alternate in small batches, so each one's samples span the same time.
                n = counts[op.key]
                batch = max(1, math.ceil(n / _BATCHES))
                for start in range(0, n, batch):
                    for runner in turn:
                        timer = timers[runner.name, op.key]
                        if timer is None:
                            continue
                        try:
                            got = timer(min(batch, n - start))
                        except Exception as exc:
                            runner.skipped[op.key] = f"failed: {type(exc).__name__}: {exc}"
                            timers[runner.name, op.key] = None
                            continue
                        reps = samples[op.key].setdefault(runner.name, [])
                        if start == 0:
                            reps.append([])
                        reps[-1].extend(got)
            for n in inflight:
                progress(f"{server}: throughput, {n} in flight (repeat {rep + 1}/{repeats})")
                for runner in turn:
                    modes = (
                        (runner.name, runner.throughput),
                        (runner.name + TASKS_SUFFIX, runner.throughput_tasks),
                    )
                    for name, measure in modes:
                        try:
                            rate = measure(n, max(throughput_requests, n * 4))
                        except Exception as exc:
                            runner.skipped[f"throughput{n} {name}"] = f"failed: {type(exc).__name__}: {exc}"
                            continue
                        if rate is not None:
                            rates[n].setdefault(name, []).append(rate)
    finally:
        for runner in runners:
            try:
                runner.close()
            except Exception as exc:
                logger.warning("closing %s failed: %s", runner.name, exc)
    latency: dict[str, Any] = {}
    for op in ops:
        latency[op.key] = {}
        for runner in runners:
            per_repeat = samples[op.key].get(runner.name)
            if per_repeat:
                entry = summarize_latency(per_repeat)
                entry["label"] = runner.labels.get(op.key, "")
                latency[op.key][runner.name] = entry
    throughput = {
        str(n): {name: summarize_values(values) for name, values in rates[n].items()} for n in inflight
    }
    for runner in runners:
        for key, reason in runner.skipped.items():
            skipped.append(f"{server} {key} {runner.name}: {reason}")
    return latency, throughput


def _timer(runner: Runner, op: Op) -> Timer | None:
    try:
        return runner.timer(op)
    except Exception as exc:
        runner.skipped[op.key] = f"failed: {type(exc).__name__}: {exc}"
        return None


def _median_time(fn: Callable[[], object], budget_s: float, max_runs: int) -> tuple[float, int]:
    """Median seconds of one ``fn()``, over as many runs as fit in ``budget_s`` (at least 3)."""
    times: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(times) < max_runs and (len(times) < 3 or time.perf_counter() < deadline):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2], len(times)


def _typed_result_type(method: str) -> Any:
    from binance_ws import Client

    fn = getattr(Client, method, None)
    if fn is None:
        return None
    return typing.get_type_hints(fn).get("return")


def measure_parse(budget_s: float, skipped: list[str], *, sdk: bool = True) -> dict[str, Any]:
    """Decode each large frame: stdlib ``json.loads``, binance-ws (JSON, then typed), the SDK."""
    canned = build_canned()
    sdk_models: Any = None
    if sdk:
        reason = peer_import_error("binance-sdk-spot")
        if reason is None:
            sdk_models = importlib.import_module("binance_sdk_spot.websocket_api.models")
        else:
            skipped.append(f"parse binance-sdk-spot: {reason}")
    # As in the round-trip measure: keep the harness's and the peers' objects out of GC scans.
    gc.collect()
    gc.freeze()
    try:
        return _parse_frames(canned, sdk_models, budget_s, skipped)
    finally:
        gc.unfreeze()


def _parse_frames(
    canned: CannedFrames, sdk_models: Any, budget_s: float, skipped: list[str]
) -> dict[str, Any]:
    from binance_ws import _json, structure

    out: dict[str, Any] = {}
    for key, (method, model_name) in PARSE_FRAMES.items():
        frame = canned.frame(key, _FRAME_ID)
        entry: dict[str, Any] = {"bytes": len(frame)}
        runs: dict[str, Callable[[], object]] = {
            "json.loads": functools.partial(json.loads, frame),
            "binance-ws json": functools.partial(_json.loads, frame),
        }
        label = sdk_label = ""
        try:
            result_type = _typed_result_type(method)
        except Exception as exc:
            result_type, label = None, f"return type of Client.{method} unresolved ({exc})"
        if result_type is not None:
            probe = structure(_json.loads(frame)["result"], result_type)
            label = f"{method}() -> {_type_name(result_type)}; built as {type(probe).__name__}"

            def ours(frame: bytes = frame, result_type: Any = result_type) -> object:
                return structure(_json.loads(frame)["result"], result_type)

            runs[OURS] = ours
        elif not label:
            label = f"no typed Client.{method} yet"
        if sdk_models is not None:
            model = getattr(sdk_models, model_name)

            def sdk(frame: bytes = frame, model: Any = model) -> object:
                # What its response.data() does: from_dict, and model_validate if that fails.
                doc = json.loads(frame)
                try:
                    return model.from_dict(doc)
                except Exception:
                    return model.model_validate(doc)

            try:
                model.from_dict(json.loads(frame))
            except Exception as exc:
                sdk_label = f"from_dict fails ({type(exc).__name__}), its data() falls back to model_validate"
            else:
                sdk_label = ""
            runs["binance-sdk-spot"] = sdk
        for name, fn in runs.items():
            seconds, count = _median_time(fn, budget_s, 200)
            entry[name] = {"us": seconds * 1e6, "runs": count}
        if sdk_models is not None and sdk_label:
            entry["binance-sdk-spot"]["label"] = sdk_label
        if OURS in entry:
            entry[OURS]["label"] = label
        else:
            skipped.append(f"parse {key} binance-ws typed: {label}")
        out[key] = entry
    return out


def _type_name(tp: Any) -> str:
    if typing.get_origin(tp) is None and hasattr(tp, "__name__"):
        return str(tp.__name__)
    return str(tp).replace("binance_ws.models.", "")


def measure_signing(creds: Credentials, budget_s: float, skipped: list[str]) -> dict[str, Any]:
    """Canonical payload + signature of one order.place: binance-ws's signers vs inline code."""
    params = dict(ORDER_PARAMS)
    out: dict[str, Any] = {}
    try:
        signing: Any = importlib.import_module("binance_ws._signing")
    except ImportError as exc:
        signing = None
        skipped.append(f"signing binance-ws: no signing module ({exc})")
    for kind in ("hmac", "rsa", "ed25519"):
        if not creds.has(kind) or (kind != "hmac" and kind not in creds.loaded):
            skipped.append(f"signing {kind}: no key (the crypto extra is needed)")
            continue
        entry: dict[str, Any] = {}
        ref_s, ref_n = _median_time(functools.partial(floor_sign, params, kind, creds), budget_s, 2000)
        entry["reference"] = {"us": ref_s * 1e6, "runs": ref_n}
        if signing is not None:
            try:
                sign = _our_signer(signing, kind, creds)
            except Exception as exc:
                skipped.append(f"signing {kind} binance-ws: {type(exc).__name__}: {exc}")
            else:
                s, n = _median_time(sign, budget_s, 2000)
                entry[OURS] = {"us": s * 1e6, "runs": n}
        out[kind] = entry
    return out


def _our_signer(signing: Any, kind: str, creds: Credentials) -> Callable[[], object]:
    if kind == "hmac":
        signer = signing.HmacSigner(creds.hmac_key, creds.hmac_secret)
        key = creds.hmac_key
    elif kind == "ed25519":
        signer = signing.signer_for_private_key(creds.ed25519_key, creds.ed25519_pem)
        key = creds.ed25519_key
    else:
        signer = signing.signer_for_private_key(creds.rsa_key, creds.rsa_pem)
        key = creds.rsa_key
    canonical = signing.canonical_payload
    base = dict(ORDER_PARAMS)

    def sign() -> object:
        params = dict(base)
        params["apiKey"] = key
        params["timestamp"] = int(time.time() * 1000)
        params["signature"] = signer.sign(canonical(params))
        return params

    return sign
