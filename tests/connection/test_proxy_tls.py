"""Where the bytes go: HTTP CONNECT proxies, the environment's proxies, and whom TLS trusts."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from proxy_server import ConnectProxy

import binance_ws as bw
from binance_ws import Client
from binance_ws._auth import check_transport
from binance_ws._signing import HmacSigner
from binance_ws._transport import Transport, resolve_proxy
from binance_ws.exchange import LocalExchange


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    p = ConnectProxy()
    yield p
    p.close()


def _roundtrip(transport: Transport, answers: list[bytes]) -> dict[str, object]:
    transport.send(b'{"id":1,"method":"ping"}', method="ping", request_id=1)
    deadline = time.monotonic() + 5
    while not answers and time.monotonic() < deadline:
        time.sleep(0.005)
    assert answers, "no answer through the proxy"
    frame: dict[str, object] = json.loads(answers[0])
    return frame


@pytest.mark.parametrize("tls", [False, True], ids=["ws", "wss"])
def test_a_connection_goes_through_an_http_connect_proxy(proxy: ConnectProxy, tls: bool) -> None:
    with LocalExchange(enforce_limits=False, book_levels=20, tls=tls) as ex:
        answers: list[bytes] = []
        lost: list[str] = []
        transport = Transport(
            ex.url,
            on_text=answers.append,
            on_lost=lost.append,
            connect_timeout=5,
            ssl_context=ex.client_ssl_context() if tls else None,
            proxy=proxy.url,
        )
        transport.connect()
        try:
            frame = _roundtrip(transport, answers)
            assert (frame["id"], frame["status"], frame["result"]) == (1, 200, {})
        finally:
            transport.close()
        assert proxy.targets == [f"127.0.0.1:{ex.port}"]
        assert proxy.auth == ["Proxy-Authorization: Basic dXNlcjpwQHNz"]  # user:p@ss, unquoted
        assert lost == ["closed by the client"]


def test_a_proxy_that_refuses_is_a_connect_error() -> None:
    refusing = ConnectProxy(refuse=True)
    try:
        transport = Transport(
            "ws://127.0.0.1:9/ws-api/v3",
            on_text=lambda b: None,
            on_lost=lambda r: None,
            connect_timeout=5,
            proxy=refusing.url,
        )
        with pytest.raises(bw.ConnectError, match="403"):
            transport.connect()
    finally:
        refusing.close()


def test_which_proxy_a_connection_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("https_proxy", "http://corp-proxy:3128")
    monkeypatch.setenv("http_proxy", "http://plain-proxy:3128")
    monkeypatch.setenv("no_proxy", "internal.example")
    assert resolve_proxy("wss://ws-api.binance.com/ws-api/v3", None) == "http://corp-proxy:3128"
    assert resolve_proxy("ws://example.com/ws-api/v3", None) == "http://plain-proxy:3128"
    assert resolve_proxy("wss://internal.example/ws-api/v3", None) is None
    assert resolve_proxy("wss://ws-api.binance.com/ws-api/v3", "http://mine:8080") == "http://mine:8080"
    # Loopback never leaves the machine, whatever the environment or the argument says.
    for url in (
        "ws://127.0.0.1:8765/ws-api/v3",
        "ws://localhost:1/x",
        "ws://[::1]:1/x",
        "ws://127.3.2.1:1/x",
    ):
        assert resolve_proxy(url, None) is None
        assert resolve_proxy(url, "http://mine:8080") is None


@pytest.mark.parametrize(
    "url",
    ["ws://api.localhost:1/x", "ws://[0:0:0:0:0:0:0:1]:1/x", "ws://LOCALHOST:1/x", "ws://127.255.0.1:1/x"],
)
def test_every_host_keys_may_reach_over_ws_is_never_proxied(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ws:// with keys is allowed exactly for these hosts: their bytes must never reach a proxy.
    monkeypatch.setenv("http_proxy", "http://remote-proxy.example:3128")
    signer = HmacSigner("k" * 64, "s" * 64)
    check_transport(url, signer, resolve_proxy(url, None))
    assert resolve_proxy(url, None) is None
    assert resolve_proxy(url, "http://remote-proxy.example:3128") is None


def test_keys_over_ws_through_a_proxy_elsewhere_are_refused() -> None:
    signer = HmacSigner("k" * 64, "s" * 64)
    with pytest.raises(bw.InsecureTransportError) as exc:
        check_transport("ws://127.0.0.1:1/x", signer, "http://remote-proxy.example:3128")
    assert "'remote-proxy.example'" in str(exc.value) and "wss://" in str(exc.value)
    with pytest.raises(bw.InsecureTransportError):
        check_transport("ws://127.0.0.1:1/x", signer, "remote-proxy.example:3128")  # no scheme
    check_transport("ws://127.0.0.1:1/x", signer, "http://127.0.0.1:3128")  # stays on this machine
    check_transport("wss://ws-api.binance.com/x", signer, "http://remote-proxy.example:3128")  # encrypted
    check_transport("ws://127.0.0.1:1/x", None, "http://remote-proxy.example:3128")  # no keys


@pytest.mark.parametrize("explicit", [False, True], ids=["http_proxy", "proxy="])
def test_signed_calls_to_loopback_go_direct_whatever_the_proxy_settings(
    exchange: LocalExchange, proxy: ConnectProxy, monkeypatch: pytest.MonkeyPatch, explicit: bool
) -> None:
    monkeypatch.setenv("http_proxy", proxy.url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    key = exchange.keys.hmac
    given = proxy.url if explicit else None
    with Client(
        exchange.url, timeout=5, api_key=key.api_key, api_secret=key.api_secret, proxy=given
    ) as client:
        assert client.account_status() is not None
    assert proxy.targets == []


def test_an_untrusted_certificate_fails_the_connect_and_a_given_context_trusts_it() -> None:
    with LocalExchange(enforce_limits=False, book_levels=20, tls=True) as ex:
        with pytest.raises(bw.ConnectError, match="certificate"):
            Client(ex.url, connect_timeout=5).connect()
        with Client(ex.url, ssl_context=ex.client_ssl_context(), timeout=5) as c:
            assert c.ping() is not None
            assert c.url.startswith("wss://127.0.0.1:")
