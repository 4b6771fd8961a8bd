"""Connection measures: how long a lost connection takes to heal, and what a rotation costs.

Against the canned server (its own process), in the benchmark's process:

- **reconnect**: a second, raw connection asks the server to cut every other connection
  (``bench.drop``); the time from that answer to the client's first successful ``ping``.
  References in the same run: a fresh ``Client`` connecting and pinging once (the same work
  without the loss), and a raw websocket-client connection doing the same.
- **rotation**: four threads ping continuously while the client rotates
  (:meth:`binance_ws.Client.rotate`) over and over; the p99 of the calls that overlapped a
  rotation against the p99 of the calls of a steady stretch measured just before. The calls
  failed during rotations are counted (the target is none).
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import websocket

from .clients import floor_tls, no_env_kwargs, ours_tls

__all__ = ["measure_connections"]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _fresh_connection_s(url: str) -> float:
    t0 = time.perf_counter()
    ws = websocket.create_connection(url, skip_utf8_validation=True, **floor_tls(url))
    ws.send('{"id":1,"method":"ping"}')
    ws.recv()
    took = time.perf_counter() - t0
    ws.close()
    return took


def _fresh_client_s(url: str) -> float:
    from binance_ws import Client

    t0 = time.perf_counter()
    client = Client(url, timeout=10, **no_env_kwargs(), **ours_tls(url)).connect()
    client.ping()
    took = time.perf_counter() - t0
    client.close()
    return took


def _reconnect_s(client: Any, control: websocket.WebSocket, limit: float = 10.0) -> float:
    control.send('{"id":"drop","method":"bench.drop"}')
    control.recv()
    t0 = time.perf_counter()
    deadline = t0 + limit
    while time.perf_counter() < deadline:
        try:
            client.ping(timeout=limit)
            return time.perf_counter() - t0
        except Exception:  # the call that still met the old connection; the next one heals
            time.sleep(0.0005)
    raise TimeoutError(f"no successful call within {limit:g} s of the drop")


def _rotation(client: Any, rotations: int) -> dict[str, Any]:
    samples: list[tuple[float, float]] = []  # (start, duration)
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def caller() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                client.ping()
            except Exception as exc:
                with lock:
                    failures.append(f"{type(exc).__name__}: {exc}")
                continue
            with lock:
                samples.append((t0, time.perf_counter() - t0))

    threads = [threading.Thread(target=caller, name=f"bench-rotation-{i}") for i in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        steady_start = time.perf_counter()
        time.sleep(1.0)
        steady_end = time.perf_counter()
        windows: list[tuple[float, float]] = []
        for _ in range(rotations):
            r0 = time.perf_counter()
            client.rotate()
            windows.append((r0, time.perf_counter()))
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    steady = [d for s, d in samples if steady_start <= s < steady_end]
    during = [d for s, d in samples if any(a <= s + d and s <= b for a, b in windows)]
    out: dict[str, Any] = {
        "rotations": rotations,
        "failed_calls": len(failures),
        "first_failure": failures[0] if failures else "",
        "calls_steady": len(steady),
        "calls_during": len(during),
        "rotate_ms_median": statistics.median([(b - a) * 1000 for a, b in windows]) if windows else None,
    }
    if steady and during:
        out["p99_steady_us"] = _p(steady, 0.99) * 1e6
        out["p99_during_us"] = _p(during, 0.99) * 1e6
        out["p99_ratio"] = out["p99_during_us"] / out["p99_steady_us"]
    return out


def measure_connections(url: str, *, rounds: int = 10, rotations: int = 10) -> dict[str, Any]:
    """Reconnect time and rotation tails against the canned server at ``url``."""
    from binance_ws import Client

    fresh = [_fresh_connection_s(url) for _ in range(rounds)]
    fresh_client = [_fresh_client_s(url) for _ in range(rounds)]
    control = websocket.create_connection(url, skip_utf8_validation=True, **floor_tls(url))
    try:
        with Client(url, timeout=10, **no_env_kwargs(), **ours_tls(url)) as client:
            client.ping()
            heal = [_reconnect_s(client, control) for _ in range(rounds)]
            rotation = _rotation(client, rotations)
    finally:
        control.close()
    fresh_ms = statistics.median(fresh) * 1000
    client_ms = statistics.median(fresh_client) * 1000
    heal_ms = statistics.median(heal) * 1000
    return {
        "reconnect": {
            "rounds": rounds,
            "median_ms": heal_ms,
            "max_ms": max(heal) * 1000,
            "fresh_connection_ms": fresh_ms,
            "fresh_client_ms": client_ms,
            "ratio_to_fresh_connection": heal_ms / fresh_ms if fresh_ms else None,
            "ratio_to_fresh_client": heal_ms / client_ms if client_ms else None,
        },
        "rotation": rotation,
    }
