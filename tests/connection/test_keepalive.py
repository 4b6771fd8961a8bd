"""Keepalive and connection trouble: half-open links, refused reconnects, close during a storm.

Half-open links are detected by the client's own pings within ``ping_interval +
ping_timeout``, on ws:// and wss://, under plain threads and under gevent (in a process of
its own, since gevent patches the whole interpreter).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from exchange_helpers import wait_until as wait_for

import binance_ws as bw
from binance_ws import AttemptBudget, Client, ClientState, ConnectionEventKind
from binance_ws._connection import Backoff
from binance_ws.exchange import LocalExchange

ROOT = Path(__file__).resolve().parents[2]
PING_INTERVAL = 0.3
PING_TIMEOUT = 0.3


@pytest.fixture(params=["ws", "wss"])
def ex(request: pytest.FixtureRequest) -> Iterator[LocalExchange]:
    # The exchange's own pings off: they would show a silent client as alive to it.
    with LocalExchange(enforce_limits=False, book_levels=20, tls=request.param == "wss") as exchange:
        yield exchange


def _client(ex: LocalExchange, **kwargs: object) -> Client:
    tls = {"ssl_context": ex.client_ssl_context()} if ex.url.startswith("wss://") else {}
    return Client(ex.url, timeout=10, **tls, **kwargs)  # type: ignore[arg-type]


def test_a_half_open_link_is_detected_by_our_pings(ex: LocalExchange) -> None:
    with _client(ex, ping_interval=PING_INTERVAL, ping_timeout=PING_TIMEOUT) as c:
        assert c.ping() is not None
        assert wait_for(lambda: ex.connection_count == 1)
        ex.go_half_open()
        t0 = time.monotonic()
        assert wait_for(lambda: c.state is not ClientState.OPEN or c.reconnects > 0, 5)
        took = time.monotonic() - t0
        # Silence for ping_interval, then ping_timeout after the ping (plus the reader's tick).
        assert took < PING_INTERVAL + PING_TIMEOUT + 1.0
        assert "after a ping" in (c.last_disconnect_reason or "")
        # The new connection is served normally.
        assert wait_for(lambda: c.connected, 5)
        assert c.ping() is not None


def test_a_pending_call_on_a_half_open_link_fails_within_the_keepalive(ex: LocalExchange) -> None:
    with _client(ex, ping_interval=PING_INTERVAL, ping_timeout=PING_TIMEOUT, retry_reads=False) as c:
        assert c.ping() is not None
        ex.go_half_open()
        t0 = time.monotonic()
        with pytest.raises(bw.ConnectionClosedError):
            c.ping(timeout=10)
        assert time.monotonic() - t0 < PING_INTERVAL + PING_TIMEOUT + 1.0


def test_close_wakes_waiters_before_the_closing_handshake(ex: LocalExchange) -> None:
    c = _client(ex).connect()
    assert c.ping() is not None
    woken: list[float] = []

    def call() -> None:
        try:
            c.ping()
        except bw.ConnectionClosedError:
            woken.append(time.monotonic())

    ex.delay_next("ping", 60, times=4)  # never answered within the test
    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    # All four reached the exchange (each took its delay): a call still unsent at close()
    # would be told the client is closed instead.
    assert wait_for(lambda: c.pending_count == 4 and ex.faults.pending() == 0)
    ex.go_half_open()  # nothing answers, not even our close frame
    t0 = time.monotonic()
    c.close()
    closed = time.monotonic()
    for t in threads:
        t.join(5)
    assert len(woken) == 4
    # Every waiter was woken at once, not after close() waited out the silent server's
    # close reply (up to a second).
    assert max(woken) - t0 < 0.5
    assert max(woken) <= closed


def test_refused_reconnects_follow_the_backoff_and_close_stops_them() -> None:
    with LocalExchange(enforce_limits=False, book_levels=20) as ex:
        c = Client(ex.url, timeout=5)
        c._conns.backoff = Backoff(base=0.05, cap=0.2)
        c.connect()
        gave: list[str] = []
        c.on_connection_event(lambda e: gave.append(e.kind.value))
        ex.refuse_connections()
        before = ex.connection_attempts
        ex.drop_all_connections()
        t0 = time.monotonic()
        assert wait_for(lambda: ex.connection_attempts - before >= 6, 10)
        elapsed = time.monotonic() - t0
        attempts = ex.connection_attempts - before
        # Full jitter below base * 2**n, capped: six attempts take at most 0 + .05 + .1 + .2 + .2 + .2 s
        # (plus each refused attempt's own time), and the attempts are not a busy loop.
        assert elapsed < 5
        assert attempts < 60
        assert c.state is ClientState.RECONNECTING
        t1 = time.monotonic()
        c.close()
        assert time.monotonic() - t1 < 2.5
        assert wait_for(lambda: c.state is ClientState.CLOSED)
        stopped = ex.connection_attempts
        time.sleep(0.5)
        assert ex.connection_attempts == stopped  # no attempt after close()


def test_reconnects_resume_when_the_server_accepts_again() -> None:
    with LocalExchange(enforce_limits=False, book_levels=20) as ex, Client(ex.url, timeout=10) as c:
        c._conns.backoff = Backoff(base=0.05, cap=0.1)
        assert c.ping() is not None
        ex.refuse_connections(status=503)
        ex.drop_all_connections()
        assert wait_for(lambda: c.state is ClientState.RECONNECTING)
        waiter: list[object] = []
        caller = threading.Thread(target=lambda: waiter.append(c.ping()))
        caller.start()  # waits for the new connection within its 10 s
        assert wait_for(lambda: ex.connection_attempts >= 3)
        ex.accept_connections()
        caller.join(10)
        assert len(waiter) == 1 and c.reconnects == 1


def test_max_reconnect_attempts_gives_up() -> None:
    with LocalExchange(enforce_limits=False, book_levels=20) as ex:
        c = Client(ex.url, timeout=5, max_reconnect_attempts=3)
        c._conns.backoff = Backoff(base=0.01, cap=0.02)
        kinds: list[ConnectionEventKind] = []
        c.on_connection_event(lambda e: kinds.append(e.kind))
        with c:
            ex.refuse_connections()
            ex.drop_all_connections()
            assert wait_for(lambda: c.state is ClientState.CLOSED, 10)
            assert "gave up reconnecting after 3 attempts" in (c.last_disconnect_reason or "")
            with pytest.raises(bw.ClientClosedError, match="create a new Client"):
                c.ping()
            assert wait_for(lambda: ConnectionEventKind.GAVE_UP in kinds)


def test_the_attempt_budget_holds_attempts_back() -> None:
    budget = AttemptBudget(limit=2, window=60)
    assert budget.wait_time() == 0
    budget.spend()
    budget.spend()
    assert 59 < budget.wait_time() <= 60


def test_backoff_is_full_jitter_under_a_cap() -> None:
    backoff = Backoff(base=0.5, cap=30)
    assert backoff.delay(0) == 0
    for attempt in range(1, 40):
        bound = min(30, 0.5 * 2 ** (attempt - 1))
        delays = [backoff.delay(attempt) for _ in range(50)]
        assert all(0 <= d <= bound for d in delays)
        assert max(delays) > bound / 4  # spread over the range, not a fixed wait


_GEVENT_CHILD = textwrap.dedent(
    """
    from gevent import monkey

    monkey.patch_all()

    import json, ssl, sys, time
    from binance_ws import Client, ClientState

    url, ca, interval, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    extra = {"ssl_context": ssl.create_default_context(cafile=ca)} if ca else {}
    client = Client(url, ping_interval=interval, ping_timeout=timeout, reconnect=False, **extra)
    client.connect()
    client.ping()
    print("ready", flush=True)
    sys.stdin.readline()  # the parent made the link half-open
    t0 = time.monotonic()
    while client.state is ClientState.OPEN and time.monotonic() - t0 < 10:
        time.sleep(0.01)
    print(json.dumps({"took": time.monotonic() - t0, "state": client.state.value,
                      "reason": client.last_disconnect_reason}), flush=True)
    """
)


def test_a_half_open_link_is_detected_under_gevent(ex: LocalExchange) -> None:
    pytest.importorskip("gevent")
    ca = ex.ca_pem_path if ex.url.startswith("wss://") else ""
    args = [sys.executable, "-c", _GEVENT_CHILD, ex.url, ca, str(PING_INTERVAL), str(PING_TIMEOUT)]
    with subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT) as child:
        assert child.stdin is not None and child.stdout is not None
        try:
            assert child.stdout.readline().strip() == "ready"
            assert wait_for(lambda: ex.connection_count == 1)
            ex.go_half_open()
            child.stdin.write("go\n")
            child.stdin.flush()
            report = json.loads(child.stdout.readline())
        finally:
            child.kill()
    assert report["state"] == "CLOSED"
    assert report["took"] < PING_INTERVAL + PING_TIMEOUT + 1.0
    assert "after a ping" in report["reason"]
