"""The peers: Binance's official ``binance-sdk-spot`` and ``python-binance``, called as their docs show.

Both are imported dynamically (they are optional: the ``bench`` extra installs them) and
pointed at the benchmark's loopback server:

- binance-sdk-spot: ``Spot(config_ws_api=ConfigurationWebSocketAPI(..., stream_url=URL))``,
  ``await client.websocket_api.create_connection()``, then e.g. ``(await conn.depth(...)).data()``
  (``data()`` is where it builds its pydantic model, so it is part of the round trip).
- python-binance: ``Client(key, secret, ping=False)`` (the default ``ping=True`` calls the REST
  API, which needs a network) with its ``ws_api`` replaced by ``WebsocketAPI(url=URL)``; then
  the synchronous ``client.ws_ping()`` / ``ws_get_order_book(...)`` for sequential calls and
  ``AsyncClient.ws_ping()`` for requests in flight.

Both are asyncio clients. "N in flight" is measured two ways:

- **threads** (what the performance targets use, as the issue defines the measure: N threads
  sharing one client): the peer's event loop runs in a thread of its own and each of the N
  threads submits its call with ``asyncio.run_coroutine_threadsafe(...).result()``, which is
  how a threaded application shares an asyncio client;
- **asyncio tasks** (reported beside it, as ``"<peer> (asyncio tasks)"``): N concurrent tasks
  on the peer's own loop, the peer's native best case, for a program that is asyncio already.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from .clients import Call, Runner, Timer, threaded_throughput
from .ops import OPS, Credentials, Op
from .reading import read_all

__all__ = ["PEERS", "TASKS_SUFFIX", "OfficialSDK", "PythonBinance", "peer_import_error", "quiet_peer"]

logger = logging.getLogger(__name__)

ACall = Callable[[], Awaitable[object]]

#: Appended to a peer's name for its asyncio-tasks throughput.
TASKS_SUFFIX = " (asyncio tasks)"

_PEER_MODULES = {
    "binance-sdk-spot": ("binance_sdk_spot.spot", "binance_common.configuration"),
    "python-binance": ("binance.client", "binance.async_client", "binance.ws.websocket_api"),
}


@contextlib.contextmanager
def quiet_peer() -> Iterator[None]:
    """Silence the peers' own deprecation warnings (theirs to fix, not the benchmark's)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def peer_import_error(name: str) -> str | None:
    """Why a peer cannot be imported (None when it can)."""
    for module in _PEER_MODULES[name]:
        try:
            with quiet_peer():
                importlib.import_module(module)
        except Exception as exc:
            return f"{module} does not import ({type(exc).__name__}: {exc}); pip install -e '.[bench]'"
    return None


def _cancel_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


def _shutdown_loop(loop: asyncio.AbstractEventLoop) -> None:
    _cancel_tasks(loop)
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


async def _time_awaits(call: ACall, n: int) -> list[int]:
    clock = time.perf_counter_ns
    out = [0] * n
    for i in range(n):
        start = clock()
        await call()
        out[i] = clock() - start
    return out


async def _gather_throughput(call: ACall, inflight: int, total: int) -> float:
    per_task = max(1, total // inflight)

    async def worker() -> None:
        for _ in range(per_task):
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(inflight)))
    return per_task * inflight / (time.perf_counter() - start)


def _threads_on_loop(loop: asyncio.AbstractEventLoop, acall: ACall, inflight: int, total: int) -> float:
    """Requests per second of ``inflight`` threads sharing an asyncio client.

    The client's loop runs in a thread of its own while the threads submit their calls
    with ``run_coroutine_threadsafe``; afterwards the loop is stopped, so the sequential
    measures can drive it from the main thread again.
    """
    runner = threading.Thread(target=loop.run_forever, name="bench-peer-loop", daemon=True)
    runner.start()
    try:
        return threaded_throughput(
            lambda: asyncio.run_coroutine_threadsafe(acall(), loop).result(60),  # type: ignore[arg-type]
            inflight,
            total,
        )
    finally:
        loop.call_soon_threadsafe(loop.stop)
        runner.join(30)
        if runner.is_alive():
            raise RuntimeError("the peer's event loop did not stop")


