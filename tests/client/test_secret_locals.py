"""No secret in a traceback's recorded locals (Sentry's capture_locals, pytest --showlocals).

For each path that can raise, the exception is caught in a helper (so the test's own frame,
which knows the secrets, is not part of the traceback), then every frame of it and of its
chain is rendered with ``capture_locals=True`` and every local's repr is checked.
"""

from __future__ import annotations

import os
import re
import socket
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from proxy_server import ConnectProxy
from raw_server import RawConnection, RawServer

import binance_ws
from binance_ws import BadRequestError, Client, ConnectError, ConnectionClosedError, InvalidParameterError
from binance_ws._signing import MaskedText, Secret
from binance_ws._transport import Transport
from binance_ws.exchange import LocalExchange

SDK_DIR = os.path.dirname(binance_ws.__file__)
ENV_NAMES = ("BINANCE_API_KEY", "BINANCE_API_SECRET", "BINANCE_PRIVATE_KEY", "BINANCE_PRIVATE_KEY_PASSWORD")
PASSWORD = "correct-horse-battery-staple-7319"
WRONG_PASSWORD = "wrong-horse-battery-staple-8426"
# An HMAC signature: 64 lowercase hex digits.
HEX_SIGNATURE = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def _raised(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as exc:
        return exc
    raise AssertionError("nothing was raised")


def _from_the_sdk(tb: TracebackType | None) -> TracebackType | None:
    # The test's own frames (the lambda's closure holds the secrets) are the caller's business.
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith(SDK_DIR):
        tb = tb.tb_next
    return tb


def _rendered(exc: BaseException) -> str:
    """Every traceback (with locals) of ``exc`` and its chain, and every frame local's repr."""
    tb = _from_the_sdk(exc.__traceback__)
    assert tb is not None, "the error was not raised inside binance_ws"
    texts = ["".join(traceback.TracebackException(type(exc), exc, tb, capture_locals=True).format())]
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        texts += [str(current), repr(current)]
        tb = _from_the_sdk(current.__traceback__)
        while tb is not None:
            texts += [f"{name}={value!r}" for name, value in tb.tb_frame.f_locals.items()]
            tb = tb.tb_next
        todo += [current.__cause__, current.__context__]
    return "\n".join(texts)


def _assert_hidden(exc: BaseException, secrets: list[str]) -> str:
    text = _rendered(exc)
    for secret in secrets:
        assert secret and secret not in text, f"a secret shows in the traceback: {secret[:6]}…"
    return text


def _pem_body(pem: bytes) -> list[str]:
    return [line for line in pem.decode().splitlines() if line and not line.startswith("-----")]


def _encrypted(pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(pem, password=None)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )


# -- building the client ---------------------------------------------------------------------


@pytest.mark.parametrize("as_text", [False, True])
def test_a_bad_private_key_pem(exchange: LocalExchange, as_text: bool) -> None:
    pem = exchange.keys.rsa.private_key_pem
    lines = pem.splitlines()
    broken = b"\n".join(lines[:3] + lines[4:]) + b"\n"  # one body line missing
    key: Any = broken.decode() if as_text else broken
    exc = _raised(lambda: Client(exchange.url, api_key=exchange.keys.rsa.api_key, private_key=key))
    assert type(exc) is InvalidParameterError and exc.param == "private_key"
    _assert_hidden(exc, _pem_body(broken))


def test_a_wrong_password(exchange: LocalExchange) -> None:
    pem = _encrypted(exchange.keys.rsa.private_key_pem)
    exc = _raised(
        lambda: Client(
            exchange.url,
            api_key=exchange.keys.rsa.api_key,
            private_key=pem,
            private_key_password=WRONG_PASSWORD,
        )
    )
    assert type(exc) is InvalidParameterError and exc.param == "private_key_password"
    _assert_hidden(exc, [WRONG_PASSWORD, *_pem_body(pem)])


def test_a_later_error_in_the_constructor_keeps_the_loaded_key_and_password_hidden(
    exchange: LocalExchange,
) -> None:
    pem = _encrypted(exchange.keys.rsa.private_key_pem)
    exc = _raised(
        lambda: Client(
            exchange.url,
            api_key=exchange.keys.rsa.api_key,
            private_key=pem,
            private_key_password=PASSWORD,
            auto_logon=True,  # refused after the key loaded: RSA keys cannot log on
        )
    )
    assert type(exc) is InvalidParameterError and exc.param == "auto_logon"
    text = _assert_hidden(exc, [PASSWORD, *_pem_body(pem)])
    assert "Secret('…')" in text  # the holders are there, masked


def test_an_early_error_in_the_constructor_hides_the_hmac_secret(exchange: LocalExchange) -> None:
    secret = exchange.keys.hmac.api_secret
    exc = _raised(
        lambda: Client(exchange.url, testnet=True, api_key=exchange.keys.hmac.api_key, api_secret=secret)
    )
    assert type(exc) is InvalidParameterError and exc.param == "testnet"
    _assert_hidden(exc, [secret])


def test_a_constructor_error_hides_the_proxy_password() -> None:
    password = "proxy-pw-8f2c1e"
    exc = _raised(
        lambda: Client(
            "ws://127.0.0.1:9/ws-api/v3", proxy=f"http://user:{password}@10.0.0.1:3128", timeout=-1
        )
    )
    assert type(exc) is InvalidParameterError and exc.param == "timeout"
    _assert_hidden(exc, [password])


def test_credentials_from_the_environment(exchange: LocalExchange, monkeypatch: pytest.MonkeyPatch) -> None:
    pem = _encrypted(exchange.keys.rsa.private_key_pem)
    monkeypatch.setenv("BINANCE_API_KEY", exchange.keys.rsa.api_key)
    monkeypatch.setenv("BINANCE_PRIVATE_KEY", pem.decode())
    monkeypatch.setenv("BINANCE_PRIVATE_KEY_PASSWORD", WRONG_PASSWORD)
    exc = _raised(lambda: Client(exchange.url))
    assert type(exc) is InvalidParameterError and exc.param == "private_key_password"
    _assert_hidden(exc, [WRONG_PASSWORD, *_pem_body(pem)])


# -- signed calls ----------------------------------------------------------------------------


def test_a_signed_call_that_fails_with_an_api_error(exchange: LocalExchange) -> None:
    key = exchange.keys.hmac
    with Client(exchange.url, timeout=5, api_key=key.api_key, api_secret=key.api_secret) as client:
        client.time_offset = -120_000  # refused: -1021, the timestamp is outside recvWindow
        exc = _raised(lambda: client.account_status(recv_window=1000))
        signature = exchange.requests[-1][1]["signature"]
    assert type(exc) is BadRequestError and exc.code == -1021
    text = _assert_hidden(exc, [key.api_secret, signature])
    assert not HEX_SIGNATURE.search(text)


def test_a_signed_call_whose_connection_drops_in_flight() -> None:
    seen: list[str] = []

    def drop(conn: RawConnection) -> None:
        seen.append(conn.wait_request()["params"]["signature"])
        conn.sock.shutdown(socket.SHUT_RDWR)

    secret = "S" * 64
    with (
        RawServer(drop) as server,
        Client(server.url, timeout=5, reconnect=False, api_key="K" * 64, api_secret=secret) as client,
    ):
        exc = _raised(client.account_status)
    assert type(exc) is ConnectionClosedError and exc.sent is True
    assert len(seen) == 1
    text = _assert_hidden(exc, [secret, seen[0]])
    assert not HEX_SIGNATURE.search(text)


def test_a_signed_call_whose_write_fails() -> None:
    # The write itself fails (a server that stopped reading, the call's timeout reached):
    # the encoded request is a local of the frames the error passes through.
    secret = "S" * 64
    with (
        RawServer(reading=False, recv_buffer=4096) as server,
        Client(server.url, timeout=30, reconnect=False, api_key="K" * 64, api_secret=secret) as client,
    ):
        server.connection()
        link = client._conns.link
        assert link is not None and link.transport is not None and link.transport._sock is not None
        link.transport._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        big = "A" * 50_000  # a long client order id: the frame cannot fit the buffers
        exc = _raised(
            lambda: client.order_test(symbol=big, side="BUY", type="MARKET", quantity="1", timeout=1)
        )
    assert type(exc) is ConnectionClosedError and exc.sent is False
    text = _assert_hidden(exc, [secret])
    assert not HEX_SIGNATURE.search(text)
    assert "b'…'" in text  # the encoded request is there, masked


def test_the_signature_is_masked_but_sent_as_is(exchange: LocalExchange) -> None:
    key = exchange.keys.hmac
    with Client(exchange.url, timeout=5, api_key=key.api_key, api_secret=key.api_secret) as client:
        client.account_status()
    signature = exchange.requests[-1][1]["signature"]
    assert type(signature) is str and HEX_SIGNATURE.fullmatch(signature)
    masked = MaskedText(signature)
    assert repr(masked) == "'…'" and repr({"signature": masked}) == "{'signature': '…'}"
    assert masked == signature and str.__str__(masked) == signature
    assert repr(Secret(key.api_secret)) == "Secret('…')" and key.api_secret not in str(Secret(key.api_secret))


# -- proxy credentials -----------------------------------------------------------------------


def test_the_proxy_password_stays_out_of_a_failed_connect() -> None:
    refusing = ConnectProxy(refuse=True)  # its URL carries user:p%40ss
    try:
        transport = Transport(
            "ws://127.0.0.1:9/ws-api/v3",
            on_text=lambda b: None,
            on_lost=lambda r: None,
            connect_timeout=5,
            proxy=refusing.url,
        )
        exc = _raised(transport.connect)
    finally:
        refusing.close()
    assert type(exc) is ConnectError and "403" in str(exc)
    _assert_hidden(exc, ["p%40ss", "p@ss", "dXNlcjpwQHNz"])  # the last: base64 of user:p@ss
