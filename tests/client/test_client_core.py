"""The blocking request path over a real loopback connection: concurrency, waits, losses.

Every test on the exchange runs twice: over ws:// and over wss:// (production is TLS).
"""

from __future__ import annotations

import _thread
import asyncio
import contextlib
import json
import logging
import math
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from exchange_helpers import (
    Tagged,
    client_for,
    raw_connect,
    tls_options,
    unique_tag,
    wait_until,
)

import binance_ws as bw
from binance_ws import Client, ClientState
from binance_ws._transport import Transport
from binance_ws.exchange import LocalExchange

# Faults injected here are aimed at the test's own client (``tagged`` or a URL of
# ``unique_tag``), so no other client of the shared exchange can take them. Their delays are
# far longer than any wait in the test: a request that raises ConnectionClosedError was woken
# by the loss of the connection, not by a late answer or its own timeout.
NEVER = 60.0


@pytest.fixture(scope="module", params=["ws", "wss"])
def exchange(request: pytest.FixtureRequest, exchange: LocalExchange) -> LocalExchange:
    """The shared exchange, or its wss:// twin: ``client`` and ``tagged`` follow it."""
    chosen: LocalExchange = exchange if request.param == "ws" else request.getfixturevalue("tls_exchange")
    assert chosen.url.startswith(f"{request.param}://")
    return chosen


def test_ping_time_and_rate_limits(client: Client) -> None:
    resp = client.request("ping")
    assert (resp.status, resp.result) == (200, {})
    assert isinstance(resp.id, int)
    now_ms = time.time() * 1000
    server_ms = client.request("time").result["serverTime"]
    assert abs(server_ms - now_ms) < 5_000
    limits = client.last_rate_limits
    assert limits and limits[0].type is bw.enums.RateLimitType.REQUEST_WEIGHT
    assert limits[0].interval is bw.enums.RateLimitInterval.MINUTE
    assert limits[0].limit == 10**9 and limits[0].count is not None and limits[0].count >= 2  # conftest


def test_depth_is_realistic(client: Client) -> None:
    book = client.request("depth", {"symbol": "BTCUSDT", "limit": 10}).result
    bids = [float(p) for p, _ in book["bids"]]
    asks = [float(p) for p, _ in book["asks"]]
    assert len(bids) == len(asks) == 10
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
    assert bids[0] < asks[0]
    deep = client.request("depth", {"symbol": "BTCUSDT", "limit": 5000}).result
    assert len(deep["bids"]) == len(deep["asks"]) == 5000


def test_exchange_info_has_symbols_with_filters(client: Client) -> None:
    info = client.request("exchangeInfo").result
    names = {s["symbol"] for s in info["symbols"]}
    assert {"BTCUSDT", "ETHUSDT", "BNBUSDT"} <= names
    btc = next(s for s in info["symbols"] if s["symbol"] == "BTCUSDT")
    kinds = {f["filterType"] for f in btc["filters"]}
    assert {"PRICE_FILTER", "LOT_SIZE", "NOTIONAL"} <= kinds
    assert {r["rateLimitType"] for r in info["rateLimits"]} >= {"REQUEST_WEIGHT", "ORDERS", "CONNECTIONS"}


def test_many_threads_each_get_their_own_answer(client: Client) -> None:
    # 16 threads x 500 requests; each asks for a different depth limit and checks it got it.
    errors: list[str] = []

    def worker(n: int) -> int:
        ok = 0
        for i in range(500):
            limit = 1 + (n * 500 + i) % 97
            book = client.request("depth", {"symbol": "ETHUSDT", "limit": limit}).result
            if len(book["bids"]) != limit:
                errors.append(f"thread {n} asked {limit} got {len(book['bids'])}")
            ok += 1
        return ok

    with ThreadPoolExecutor(16) as pool:
        done = sum(pool.map(worker, range(16)))
    assert done == 8000
    assert errors == []
    assert client.pending_count == 0


def test_timeout_then_late_response_is_dropped(tagged: Tagged, caplog: pytest.LogCaptureFixture) -> None:
    client = tagged.client
    tagged.exchange.delay_next("time", 0.6, connection=tagged.tag)
    started = time.monotonic()
    with caplog.at_level("DEBUG", logger="binance_ws"):
        with pytest.raises(bw.RequestTimeoutError) as info:
            client.request("time", timeout=0.2)
        # Gave up at its own timeout (the late answer would have been a success).
        assert time.monotonic() - started >= 0.15
        assert isinstance(info.value, TimeoutError) and isinstance(info.value, bw.ExecutionUnknownError)
        assert "time" in str(info.value) and "safe to retry" in str(info.value)
        assert client.pending_count == 0
        # The late answer arrives and is dropped without harm.
        assert wait_until(lambda: any("nobody waits" in r.getMessage() for r in caplog.records))
    assert client.pending_count == 0
    assert client.request("ping").result == {}


