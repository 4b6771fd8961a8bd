"""User Data Stream measure: events per second and send-to-handler latency.

A canned server (its own process, ``python -m bench.userdata serve``) answers a subscription
and then, on the client's ``ping``, floods ``executionReport`` events (Binance's documented
example, ~700 bytes each) as fast as the socket takes them; on ``time`` it sends events one
at a time, paced, each stamped with the microsecond it was sent (in ``E``, as a
``timeUnit=MICROSECOND`` connection has it). Frames are written straight to the socket,
prebuilt, so the server's own cost stays far below any client's.

Clients, each in a process of its own (``python -m bench.userdata client NAME URL ...``):

- **raw floor**: websocket-client on one thread: ``recv`` + ``json.loads`` per event;
- **binance-ws (iterator)**: ``client.user_data()`` and ``stream.get()``: typed
  ``ExecutionReport`` events, decoded on the iterating thread;
- **binance-ws (callbacks)**: the same stream with ``stream.on(ExecutionReport, handler)``;
- **binance-sdk-spot**: ``(await conn.user_data_stream_subscribe_signature()).stream.on(
  "message", handler)``: its pydantic models, on its event loop.

Events per second count from the request that starts the flood to the last event handled
(so events still queued inside a client count only once handled); latency is the receipt
time (in the handler or after ``get``) minus the event's stamp, over the paced events.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["CLIENTS", "measure_userdata", "render_userdata"]

_ROOT = Path(__file__).resolve().parent.parent
FLOOR = "raw floor"
OURS_ITER = "binance-ws (iterator)"
OURS_CB = "binance-ws (callbacks)"
SDK = "binance-sdk-spot"
CLIENTS = (FLOOR, OURS_ITER, OURS_CB, SDK)
KEY, SECRET = "bench-user-data-key", "bench-user-data-secret"

_EVENT = {
    "e": "executionReport",
    "E": 0,
    "s": "ETHBTC",
    "c": "mUvoqJxFIILMdfAW5iGSOW",
    "S": "BUY",
    "o": "LIMIT",
    "f": "GTC",
    "q": "1.00000000",
    "p": "0.10264410",
    "P": "0.00000000",
    "F": "0.00000000",
    "g": -1,
    "C": "",
    "x": "TRADE",
    "X": "PARTIALLY_FILLED",
    "r": "NONE",
    "i": 4293153,
    "l": "0.10000000",
    "z": "0.20000000",
    "L": "0.10264410",
    "n": "0.00000010",
    "N": "BNB",
    "T": 1499405658657,
    "t": 1234,
    "I": 8641984,
    "w": True,
    "m": False,
    "M": True,
    "O": 1499405658657,
    "Z": "0.02052882",
    "Y": "0.01026441",
    "Q": "0.00000000",
    "W": 1499405658657,
    "V": "NONE",
}


# -- the server ------------------------------------------------------------------------------


def _frame(payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return bytes((0x81, 126)) + n.to_bytes(2, "big") + payload
    return bytes((0x81, 127)) + n.to_bytes(8, "big") + payload


_HEAD, _TAIL = json.dumps({"subscriptionId": 0, "event": _EVENT}, separators=(",", ":")).split('"E":0', 1)


def _event_frame(stamp_us: int) -> bytes:
    return _frame(f'{_HEAD}"E":{stamp_us}{_TAIL}'.encode())


def _scan(text: str, key: str) -> str:
    at = text.find(f'"{key}"')
    if at < 0:
        return "null"
    start = text.index(":", at) + 1
    end = start
    while end < len(text) and text[end] not in ",}":
        end += 1
    return text[start:end].strip()


_LIMITS = '"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":2}]'


def _answer(request_id: str, result: str) -> str:
    return f'{{"id":{request_id},"status":200,"result":{result},{_LIMITS}}}'


def _serve(flood: int, paced: int, interval_us: int) -> None:
    from websockets.sync.server import serve

    def handle(conn: Any) -> None:
        sock: socket.socket = conn.socket
        for message in _messages(conn):
            text = message if isinstance(message, str) else message.decode()
            request_id = _scan(text, "id")
            method = _scan(text, "method").strip('"')
            if method.startswith("userDataStream.subscribe"):
                conn.send(_answer(request_id, '{"subscriptionId":0}'))
            elif method == "ping":  # the flood: batches stamped when built
                conn.send(_answer(request_id, "{}"))
                left = flood
                while left:
                    batch = min(left, 256)
                    frame = _event_frame(time.time_ns() // 1000)
                    sock.sendall(frame * batch)
                    left -= batch
            elif method == "time":  # paced, each stamped as it leaves
                conn.send(_answer(request_id, f'{{"serverTime":{int(time.time() * 1000)}}}'))
                step = interval_us / 1e6
                due = time.perf_counter() + 0.05  # the client's call has returned by then
                for _ in range(paced):
                    due += step
                    while time.perf_counter() < due:
                        pass
                    sock.sendall(_event_frame(time.time_ns() // 1000))
            else:
                conn.send(_answer(request_id, "{}"))

    server = serve(
        handle, "127.0.0.1", 0, compression=None, max_size=None, ping_interval=None, max_queue=None
    )
    port = server.socket.getsockname()[1]
    threading.Thread(target=server.serve_forever, name="bench-userdata", daemon=True).start()
    sys.stdout.write(json.dumps({"url": f"ws://127.0.0.1:{port}/ws-api/v3"}) + "\n")
    sys.stdout.flush()
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        server.shutdown()


def _messages(conn: Any) -> Any:
    from websockets.exceptions import ConnectionClosed

    try:
        yield from conn
    except ConnectionClosed:
        return


# -- the clients (each in its own process) ---------------------------------------------------


def _now_us() -> int:
    return time.time_ns() // 1000


class _Tally:
    """Counts events and keeps receipt-minus-stamp latencies; ``done`` when all came."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.seen = 0
        self.first = 0.0
        self.last = 0.0
        self.latency: list[int] = []
        self.done = threading.Event()

    def start(self) -> None:
        """Just before asking for the events: the rate counts from here (one round trip more)."""
        self.first = time.perf_counter()

    def flood(self, _stamp: int) -> None:
        self.seen += 1
        if self.seen == self.count:
            self.last = time.perf_counter()
            self.done.set()

    def paced(self, stamp: int) -> None:
        self.latency.append(_now_us() - stamp)
        if len(self.latency) == self.count:
            self.done.set()

    def rate(self) -> float:
        return self.count / (self.last - self.first) if self.last > self.first else float("nan")