class OfficialSDK(Runner):
    """Binance's official async SDK, ``binance-sdk-spot`` (aiohttp + pydantic models)."""

    name = "binance-sdk-spot"

    def __init__(self, url: str, creds: Credentials) -> None:
        super().__init__()
        self.url = url
        self.creds = creds
        self._cfg = importlib.import_module("binance_common.configuration")
        self._spot = importlib.import_module("binance_sdk_spot.spot")
        self._models = importlib.import_module("binance_sdk_spot.websocket_api.models")
        self.loop = asyncio.new_event_loop()
        self._conns: dict[str, Any] = {}
        self._conn("hmac")

    def _conn(self, kind: str) -> Any:
        if kind not in self._conns:
            c = self.creds
            if kind == "hmac":
                keys: dict[str, Any] = {"api_key": c.hmac_key, "api_secret": c.hmac_secret}
            else:
                keys = {"api_key": c.ed25519_key, "private_key": c.ed25519_pem}
            config = self._cfg.ConfigurationWebSocketAPI(stream_url=self.url, **keys)
            client = self._spot.Spot(config_ws_api=config)
            with quiet_peer():
                conn = self.loop.run_until_complete(client.websocket_api.create_connection())
            if conn is None or not getattr(conn, "connections", None):
                raise RuntimeError(f"binance-sdk-spot could not connect to {self.url} (it logs why)")
            self._conns[kind] = conn
        return self._conns[kind]

    def _abind(self, op: Op) -> ACall | None:
        if not self.creds.has(op.signed):
            self.skipped[op.key] = f"no {op.signed} key"
            return None
        conn = self._conn(op.signed or "hmac")
        m = self._models
        if op.method == "ping":
            method: Callable[[], Awaitable[Any]] = conn.ping
        elif op.method == "depth":
            symbol, limit = op.params["symbol"], op.params["limit"]

            def method() -> Awaitable[Any]:
                return conn.depth(symbol=symbol, limit=limit)  # type: ignore[no-any-return]

        elif op.method == "exchangeInfo":
            method = conn.exchange_info
        elif op.method == "order.place":
            p = op.params
            kwargs = {
                "symbol": p["symbol"],
                "side": m.OrderPlaceSideEnum[p["side"]].value,
                "type": m.OrderPlaceTypeEnum[p["type"]].value,
                "time_in_force": m.OrderPlaceTimeInForceEnum[p["timeInForce"]].value,
                "price": float(p["price"]),
                "quantity": float(p["quantity"]),
                "new_order_resp_type": m.OrderPlaceNewOrderRespTypeEnum[p["newOrderRespType"]].value,
            }

            def method() -> Awaitable[Any]:
                return conn.order_place(**kwargs)  # type: ignore[no-any-return]

        else:
            self.skipped[op.key] = "not bound"
            return None

        async def call() -> object:
            data = (await method()).data()
            if isinstance(data, (dict, str)):  # its way of reporting a failed request
                raise RuntimeError(f"{op.method}: {data}")
            return data

        try:
            result = self.loop.run_until_complete(call())
        except Exception as exc:
            self.skipped[op.key] = f"failed: {exc}"
            return None
        self.labels.setdefault(op.key, f".data() -> {type(result).__name__}")
        return call

    def bind(self, op: Op) -> Call | None:
        acall = self._abind(op)
        if acall is None:
            return None
        return lambda: self.loop.run_until_complete(acall())

    def timer(self, op: Op) -> Timer | None:
        acall = self._abind(op)
        if acall is None:
            return None
        if op.read:
            returned = acall

            async def acall() -> object:
                return read_all(await returned())

        if op.between is not None:
            other = self.timer(OPS[op.between])
            if other is None:
                return None
            timed = acall
            run = self.loop.run_until_complete
            return lambda n: [t for _ in range(n) for t in (other(1), run(_time_awaits(timed, 1)))[1]]
        return lambda n: self.loop.run_until_complete(_time_awaits(acall, n))

    def throughput(self, inflight: int, total: int) -> float | None:
        acall = self._abind(OPS["ping"])
        if acall is None:
            return None
        return _threads_on_loop(self.loop, acall, inflight, total)

    def throughput_tasks(self, inflight: int, total: int) -> float | None:
        acall = self._abind(OPS["ping"])
        if acall is None:
            return None
        return self.loop.run_until_complete(_gather_throughput(acall, inflight, total))

    def close(self) -> None:
        for conn in self._conns.values():
            try:
                self.loop.run_until_complete(conn.close_connection(close_session=True))
            except Exception as exc:
                logger.debug("binance-sdk-spot close failed: %s", exc)
        self._conns.clear()
        _shutdown_loop(self.loop)