def test_disconnect_wakes_every_waiter_at_once(exchange: LocalExchange) -> None:
    tag = unique_tag("disconnect-wakes")
    with client_for(exchange, exchange.url_for(tag), reconnect=False, timeout=NEVER) as c:
        exchange.delay_next("ping", NEVER, times=6, connection=tag)
        outcomes: list[BaseException] = []
        lock = threading.Lock()

        def call() -> None:
            try:
                c.request("ping")
            except Exception as exc:
                with lock:
                    outcomes.append(exc)

        threads = [threading.Thread(target=call) for _ in range(6)]
        for t in threads:
            t.start()
        # All six reached the exchange (each took its delay), so all six are in flight.
        assert wait_until(lambda: c.pending_count == 6 and exchange.faults.pending(tag) == 0)
        assert exchange.drop_all_connections(connection=tag) == 1
        for t in threads:
            t.join(10)
        # Woken by the loss alone: the answers come a minute late and so would a timeout.
        assert len(outcomes) == 6
        assert [type(e) for e in outcomes] == [bw.ConnectionClosedError] * 6
        assert c.state is ClientState.CLOSED
        assert c.pending_count == 0
        with pytest.raises(bw.ClientClosedError):
            c.request("ping")


def test_drop_mid_request(tagged: Tagged) -> None:
    tagged.exchange.drop_next("ping", connection=tagged.tag)
    with pytest.raises(bw.ConnectionClosedError) as info:
        tagged.client.request("ping")
    assert type(info.value) is bw.ConnectionClosedError
    assert info.value.sent is True
    assert "safe to retry" in str(info.value)


def test_close_wakes_waiters(exchange: LocalExchange) -> None:
    tag = unique_tag("close-wakes")
    c = client_for(exchange, exchange.url_for(tag), timeout=NEVER).connect()
    exchange.delay_next("ping", NEVER, times=3, connection=tag)
    results: list[BaseException] = []

    def call() -> None:
        try:
            c.request("ping")
        except bw.BinanceWSError as exc:
            results.append(exc)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for t in threads:
        t.start()
    # All three reached the exchange (each took its delay): a call still unsent at close()
    # would be told the client is closed instead.
    assert wait_until(lambda: c.pending_count == 3 and exchange.faults.pending(tag) == 0)
    c.close()
    for t in threads:
        t.join(10)
    assert len(results) == 3 and all(type(r) is bw.ConnectionClosedError for r in results)
    c.close()  # idempotent
    assert c.state is ClientState.CLOSED


@pytest.mark.parametrize(
    "garbage", ["}{ not json", "[1, 2, 3]", '{"neither": "response"}', b"\x00\x01binary"]
)
def test_garbage_frames_are_skipped(
    tagged: Tagged, garbage: str | bytes, caplog: pytest.LogCaptureFixture
) -> None:
    client = tagged.client
    tagged.exchange.garbage_next("ping", garbage, connection=tagged.tag)
    with caplog.at_level("WARNING", logger="binance_ws"):
        assert client.request("ping").result == {}
    assert any("skipped" in r.getMessage() for r in caplog.records)
    assert client.request("time").status == 200


def test_unknown_id_is_skipped(tagged: Tagged) -> None:
    client = tagged.client
    tagged.exchange.wrong_id_next("ping", connection=tagged.tag)
    with pytest.raises(bw.RequestTimeoutError):
        client.request("ping", timeout=0.3)
    assert client.request("ping").result == {}
    assert client.pending_count == 0


def test_keyboard_interrupt_stops_a_blocked_call(tagged: Tagged) -> None:
    client = tagged.client
    tagged.exchange.delay_next("ping", NEVER, connection=tagged.tag)

    def interrupt_once_waiting() -> None:
        if wait_until(lambda: client.pending_count == 1):
            _thread.interrupt_main()

    interrupter = threading.Thread(target=interrupt_once_waiting)
    interrupter.start()
    try:
        # Neither the answer nor the timeout can end the call first: only Ctrl-C does.
        with pytest.raises(KeyboardInterrupt):
            client.request("ping", timeout=NEVER)
    finally:
        interrupter.join(10)
    assert client.pending_count == 0
    assert client.request("time").status == 200  # still usable