def _floor(url: str, flood: int, paced: int) -> dict[str, Any]:
    import websocket

    ws = websocket.create_connection(url, skip_utf8_validation=True)
    loads = json.loads
    ws.send('{"id":1,"method":"userDataStream.subscribe.signature","params":{}}')
    ws.recv()
    out: dict[str, Any] = {}
    for kind, count, ask in (("flood", flood, "ping"), ("paced", paced, "time")):
        tally = _Tally(count)
        on = tally.flood if kind == "flood" else tally.paced
        tally.start()
        ws.send(f'{{"id":2,"method":"{ask}"}}')
        ws.recv()
        while not tally.done.is_set():
            on(loads(ws.recv())["event"]["E"])
        out["rate" if kind == "flood" else "latency"] = tally.rate() if kind == "flood" else tally.latency
    ws.close()
    return out


def _ours(url: str, flood: int, paced: int, callbacks: bool) -> dict[str, Any]:
    from binance_ws import Client
    from binance_ws.models.events import ExecutionReport

    out: dict[str, Any] = {}
    client = Client(url, api_key=KEY, api_secret=SECRET, credentials_from_env=False)
    with client, client.user_data(buffer_size=0 if callbacks else flood + paced + 10) as stream:
        for kind, count, ask in (("flood", flood, "ping"), ("paced", paced, "time")):
            tally = _Tally(count)
            on = tally.flood if kind == "flood" else tally.paced
            if callbacks:
                remove = stream.on(ExecutionReport, lambda e, on=on: on(e.event_time))  # type: ignore[misc]
                tally.start()
                getattr(client, ask)()
                if not tally.done.wait(120):
                    raise TimeoutError(f"{tally.seen} of {count} events")
                remove()
            else:
                tally.start()
                getattr(client, ask)()
                get = stream.get
                while not tally.done.is_set():
                    event = get(60)
                    if event is None:
                        raise TimeoutError(f"{tally.seen} of {count} events")
                    on(event.event_time)  # type: ignore[union-attr,arg-type]
            out["rate" if kind == "flood" else "latency"] = tally.rate() if kind == "flood" else tally.latency
    return out


