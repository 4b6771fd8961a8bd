"""Helpers of the local exchange's tests: the demo account over signed raw requests, tagged clients.

Expected balances in the order tests are computed from the prices the book showed before an
order, with the 0.1 % commission charged in the received asset, rounded half-up to 8 places.

A test that injects a fault into the shared exchange aims it at its own client: the client
connects to ``exchange.url_for(tag)`` with a tag no other test uses, and the fault is given
``connection=tag`` (the ``tagged`` fixture does the connecting).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs
import pytest
import websocket

from binance_ws import APIError, Client
from binance_ws.exchange import LocalExchange

D = Decimal
RATE = D("0.001")
#: The demo account's balances at the start of every test.
START = {"USDT": "100000", "BTC": "1", "ETH": "5"}
USDT0 = D(START["USDT"])
ZERO = D(0)


def fee(amount: Decimal) -> Decimal:
    return (amount * RATE).quantize(D("0.00000001"), rounding=ROUND_HALF_UP)


def _render(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, separators=(",", ":")) if isinstance(value, list) else str(value)


def lim(price: str, qty: str = "0.001", **extra: Any) -> dict[str, Any]:
    return {"type": "LIMIT", "timeInForce": "GTC", "price": price, "quantity": qty, **extra}


def signed(ex: LocalExchange, params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    out["apiKey"] = ex.keys.hmac.api_key
    out["timestamp"] = int(time.time() * 1000)
    payload = "&".join(f"{k}={_render(v)}" for k, v in sorted(out.items()))
    out["signature"] = hmac.new(
        ex.keys.hmac.api_secret.encode(), payload.encode(), hashlib.sha256
    ).hexdigest()
    return out


class Demo:
    """The demo account, trading through signed raw requests."""

    def __init__(self, ex: LocalExchange, client: Client) -> None:
        self.ex = ex
        self.client = client

    def call(self, method: str, **params: Any) -> Any:
        return self.client.request(method, signed(self.ex, params)).result

    def refused(self, method: str, **params: Any) -> APIError:
        with pytest.raises(APIError) as caught:
            self.call(method, **params)
        return caught.value

    def order(self, **params: Any) -> dict[str, Any]:
        return dict(self.call("order.place", symbol="BTCUSDT", **params))

    def limit(self, side: str, price: str, qty: str = "0.001", **extra: Any) -> dict[str, Any]:
        return self.order(side=side, **lim(price, qty, **extra))

    def oco(self, above_price: str, below_stop: str) -> dict[str, Any]:
        """A SELL OCO of 0.001 BTC: LIMIT_MAKER above, STOP_LOSS below."""
        return dict(
            self.call(
                "orderList.place.oco",
                symbol="BTCUSDT",
                side="SELL",
                quantity="0.001",
                aboveType="LIMIT_MAKER",
                abovePrice=above_price,
                belowType="STOP_LOSS",
                belowStopPrice=below_stop,
            )
        )

    def balances(self) -> dict[str, tuple[Decimal, Decimal]]:
        rows = self.call("account.status")["balances"]
        return {r["asset"]: (D(r["free"]), D(r["locked"])) for r in rows}

    def free(self, asset: str) -> Decimal:
        return self.balances()[asset][0]

    def book(
        self, symbol: str = "BTCUSDT"
    ) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        depth = self.client.request("depth", {"symbol": symbol, "limit": 10}).result
        return (
            [(D(p), D(q)) for p, q in depth["bids"]],
            [(D(p), D(q)) for p, q in depth["asks"]],
        )

    def status(self, order_id: int) -> dict[str, Any]:
        return dict(self.call("order.status", symbol="BTCUSDT", orderId=order_id))


@contextlib.contextmanager
def user_data(ex: LocalExchange) -> Iterator[tuple[websocket.WebSocket, int]]:
    """A raw connection subscribed to the demo account's User Data Stream, and its id."""
    ws = websocket.create_connection(ex.url, timeout=5)
    try:
        request = {"id": 1, "method": "userDataStream.subscribe.signature", "params": signed(ex, {})}
        ws.send(json.dumps(request))
        yield ws, json.loads(ws.recv())["result"]["subscriptionId"]
    finally:
        ws.close()


