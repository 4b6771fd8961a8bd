"""The blocking clients under test: the raw floor, the reference design and binance-ws.

A runner binds each operation to a zero-argument call once (:meth:`Runner.bind`), so the
timed loop does nothing but call it. Where binance-ws has no typed method for an operation
yet, the runner falls back to the untyped path and says so in the operation's label.
"""

from __future__ import annotations

import itertools
import json
import os
import ssl
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import websocket

from .ops import OPS, Credentials, Op, floor_sign
from .reading import read_all

__all__ = [
    "Call",
    "Floor",
    "Ours",
    "ReaderRef",
    "Runner",
    "Timer",
    "no_env_kwargs",
    "threaded_throughput",
    "time_calls",
]

Call = Callable[[], object]

# The CA file of a wss:// benchmark server (set by the benchmark before the clients start).
CA_ENV = "BINANCE_WS_BENCH_CA"


def floor_tls(url: str) -> dict[str, Any]:
    """websocket-client options trusting the benchmark server's test CA (nothing for ws://)."""
    ca = os.environ.get(CA_ENV)
    return {"sslopt": {"ca_certs": ca}} if ca and url.startswith("wss://") else {}


def ours_tls(url: str) -> dict[str, Any]:
    """``Client`` options trusting the benchmark server's test CA (nothing for ws://)."""
    ca = os.environ.get(CA_ENV)
    if not ca or not url.startswith("wss://"):
        return {}
    import inspect

    from binance_ws import Client

    if "ssl_context" not in inspect.signature(Client.__init__).parameters:
        # An earlier tree (``--baseline``) trusts what websocket-client trusts; this is the
        # client's own process, so the variable reaches nothing else.
        os.environ["WEBSOCKET_CLIENT_CA_BUNDLE"] = ca
        return {}
    return {"ssl_context": ssl.create_default_context(cafile=ca)}


Timer = Callable[[int], list[int]]


class Runner:
    """A client under test; subclasses fill :meth:`bind` and :meth:`throughput`."""

    name = "?"
    #: Why an operation is not measured for this client, by op key.
    skipped: dict[str, str]
    #: How an operation is called, when that differs from the default (shown in the table).
    labels: dict[str, str]

    def __init__(self) -> None:
        self.skipped = {}
        self.labels = {}

    def bind(self, op: Op) -> Call | None:
        """A call performing ``op`` once, or None (with the reason in :attr:`skipped`)."""
        raise NotImplementedError

    def timer(self, op: Op) -> Timer | None:
        """A function timing ``n`` sequential calls of ``op`` (ns each), or None if unbound."""
        call = self.bind(op)
        if call is None:
            return None
        if op.read:
            returned = call

            def call() -> object:
                return read_all(returned())

        if op.between is not None:
            other = self.timer(OPS[op.between])
            if other is None:
                return None
            timed = call
            return lambda n: [t for _ in range(n) for t in (other(1), time_calls(timed, 1))[1]]
        return lambda n: time_calls(call, n)

    def latency(self, op: Op, n: int) -> list[int] | None:
        """Round-trip times of ``n`` sequential calls, in ns."""
        timer = self.timer(op)
        return None if timer is None else timer(n)

    def throughput(self, inflight: int, total: int) -> float | None:
        """Completed ``ping`` requests per second with ``inflight`` threads sharing the client."""
        raise NotImplementedError

    def throughput_tasks(self, inflight: int, total: int) -> float | None:
        """The same with ``inflight`` asyncio tasks, for asyncio clients (None otherwise)."""
        return None

    def close(self) -> None:
        pass


def time_calls(call: Call, n: int) -> list[int]:
    clock = time.perf_counter_ns
    out = [0] * n
    for i in range(n):
        start = clock()
        call()
        out[i] = clock() - start
    return out


