"""Shared fixtures: a real local exchange on loopback and clients connected to it.

Every test ends with leak checks: no thread of ours left running and no pending slot left.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from exchange_helpers import Tagged, client_for, unique_tag
from methods_support import ENV_CREDENTIALS, ScriptedServer

from binance_ws import Client
from binance_ws.exchange import LocalExchange

#: The shared exchanges' limits (their traffic is the whole suite's).
_HIGH = 10**9


def _our_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("binance-ws-reader")}


@pytest.fixture(scope="session")
def exchange() -> Iterator[LocalExchange]:
    # Shared by many tests: limits are counted but never enforced, and set so high that no
    # client's rate governor holds a test back for the others' traffic.
    with LocalExchange(
        enforce_limits=False, weight_limit=_HIGH, order_limit_10s=_HIGH, order_limit_day=_HIGH
    ) as ex:
        yield ex


@pytest.fixture(scope="session")
def tls_exchange() -> Iterator[LocalExchange]:
    """As ``exchange``, serving wss:// (trust it with ``client_for`` or ``tls_options``)."""
    with LocalExchange(
        enforce_limits=False, tls=True, weight_limit=_HIGH, order_limit_10s=_HIGH, order_limit_day=_HIGH
    ) as ex:
        yield ex


@pytest.fixture(autouse=True)
def _no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    before = _our_threads()
    yield
    if "exchange" in request.fixturenames:
        shared: LocalExchange = request.getfixturevalue("exchange")
        shared.faults.clear()
        shared.end_half_open()
        shared.accept_connections()
    deadline = time.monotonic() + 5
    while _our_threads() - before and time.monotonic() < deadline:
        time.sleep(0.02)
    leaked = _our_threads() - before
    assert not leaked, f"reader threads still running after the test: {leaked}"


@pytest.fixture
def client(exchange: LocalExchange) -> Iterator[Client]:
    with client_for(exchange, timeout=5) as c:
        yield c
    assert c.pending_count == 0


@pytest.fixture
def tagged(exchange: LocalExchange, request: pytest.FixtureRequest) -> Iterator[Tagged]:
    """A client of the shared exchange on a URL tagged for this test alone (it never reconnects).

    Aim faults at it with ``connection=tagged.tag``: no other client can take them.
    """
    tag = unique_tag(request.node.name)
    with client_for(exchange, exchange.url_for(tag), reconnect=False, timeout=5) as c:
        yield Tagged(exchange, tag, c)
    assert c.pending_count == 0


# Shared by the typed-method tests: a scripted server answering with the spec's examples,
# clients for it and for the exchange, and no credentials leaking in from the environment.


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_CREDENTIALS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.close()


@pytest.fixture
def scripted_client(scripted: ScriptedServer) -> Iterator[Client]:
    with Client(scripted.url, api_key="demo-key", api_secret="demo-secret", timeout=5) as client:
        yield client


@pytest.fixture
def signed_client(exchange: LocalExchange) -> Iterator[Client]:
    key = exchange.keys.hmac
    with client_for(exchange, api_key=key.api_key, api_secret=key.api_secret, timeout=5) as client:
        yield client


@pytest.fixture
def signed_tagged(exchange: LocalExchange, request: pytest.FixtureRequest) -> Iterator[Tagged]:
    """As ``tagged``, with the demo HMAC key (for faults in signed methods)."""
    tag = unique_tag(request.node.name)
    key = exchange.keys.hmac
    with client_for(
        exchange,
        exchange.url_for(tag),
        reconnect=False,
        api_key=key.api_key,
        api_secret=key.api_secret,
        timeout=5,
    ) as c:
        yield Tagged(exchange, tag, c)
    assert c.pending_count == 0


@pytest.fixture
def offline() -> Client:
    """A client that is never connected: validation runs before anything is sent."""
    return Client("ws://127.0.0.1:9/ws-api/v3", api_key="demo-key", api_secret="demo-secret")
