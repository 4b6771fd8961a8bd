"""Secrets stay secret, transport stays safe, and the exchange checks keys, signatures and time."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import pytest

from binance_ws import (
    BadRequestError,
    Client,
    ClientState,
    InsecureTransportError,
    InvalidParameterError,
)
from binance_ws._auth import check_transport
from binance_ws._signing import HmacSigner, canonical_payload, signer_for_private_key
from binance_ws.exchange import LocalExchange

PROBE = "userDataStream.subscribe.signature"
ENV_NAMES = ("BINANCE_API_KEY", "BINANCE_API_SECRET", "BINANCE_PRIVATE_KEY", "BINANCE_PRIVATE_KEY_PASSWORD")


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def _pem_body(pem: bytes) -> list[str]:
    """The base64 lines of a PEM: none of them may leak."""
    return [line for line in pem.decode().splitlines() if line and not line.startswith("-----")]


def _credentials(exchange: LocalExchange, kind: str) -> tuple[dict[str, Any], list[str]]:
    """Client kwargs for a key type, and the strings that must never be shown."""
    if kind == "hmac":
        key = exchange.keys.hmac
        return {"api_key": key.api_key, "api_secret": key.api_secret}, [key.api_secret, key.api_key]
    pair = exchange.keys.rsa if kind == "rsa" else exchange.keys.ed25519
    return (
        {"api_key": pair.api_key, "private_key": pair.private_key_pem},
        [*_pem_body(pair.private_key_pem), pair.api_key],
    )


def _assert_clean(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret leaked: {secret[:4]}…"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG, logger="binance_ws")
    yield caplog


# -- no secret anywhere ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["hmac", "rsa", "ed25519"])
def test_no_secret_in_repr_str_logs_or_errors(
    exchange: LocalExchange, kind: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    kwargs, secrets = _credentials(exchange, kind)
    api_key = kwargs["api_key"]
    client = Client(exchange.url, timeout=5, **kwargs)
    key_type = {"hmac": "HMAC", "rsa": "RSA", "ed25519": "Ed25519"}[kind]
    assert client.key_type == key_type
    assert f"key={key_type}:{api_key[:4]}…" in repr(client)
    shown = [repr(client), str(client), repr(client._signer), str(client._signer)]
    signatures: list[str] = []
    errors: list[str] = []
    with client:
        result = client._call(PROBE, {})
        signatures.append(exchange.requests[-1][1]["signature"])
        client._call("userDataStream.unsubscribe", {"subscriptionId": result["subscriptionId"]})
        if kind == "ed25519":
            status = client.session_logon()
            shown += [repr(status), str(status)]
            signatures.append(exchange.requests[-1][1]["signature"])
            shown += [repr(client.session_status()), repr(client)]
        else:
            with pytest.raises(InvalidParameterError) as refused:
                client.session_logon()
            errors.append(str(refused.value))
        client.time_offset = -120_000
        with pytest.raises(BadRequestError) as stale:
            client._call("userDataStream.subscribe.signature", {"recvWindow": 1000})
        errors += [str(stale.value), repr(stale.value)]
        shown.append(repr(client))
    text = "\n".join(shown + errors + [debug_logs.text])
    _assert_clean(text, secrets + signatures)
    assert "connected to" in debug_logs.text  # the logs were captured at all


def test_signer_objects_cannot_be_pickled() -> None:
    import pickle

    signer = HmacSigner("k" * 64, "super-secret-value")
    with pytest.raises(TypeError):
        pickle.dumps(signer)
    assert "super-secret-value" not in repr(signer) + str(vars(signer))


def test_missing_credentials_error_says_what_to_set(exchange: LocalExchange) -> None:
    with Client(exchange.url, timeout=5) as client:
        before = len(exchange.requests)
        with pytest.raises(InvalidParameterError) as exc:
            client._call(PROBE, {})
        assert len(exchange.requests) == before
    message = str(exc.value)
    for hint in ("api_key=", "api_secret=", "private_key=", "BINANCE_API_KEY", "BINANCE_API_SECRET"):
        assert hint in message


def test_validation_runs_before_signing_even_without_keys(exchange: LocalExchange) -> None:
    with Client(exchange.url, timeout=5) as client, pytest.raises(InvalidParameterError) as exc:
        client._call("account.commission", {})
    assert exc.value.param == "symbol"


def test_credentials_from_the_environment(exchange: LocalExchange, monkeypatch: pytest.MonkeyPatch) -> None:
    key = exchange.keys.ed25519
    monkeypatch.setenv("BINANCE_API_KEY", key.api_key)
    monkeypatch.setenv("BINANCE_PRIVATE_KEY", key.private_key_pem.decode())
    with Client(exchange.url, timeout=5, auto_logon=True) as client:
        assert client.key_type == "Ed25519" and client.logged_on
    assert Client(exchange.url, credentials_from_env=False).key_type is None


# -- transport -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["ws://example.com/ws-api/v3", "ws://10.1.2.3:9443/ws-api/v3", "ws://[2001:db8::1]:80/"]
)
def test_keys_over_plain_ws_to_a_remote_host_are_refused(url: str) -> None:
    client = Client(url, api_key="k" * 64, api_secret="s" * 64, connect_timeout=0.5)
    with pytest.raises(InsecureTransportError) as exc:
        client.connect()
    assert "wss://" in str(exc.value)
    assert client.state is ClientState.UNOPENED  # refused before any I/O


@pytest.mark.parametrize(
    "url",
    [
        "ws://127.0.0.1:1/x",
        "ws://127.8.9.10/x",
        "ws://localhost:1/x",
        "ws://[::1]:1/x",
        "wss://example.com/x",
    ],
)
def test_loopback_and_tls_are_allowed(url: str) -> None:
    check_transport(url, HmacSigner("k" * 64, "secret"))


def test_plain_ws_without_keys_is_allowed() -> None:
    check_transport("ws://example.com/x", None)


def test_missing_cryptography_names_the_extra(exchange: LocalExchange) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["cryptography"] = None
        from binance_ws import Client
        Client("{exchange.url}", api_key="k" * 64, api_secret="s" * 64)  # HMAC needs no extra
        try:
            Client("{exchange.url}", api_key="k" * 64, private_key="-----BEGIN PRIVATE KEY-----\\n")
        except ImportError as exc:
            print(exc)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert "pip install 'binance-ws[crypto]'" in out.stdout


# -- the exchange's checks -------------------------------------------------------------------


def _signed(signer: Any, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"apiKey": signer.api_key, "timestamp": int(time.time() * 1000), **extra}
    params["signature"] = signer.sign(canonical_payload(params))
    return params


def _signers(exchange: LocalExchange) -> dict[str, Any]:
    return {
        "hmac": HmacSigner(exchange.keys.hmac.api_key, exchange.keys.hmac.api_secret),
        "rsa": signer_for_private_key(exchange.keys.rsa.api_key, exchange.keys.rsa.private_key_pem),
        "ed25519": signer_for_private_key(
            exchange.keys.ed25519.api_key, exchange.keys.ed25519.private_key_pem
        ),
    }


@pytest.mark.parametrize("kind", ["hmac", "rsa", "ed25519"])
def test_exchange_verifies_and_rejects_signatures(exchange: LocalExchange, kind: str) -> None:
    signer = _signers(exchange)[kind]
    with Client(exchange.url, timeout=5) as client:
        sub = client.request(PROBE, _signed(signer)).result["subscriptionId"]
        client.request("userDataStream.unsubscribe", {"subscriptionId": sub})
        params = _signed(signer)
        params["timestamp"] += 1  # signed payload no longer matches
        with pytest.raises(BadRequestError) as exc:
            client.request(PROBE, params)
        assert (exc.value.code, exc.value.msg) == (-1022, "Signature for this request is not valid.")


def test_hmac_signature_case_does_not_matter(exchange: LocalExchange) -> None:
    params = _signed(_signers(exchange)["hmac"])
    params["signature"] = params["signature"].upper()
    with Client(exchange.url, timeout=5) as client:
        sub = client.request(PROBE, params).result["subscriptionId"]
        client.request("userDataStream.unsubscribe", {"subscriptionId": sub})


def test_exchange_checks_the_api_key(exchange: LocalExchange) -> None:
    with Client(exchange.url, timeout=5) as client:
        with pytest.raises(BadRequestError) as bad_format:
            client.request(PROBE, _signed(HmacSigner("short-key", "s")))
        assert (bad_format.value.code, bad_format.value.msg) == (-2014, "API-key format invalid.")
        with pytest.raises(BadRequestError) as unknown:
            client.request(PROBE, _signed(HmacSigner("Z" * 64, "s")))
        assert (unknown.value.code, unknown.value.msg) == (
            -2015,
            "Invalid API-key, IP, or permissions for action.",
        )
        params = _signed(_signers(exchange)["hmac"])
        del params["signature"]
        with pytest.raises(BadRequestError) as missing:
            client.request(PROBE, params)
        assert missing.value.code == -1102 and "'signature'" in missing.value.msg


def test_exchange_checks_the_time(exchange: LocalExchange) -> None:
    signer = _signers(exchange)["hmac"]
    now = int(time.time() * 1000)
    with Client(exchange.url, timeout=5) as client:
        stale = _signed(signer, recvWindow=1000)
        stale["timestamp"] = now - 10_000
        stale["signature"] = signer.sign(canonical_payload(stale))
        with pytest.raises(BadRequestError) as old:
            client.request(PROBE, stale)
        assert (old.value.code, old.value.msg) == (
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
        )
        ahead = {"apiKey": signer.api_key, "timestamp": now + 5_000}
        ahead["signature"] = signer.sign(canonical_payload(ahead))
        with pytest.raises(BadRequestError) as early:
            client.request(PROBE, ahead)
        assert early.value.msg == "Timestamp for this request was 1000ms ahead of the server's time."
        too_wide = _signed(signer, recvWindow=60001)
        with pytest.raises(BadRequestError) as wide:
            client.request(PROBE, too_wide)
        assert wide.value.code == -1102 and "60000" in wide.value.msg


def test_stale_timestamp_error_says_what_to_do_and_sync_clock_fixes_it(exchange: LocalExchange) -> None:
    kwargs, _ = _credentials(exchange, "hmac")
    with Client(exchange.url, timeout=5, **kwargs) as client:
        client.time_offset = -30_000  # a local clock 30 s ahead of the server
        with pytest.raises(BadRequestError) as exc:
            client._call(PROBE, {})
        assert exc.value.code == -1021
        assert "sync_time=True" in str(exc.value) and "recv_window" in str(exc.value)
        offset = client.sync_clock()
        assert offset == client.time_offset and abs(offset) < 250
        sub = client._call(PROBE, {})["subscriptionId"]
        client._call("userDataStream.unsubscribe", {"subscriptionId": sub})


def test_time_offset_is_validated(exchange: LocalExchange) -> None:
    client = Client(exchange.url)
    with pytest.raises(InvalidParameterError):
        client.time_offset = 1.5  # type: ignore[assignment]