@pytest.mark.parametrize("bad", [0, -1, math.nan, True, "5"])
def test_bad_timeouts_are_refused(client: Client, bad: object) -> None:
    with pytest.raises(bw.InvalidParameterError) as info:
        client.request("ping", timeout=bad)  # type: ignore[arg-type]
    assert "timeout" in str(info.value)


def test_lifecycle_errors(exchange: LocalExchange) -> None:
    c = client_for(exchange)
    assert c.state is ClientState.UNOPENED
    with pytest.raises(bw.ClientClosedError, match="connect"):
        c.request("ping")
    c.connect()
    c.close()
    with pytest.raises(bw.ClientClosedError, match="create a new Client"):
        c.connect()


def test_urls() -> None:
    assert Client().url == "wss://ws-api.binance.com:443/ws-api/v3"
    assert Client(testnet=True).url == "wss://ws-api.testnet.binance.vision/ws-api/v3"
    with pytest.raises(bw.InvalidParameterError, match="url"):
        Client("http://example.invalid")
    with pytest.raises(bw.InvalidParameterError, match="testnet"):
        Client("ws://127.0.0.1:1", testnet=True)


def test_connect_refused() -> None:
    with pytest.raises(bw.ConnectError):
        Client("ws://127.0.0.1:1/ws-api/v3", connect_timeout=2).connect()


def transport_of(c: Client) -> Transport:
    link = c._conns.link
    assert link is not None and link.transport is not None
    return link.transport