class PythonBinance(Runner):
    """``python-binance``'s websocket API calls: sync ``Client`` sequentially, ``AsyncClient`` in flight."""

    name = "python-binance"

    def __init__(self, url: str, creds: Credentials) -> None:
        super().__init__()
        self.url = url
        self.creds = creds
        self._client_mod = importlib.import_module("binance.client")
        self._async_mod = importlib.import_module("binance.async_client")
        self._ws_mod = importlib.import_module("binance.ws.websocket_api")
        self.loop = asyncio.new_event_loop()
        # Its clients take the thread's current loop when they are built.
        asyncio.set_event_loop(self.loop)
        self._clients: dict[str, Any] = {}
        self._async_client: Any = None
        self._client("hmac")

    def _client(self, kind: str) -> Any:
        if kind not in self._clients:
            c = self.creds
            if kind == "hmac":
                client = self._client_mod.Client(c.hmac_key, c.hmac_secret, ping=False)
            else:
                client = self._client_mod.Client(c.ed25519_key, private_key=c.ed25519_pem, ping=False)
            client.ws_api = self._ws_mod.WebsocketAPI(url=self.url)
            self._clients[kind] = client
        return self._clients[kind]

    def bind(self, op: Op) -> Call | None:
        if not self.creds.has(op.signed):
            self.skipped[op.key] = f"no {op.signed} key"
            return None
        asyncio.set_event_loop(self.loop)
        client = self._client(op.signed or "hmac")
        call: Call
        if op.method == "ping":
            call = client.ws_ping
        elif op.method == "depth":
            symbol, limit = op.params["symbol"], op.params["limit"]

            def call() -> object:
                return client.ws_get_order_book(symbol=symbol, limit=limit)

        elif op.method == "exchangeInfo":
            call = client.ws_get_exchange_info
        elif op.method == "order.place":
            params = dict(op.params)

            def call() -> object:
                return client.ws_create_order(**params)

        else:
            self.skipped[op.key] = "not bound"
            return None
        try:
            with quiet_peer():  # its first call connects
                call()
        except Exception as exc:
            self.skipped[op.key] = f"failed: {type(exc).__name__}: {exc}"
            return None
        self.labels.setdefault(op.key, "sync Client, raw dict result")
        return call

    def _async_ping(self) -> ACall:
        asyncio.set_event_loop(self.loop)
        if self._async_client is None:
            c = self.creds
            client = self._async_mod.AsyncClient(c.hmac_key, c.hmac_secret, loop=self.loop)
            client.ws_api = self._ws_mod.WebsocketAPI(url=self.url)
            self._async_client = client
            with quiet_peer():  # its first call connects
                self.loop.run_until_complete(client.ws_ping())
        acall: ACall = self._async_client.ws_ping
        return acall

    def throughput(self, inflight: int, total: int) -> float | None:
        return _threads_on_loop(self.loop, self._async_ping(), inflight, total)

    def throughput_tasks(self, inflight: int, total: int) -> float | None:
        return self.loop.run_until_complete(_gather_throughput(self._async_ping(), inflight, total))

    def close(self) -> None:
        asyncio.set_event_loop(self.loop)
        # Its own close() waits out a 10 s receive timeout per connection; cancelling the
        # read loops first and then closing the sockets ends it at once.
        _cancel_tasks(self.loop)
        clients = list(self._clients.values())
        if self._async_client is not None:
            clients.append(self._async_client)
        for client in clients:
            ws = getattr(client.ws_api, "ws", None)
            try:
                if ws is not None:
                    self.loop.run_until_complete(ws.close())
                session = getattr(client, "session", None)
                if session is not None:
                    closing = session.close()
                    if asyncio.iscoroutine(closing):
                        self.loop.run_until_complete(closing)
            except Exception as exc:
                logger.debug("python-binance close failed: %s", exc)
        self._clients.clear()
        self._async_client = None
        _shutdown_loop(self.loop)
        asyncio.set_event_loop(None)


#: Constructors by name: ``PEERS[name](url, credentials)``.
PEERS: dict[str, Callable[[str, Credentials], Runner]] = {
    "binance-sdk-spot": OfficialSDK,
    "python-binance": PythonBinance,
}