def _sdk(url: str, flood: int, paced: int) -> dict[str, Any]:
    import importlib

    from .peers import _shutdown_loop, quiet_peer

    cfg = importlib.import_module("binance_common.configuration")
    spot = importlib.import_module("binance_sdk_spot.spot")
    loop = asyncio.new_event_loop()
    out: dict[str, Any] = {}
    with quiet_peer():
        client = spot.Spot(
            config_ws_api=cfg.ConfigurationWebSocketAPI(stream_url=url, api_key=KEY, api_secret=SECRET)
        )
        conn = loop.run_until_complete(client.websocket_api.create_connection())
        subscribed = loop.run_until_complete(conn.user_data_stream_subscribe_signature())
        current: list[Callable[[int], None]] = []

        def handler(message: Any) -> None:
            event = getattr(message, "actual_instance", message)
            current[0](int(event.E))

        subscribed.stream.on("message", handler)
        for kind, count, ask in (("flood", flood, conn.ping), ("paced", paced, conn.time)):
            tally = _Tally(count)
            current[:] = [tally.flood if kind == "flood" else tally.paced]
            tally.start()
            loop.run_until_complete(ask())

            async def wait(t: _Tally = tally) -> None:
                deadline = time.monotonic() + 120
                while not t.done.is_set() and time.monotonic() < deadline:
                    await asyncio.sleep(0.001)

            loop.run_until_complete(wait())
            if not tally.done.is_set():
                raise TimeoutError(f"{tally.seen} of {count} events")
            out["rate" if kind == "flood" else "latency"] = tally.rate() if kind == "flood" else tally.latency
        loop.run_until_complete(conn.close_connection(close_session=True))
        _shutdown_loop(loop)
    return out