def test_frames_queued_behind_a_writer_go_out_with_its_next_write(exchange: LocalExchange) -> None:
    with client_for(exchange, timeout=10) as c:
        transport = transport_of(c)
        assert transport is not None
        transport._send_lock.acquire()  # as if another thread were in the middle of a write
        answers: list[object] = []
        threads = [threading.Thread(target=lambda: answers.append(c.ping())) for _ in range(5)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 3
        while c.pending_count < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
        assert c.pending_count == 5 and answers == []  # queued, not sent, nobody blocked on the lock
        transport._send_lock.release()
        transport._flush()  # what the writer does after each write: one write carries all five
        for t in threads:
            t.join(5)
        assert len(answers) == 5
        assert c.pending_count == 0


class ReaderHold(logging.Handler):
    """Holds the thread that logs a dropped answer (the client's reader) until ``let_go`` is set."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.holding = threading.Event()
        self.let_go = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "nobody waits" in record.getMessage() and not self.holding.is_set():
            self.holding.set()
            self.let_go.wait(10)

    @contextlib.contextmanager
    def installed(self) -> Iterator[ReaderHold]:
        log = logging.getLogger("binance_ws")
        level = log.level
        log.setLevel(logging.DEBUG)
        log.addHandler(self)
        try:
            yield self
        finally:
            self.let_go.set()
            log.removeHandler(self)
            log.setLevel(level)


def test_a_failed_write_is_reported_unsent_and_ends_the_connection(exchange: LocalExchange) -> None:
    tag = unique_tag("failed-write")
    c = client_for(exchange, exchange.url_for(tag), reconnect=False, timeout=10).connect()
    try:
        transport = transport_of(c)
        assert transport is not None and transport._sock is not None
        # The reader is held (in its log call for an answer to nobody) while the write is
        # tried, so nothing the server does about the half-close below can end the connection
        # first: the websockets server closes on it, and over wss:// OpenSSL answers it at
        # once with a decode_error alert. The request that sets the hold has returned (at its
        # timeout: its answer carries an unknown id), so no other thread is left writing and
        # the ping below writes its own frame.
        exchange.wrong_id_next("ping", connection=tag)
        with ReaderHold().installed() as hold:
            with pytest.raises(bw.RequestTimeoutError):
                c.ping(timeout=0.05)
            assert hold.holding.wait(5)
            transport._sock.shutdown(socket.SHUT_WR)  # the next write fails (EPIPE), at once
            with pytest.raises(bw.ConnectionClosedError) as info:
                c.ping()
        assert info.value.sent is False  # its frame never reached the server whole
        assert "send failed" in str(info.value)
        # A stream cut mid-frame cannot be used again.
        assert wait_until(lambda: c.state is ClientState.CLOSED)
        with pytest.raises(bw.ClientClosedError):
            c.ping()
    finally:
        c.close()
        exchange.drop_all_connections(connection=tag)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
# Forking a threaded process is the very case under test (Python 3.12+ warns about it).
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_cannot_use_the_parents_connection(client: Client) -> None:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what the parent's client does here, then leave at once
        try:
            client.ping()
            outcome = b"answered"
        except bw.ClientClosedError as exc:
            outcome = b"refused" if b"another process" in str(exc).encode() else b"other"
        except BaseException:
            outcome = b"other"
        os.write(write_end, outcome)
        os._exit(0)
    os.close(write_end)
    try:
        os.waitpid(pid, 0)
        outcome = os.read(read_end, 64)
    finally:
        os.close(read_end)
    assert outcome == b"refused"
    assert client.ping() is not None  # the parent's connection is untouched


# The CLI's exchange serves ws:// only: the wss:// one is a LocalExchange(tls=True) of a script,
# which ends (removing its CA file) when its stdin closes.
_TLS_EXCHANGE = (
    "import sys\n"
    "from binance_ws.exchange import LocalExchange\n"
    "with LocalExchange(tls=True) as ex:\n"
    "    print(ex.url, ex.ca_pem_path, flush=True)\n"
    "    sys.stdin.read()\n"
)


@pytest.mark.parametrize("scheme", ["ws", "wss"])
def test_thread_count_back_to_baseline(scheme: str) -> None:
    # The exchange runs in its own process, so every thread counted here is the client's.
    if scheme == "ws":
        command = [sys.executable, "-m", "binance_ws", "exchange", "--port", "0"]
    else:
        command = [sys.executable, "-c", _TLS_EXCHANGE]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url, *ca = proc.stdout.readline().split()
        assert url.startswith(f"{scheme}://127.0.0.1:")
        context = ssl.create_default_context(cafile=ca[0]) if ca else None
        # Threads of earlier tests (the shared exchange's timers) may end meanwhile: compare
        # sets of threads, not counts.
        before = set(threading.enumerate())
        clients = [Client(url, ssl_context=context).connect() for _ in range(4)]
        started = set(threading.enumerate()) - before
        assert len(started) == 4  # one reader each, nothing else
        assert all(t.name.startswith("binance-ws-reader-") for t in started)
        for c in clients:
            assert c.ping() is not None
            c.close()
        assert wait_until(lambda: not any(t.is_alive() for t in started))
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        if scheme == "ws":
            proc.terminate()
        proc.wait(10)


def test_works_inside_a_running_event_loop(exchange: LocalExchange) -> None:
    # A Jupyter cell runs inside an asyncio loop; the client must neither need nor touch it.
    async def cell() -> int:
        loop = asyncio.get_running_loop()
        with client_for(exchange) as c:
            status = c.request("ping").status
        assert asyncio.get_running_loop() is loop
        return status

    assert asyncio.run(cell()) == 200


def test_unclosed_client_does_not_block_exit(exchange: LocalExchange) -> None:
    ca = exchange.ca_pem_path if exchange.url.startswith("wss://") else None
    script = (
        "import ssl\n"
        "from binance_ws import Client\n"
        f"ca = {ca!r}\n"
        "context = None if ca is None else ssl.create_default_context(cafile=ca)\n"
        f"c = Client({exchange.url!r}, ssl_context=context).connect()\n"
        "print(c.request('ping').status)\n"
    )
    out = subprocess.run(  # noqa: PLW1510 - the return code is asserted
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=20
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "200"


def test_malformed_requests_answered_like_binance(exchange: LocalExchange) -> None:
    ws = raw_connect(exchange.url, **tls_options(exchange))
    try:
        ws.send("this is not json")
        answer = json.loads(ws.recv())
        assert answer["id"] is None and answer["status"] == 400 and answer["error"]["code"] == -1135
        ws.send(json.dumps({"method": "ping"}))
        answer = json.loads(ws.recv())
        assert answer["status"] == 400 and answer["error"]["code"] == -1102
        ws.send(json.dumps({"id": "x1", "method": "depth", "params": {"symbol": "BTCUSDT", "bogus": 1}}))
        answer = json.loads(ws.recv())
        assert answer["id"] == "x1" and answer["status"] == 400 and answer["error"]["code"] == -1104
        ws.send(json.dumps({"id": 5, "method": "ping", "params": {"returnRateLimits": False}}))
        answer = json.loads(ws.recv())
        assert answer == {"id": 5, "status": 200, "result": {}}
    finally:
        ws.close()


def test_repr_is_helpful(exchange: LocalExchange, client: Client) -> None:
    text = repr(client)
    scheme = exchange.url.split(":", 1)[0]
    assert text.startswith(f"<binance_ws.Client {scheme}://127.0.0.1:") and "state=OPEN" in text