def read_events(ws: websocket.WebSocket, count: int) -> list[dict[str, Any]]:
    """The next ``count`` event frames (responses in between are skipped), within 5 s."""
    frames: list[dict[str, Any]] = []
    deadline = time.monotonic() + 5
    while len(frames) < count and time.monotonic() < deadline:
        frame = json.loads(ws.recv())
        if "event" in frame:
            frames.append(frame)
    return frames


def make_exchange() -> LocalExchange:
    """A fresh exchange with thin books, the demo account at START and a funded "taker".

    The taker sells 0.001 BTC first, so the last BTCUSDT trade is at the best bid (stop and
    OCO prices are checked against the last price).
    """
    exchange = LocalExchange(book_levels=5, balances=START)
    exchange.accounts.add("taker", {"USDT": "1000000", "BTC": "100", "ETH": "100"})
    other(exchange, side="SELL", type="MARKET", quantity="0.001")
    return exchange


def other(ex: LocalExchange, **params: Any) -> dict[str, Any]:
    """An order of the second account, straight through the engine."""
    return dict(ex.engine.place("taker", {"symbol": "BTCUSDT", **params}))


_tag_numbers = itertools.count(1)


def unique_tag(name: str = "t") -> str:
    """A connection tag no other test of this run uses (readable: it starts with ``name``)."""
    return f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)[:40]}-{next(_tag_numbers)}"


def no_reconnect_client(url: str, **kwargs: Any) -> Client:
    """A Client that never reconnects by itself, so a lost connection leaves it CLOSED.

    Tests asserting what a single connection does use it.
    """
    return Client(url, reconnect=False, **kwargs)


def tls_options(exchange: LocalExchange) -> dict[str, Any]:
    """``ssl_context=`` trusting ``exchange``'s test certificate when it serves wss://, else nothing."""
    return {"ssl_context": exchange.client_ssl_context()} if exchange.url.startswith("wss://") else {}


def client_for(exchange: LocalExchange, url: str | None = None, **kwargs: Any) -> Client:
    """A Client of ``exchange`` (at ``url``, by default its own), trusting it when it serves wss://."""
    return Client(exchange.url if url is None else url, **tls_options(exchange), **kwargs)


@attrs.frozen
class Tagged:
    """A connected client whose URL carries ``tag``: the faults ``connection=tag`` hit only it."""

    exchange: LocalExchange
    tag: str
    client: Client

    @property
    def url(self) -> str:
        return self.exchange.url_for(self.tag)


# -- raw connections and waits ----------------------------------------------------------------


def raw_connect(url: str, ssl_context: ssl.SSLContext | None = None) -> websocket.WebSocket:
    """A websocket-client connection (no binance_ws code in between), 5 s timeout.

    ``ssl_context``: the one to trust a wss:// server with.
    """
    sslopt = {} if ssl_context is None else {"context": ssl_context}
    return websocket.create_connection(url, timeout=5, sslopt=sslopt)


def raw_call(ws: websocket.WebSocket, method: str, params: dict[str, Any] | None = None, rid: Any = 1) -> Any:
    """Send one request frame and return the next frame, decoded."""
    frame: dict[str, Any] = {"id": rid, "method": method}
    if params is not None:
        frame["params"] = params
    ws.send(json.dumps(frame))
    return json.loads(ws.recv())


def hang_up(*sockets: websocket.WebSocket) -> None:
    """Close raw connections, whether or not the server closed them first."""
    for ws in sockets:
        if ws.connected:
            ws.close(timeout=1)
        ws.shutdown()  # also after the server closed: release the socket at once


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; returns its last value."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            return condition()
        time.sleep(0.005)
    return True


def closed_within(ws: websocket.WebSocket, seconds: float) -> bool:
    """True when the server ends the connection within ``seconds`` (close frame or EOF)."""
    ws.settimeout(seconds)
    try:
        while True:
            opcode, _ = ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return True
    except websocket.WebSocketTimeoutException:
        return False
    except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
        return True


class PendingPing:
    """A ``ping`` made in a thread of its own; ``outcome`` is what it raised (None: answered)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.outcome: BaseException | None = None
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        assert wait_until(lambda: client.pending_count == 1)

    def _run(self) -> None:
        try:
            self.client.request("ping")
        except Exception as exc:
            self.outcome = exc

    def finish(self) -> type[BaseException] | None:
        self.thread.join(10)
        assert not self.thread.is_alive()
        return None if self.outcome is None else type(self.outcome)