def _client_main(name: str, url: str, flood: int, paced: int) -> None:
    if name == FLOOR:
        result = _floor(url, flood, paced)
    elif name in (OURS_ITER, OURS_CB):
        result = _ours(url, flood, paced, callbacks=name == OURS_CB)
    elif name == SDK:
        result = _sdk(url, flood, paced)
    else:
        raise SystemExit(f"unknown client {name!r}")
    latency = sorted(result.pop("latency"))
    result["p50_us"] = latency[len(latency) // 2]
    result["p99_us"] = latency[min(len(latency) - 1, int(len(latency) * 0.99))]
    sys.stdout.write(json.dumps(result) + "\n")


# -- the measure -----------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def measure_userdata(
    *,
    flood: int,
    paced: int,
    interval_us: int = 1000,
    repeats: int = 1,
    peers: Sequence[str] = (SDK,),
    skipped: list[str] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Each client's events/s (median over ``repeats``) and paced latency p50/p99 (µs)."""
    cmd = [sys.executable, "-m", "bench.userdata", "serve", str(flood), str(paced), str(interval_us)]
    server = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(_ROOT), env=_env())
    assert server.stdout is not None and server.stdin is not None
    try:
        ready, _, _ = select.select([server.stdout], [], [], 60)
        line = server.stdout.readline() if ready else b""
        if not line:
            raise RuntimeError("the user data server did not start")
        url = json.loads(line)["url"]
        names = [n for n in CLIENTS if n != SDK or SDK in peers]
        runs: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
        for _ in range(repeats):
            for name in names:  # alternating, so a slow phase of the machine hits every client
                progress(f"user data: {name}")
                done = subprocess.run(
                    [sys.executable, "-m", "bench.userdata", "client", name, url, str(flood), str(paced)],
                    capture_output=True,
                    text=True,
                    cwd=str(_ROOT),
                    env=_env(),
                    timeout=600,
                    check=False,
                )
                if done.returncode != 0 or not done.stdout.strip():
                    if skipped is not None:
                        skipped.append(f"user data {name}: {done.stderr.strip().splitlines()[-1:]}")
                    runs.pop(name, None)
                    names.remove(name)
                    break
                runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        server.stdin.close()
        server.wait(30)
        server.stdout.close()
    out: dict[str, Any] = {"flood": flood, "paced": paced, "interval_us": interval_us, "clients": {}}
    for name, results in runs.items():
        if results:
            out["clients"][name] = {
                "events_per_s": statistics.median(r["rate"] for r in results),
                "p50_us": statistics.median(r["p50_us"] for r in results),
                "p99_us": statistics.median(r["p99_us"] for r in results),
            }
    return out


def render_userdata(result: dict[str, Any]) -> str:
    """The printed table: rates and latencies, with our ratios to the floor and the SDK."""
    clients = result.get("clients", {})
    lines = [
        "",
        f"User Data Stream: {result['flood']} executionReports flooded, {result['paced']} paced "
        f"every {result['interval_us']} µs",
        f"{'client':<26}{'events/s':>10}{'p50 µs':>9}{'p99 µs':>9}{'rate/floor':>12}{'rate/sdk':>10}"
        f"{'p50/floor':>11}{'p99/floor':>11}",
    ]
    floor = clients.get(FLOOR, {})
    sdk = clients.get(SDK, {}).get("events_per_s")

    def ratio(value: float | None, base: float | None, show: bool) -> str:
        return f"{value / base:.2f}x" if show and value and base else "-"

    for name, entry in clients.items():
        rate = entry["events_per_s"]
        own = name != FLOOR
        lines.append(
            f"{name:<26}{rate:>10,.0f}{entry['p50_us']:>9,.0f}{entry['p99_us']:>9,.0f}"
            f"{ratio(rate, floor.get('events_per_s'), own):>12}{ratio(rate, sdk, own and name != SDK):>10}"
            f"{ratio(entry['p50_us'], floor.get('p50_us'), own):>11}{ratio(entry['p99_us'], floor.get('p99_us'), own):>11}"
        )
    lines.append("targets: binance-ws events/s >= 0.7x the raw floor's and >= 2x binance-sdk-spot's")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.userdata", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("flood", type=int)
    serve.add_argument("paced", type=int)
    serve.add_argument("interval_us", type=int)
    client = sub.add_parser("client")
    client.add_argument("name")
    client.add_argument("url")
    client.add_argument("flood", type=int)
    client.add_argument("paced", type=int)
    run = sub.add_parser("run")
    run.add_argument("--flood", type=int, default=50_000)
    run.add_argument("--paced", type=int, default=2000)
    run.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    if args.command == "serve":
        _serve(args.flood, args.paced, args.interval_us)
    elif args.command == "client":
        _client_main(args.name, args.url, args.flood, args.paced)
    else:
        skipped: list[str] = []
        result = measure_userdata(
            flood=args.flood,
            paced=args.paced,
            repeats=args.repeats,
            skipped=skipped,
            progress=lambda m: print(m, file=sys.stderr),
        )
        print(render_userdata(result))
        for note in skipped:
            print("skipped:", note)


if __name__ == "__main__":
    main()