def threaded_throughput(call: Call, inflight: int, total: int) -> float:
    """Requests per second of ``inflight`` threads calling ``call`` on one shared client."""
    per_thread = max(1, total // inflight)
    barrier = threading.Barrier(inflight + 1)
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            for _ in range(per_thread):
                call()
        except BaseException as exc:  # reported after the join
            errors.append(exc)

    threads = [threading.Thread(target=worker, name=f"bench-worker-{i}") for i in range(inflight)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} worker(s) failed; first: {errors[0]!r}") from errors[0]
    return per_thread * inflight / elapsed


class Floor(Runner):
    """Raw websocket-client on one thread: ``send(json.dumps(...))`` / ``json.loads(recv())``.

    Signed requests are signed inline in the fewest steps (see :func:`bench.ops.floor_sign`).
    """

    name = "raw floor"

    def __init__(self, url: str, creds: Credentials) -> None:
        super().__init__()
        self.creds = creds
        # Blocking socket, as websocket-client opens it by default: a timeout adds a poll() per recv.
        self.ws = websocket.create_connection(url, skip_utf8_validation=True, **floor_tls(url))
        self._next_id = 0

    def bind(self, op: Op) -> Call | None:
        if not self.creds.has(op.signed):
            self.skipped[op.key] = f"no {op.signed} key"
            return None
        ws = self.ws
        dumps, loads = json.dumps, json.loads
        method, params, kind, creds = op.method, op.params, op.signed, self.creds

        def call() -> object:
            self._next_id += 1
            message: dict[str, Any] = {"id": self._next_id, "method": method}
            if kind is not None:
                message["params"] = floor_sign(params, kind, creds)
            elif params:
                message["params"] = params
            ws.send(dumps(message))
            frame = loads(ws.recv())
            if frame["status"] != 200:
                raise RuntimeError(f"{method}: {frame.get('error')}")
            return frame

        return call

    def throughput(self, inflight: int, total: int) -> float | None:
        """One thread keeping ``inflight`` requests outstanding (pipelined): the raw ceiling."""
        ws = self.ws
        sent = done = 0
        start = time.perf_counter()
        while sent < min(inflight, total):
            sent += 1
            ws.send(json.dumps({"id": sent, "method": "ping"}))
        while done < total:
            json.loads(ws.recv())
            done += 1
            if sent < total:
                sent += 1
                ws.send(json.dumps({"id": sent, "method": "ping"}))
        return total / (time.perf_counter() - start)

    def close(self) -> None:
        self.ws.close()


class ReaderRef(Runner):
    """The design at its simplest: one reader thread, one Event per request, ~30 lines.

    Not a product: the reference that shows what the reader-thread design itself costs over
    the raw floor, so the rest of the gap is binance-ws's own code.
    """

    name = "ref: reader+Event"

    def __init__(self, url: str, creds: Credentials) -> None:
        super().__init__()
        self.creds = creds
        self.ws = websocket.create_connection(
            url, timeout=None, skip_utf8_validation=True, enable_multithread=True, **floor_tls(url)
        )
        self.slots: dict[int, list[Any]] = {}
        self.ids = itertools.count(1)
        self.reader = threading.Thread(target=self._read, name="bench-ref-reader", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                opcode, data = self.ws.recv_data()
            except Exception:
                return
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return
            frame = json.loads(data)
            slot = self.slots.pop(frame.get("id"), None)
            if slot is not None:
                slot[1] = frame
                slot[0].set()

    def request(self, method: str, params: dict[str, Any] | None) -> dict[str, Any]:
        request_id = next(self.ids)
        slot: list[Any] = [threading.Event(), None]
        self.slots[request_id] = slot
        message: dict[str, Any] = {"id": request_id, "method": method}
        if params:
            message["params"] = params
        self.ws.send(json.dumps(message))
        if not slot[0].wait(60):
            raise TimeoutError(method)
        frame: dict[str, Any] = slot[1]
        if frame["status"] != 200:
            raise RuntimeError(f"{method}: {frame.get('error')}")
        return frame

    def bind(self, op: Op) -> Call | None:
        if not self.creds.has(op.signed):
            self.skipped[op.key] = f"no {op.signed} key"
            return None
        method, params, kind, creds = op.method, op.params, op.signed, self.creds
        if kind is not None:
            return lambda: self.request(method, floor_sign(params, kind, creds))
        return lambda: self.request(method, params)

    def throughput(self, inflight: int, total: int) -> float | None:
        return threaded_throughput(lambda: self.request("ping", None), inflight, total)

    def close(self) -> None:
        self.ws.close()
        self.reader.join(5)


class Ours(Runner):
    """binance-ws: one :class:`binance_ws.Client` per key type, typed methods where they exist."""

    name = "binance-ws"

    def __init__(self, url: str, creds: Credentials, *, timeout: float = 60.0) -> None:
        super().__init__()
        from binance_ws import Client

        self.url = url
        self.creds = creds
        self.timeout = timeout
        self.client = Client(
            url,
            api_key=creds.hmac_key,
            api_secret=creds.hmac_secret,
            timeout=timeout,
            **no_env_kwargs(),
            **ours_tls(url),
        ).connect()
        self._ed_client: Any = None

    def _ed25519_client(self) -> Any:
        if self._ed_client is None:
            from binance_ws import Client

            try:
                self._ed_client = Client(
                    self.url,
                    api_key=self.creds.ed25519_key,
                    private_key=self.creds.ed25519_pem,
                    timeout=self.timeout,
                    **no_env_kwargs(),
                    **ours_tls(self.url),
                ).connect()
            except TypeError as exc:  # no private_key= yet
                self.skipped["order_ed25519"] = f"Client takes no Ed25519 key: {exc}"
                return None
        return self._ed_client

    def bind(self, op: Op) -> Call | None:
        if not self.creds.has(op.signed):
            self.skipped[op.key] = f"no {op.signed} key"
            return None
        client = self.client if op.signed != "ed25519" else self._ed25519_client()
        if client is None:
            return None
        typed = _typed_call(client, op)
        if typed is not None:
            try:
                result = typed()
            except Exception as exc:
                self.labels[op.key] = f"typed call failed ({type(exc).__name__}: {exc}); untyped"
            else:
                self.labels[op.key] = f"typed -> {type(result).__name__}"
                return typed
        elif op.key not in self.labels:
            self.labels[op.key] = "no typed method yet: untyped result"
        if op.signed is not None:
            # _call validates and signs like a typed method, without decoding the result.
            return lambda: client._call(op.method, op.params)
        return lambda: client.request(op.method, op.params or None)

    def throughput(self, inflight: int, total: int) -> float | None:
        call = self.bind(OPS["ping"])
        assert call is not None
        return threaded_throughput(call, inflight, total)

    def close(self) -> None:
        self.client.close()
        if self._ed_client is not None:
            self._ed_client.close()


def no_env_kwargs() -> dict[str, Any]:
    """Keep BINANCE_* variables of the machine out of the benchmark's clients; no pacing."""
    import inspect

    from binance_ws import Client

    params = inspect.signature(Client.__init__).parameters
    kwargs: dict[str, Any] = {"credentials_from_env": False} if "credentials_from_env" in params else {}
    if "rate_limit" in params:
        # The canned server has no limits and the peers pace nothing: the governor counts
        # (its cost is measured) but holds no request back for Binance's 50 orders per 10 s.
        kwargs["rate_limit"] = None
    return kwargs


def _typed_call(client: Any, op: Op) -> Call | None:
    """The typed facade call for ``op``, or None when the client has no such method."""
    if op.method == "ping" and hasattr(client, "ping"):
        return client.ping  # type: ignore[no-any-return]
    if op.method == "depth" and hasattr(client, "depth"):
        limit = op.params["limit"]
        symbol = op.params["symbol"]
        return lambda: client.depth(symbol=symbol, limit=limit)
    if op.method == "exchangeInfo" and hasattr(client, "exchange_info"):
        return client.exchange_info  # type: ignore[no-any-return]
    if op.method == "klines" and hasattr(client, "klines"):
        kw = {"symbol": op.params["symbol"], "interval": op.params["interval"], "limit": op.params["limit"]}
        return lambda: client.klines(**kw)
    if op.method == "allOrders" and hasattr(client, "all_orders"):
        kw = {"symbol": op.params["symbol"], "limit": op.params["limit"]}
        return lambda: client.all_orders(**kw)
    if op.method == "order.place" and hasattr(client, "order_place"):
        p = op.params
        kwargs = {
            "symbol": p["symbol"],
            "side": p["side"],
            "type": p["type"],
            "time_in_force": p["timeInForce"],
            "price": Decimal(p["price"]),
            "quantity": Decimal(p["quantity"]),
            "new_order_resp_type": p["newOrderRespType"],
        }
        return lambda: client.order_place(**kwargs)
    return None
