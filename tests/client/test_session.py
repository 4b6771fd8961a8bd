"""Session authentication end to end against the local exchange, and signed requests around it.

The signed method used as a probe is ``userDataStream.subscribe.signature`` (USER_STREAM,
signed, any key type): the exchange only answers it after authentication passed.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from exchange_helpers import unique_tag

from binance_ws import (
    BadRequestError,
    Client,
    ClientState,
    InvalidParameterError,
    UnauthorizedError,
)
from binance_ws._signing import HmacSigner, canonical_payload, signer_for_private_key
from binance_ws.exchange import LocalExchange
from binance_ws.models import SessionStatus

PROBE = "userDataStream.subscribe.signature"


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "BINANCE_API_KEY",
        "BINANCE_API_SECRET",
        "BINANCE_PRIVATE_KEY",
        "BINANCE_PRIVATE_KEY_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)


def _ed_client(exchange: LocalExchange, **kwargs: Any) -> Client:
    key = exchange.keys.ed25519
    return Client(exchange.url, api_key=key.api_key, private_key=key.private_key_pem, timeout=5, **kwargs)


def _hmac_client(exchange: LocalExchange, **kwargs: Any) -> Client:
    key = exchange.keys.hmac
    return Client(exchange.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5, **kwargs)


def probe(client: Client, exchange: LocalExchange, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Call the signed probe method and return the params the exchange received."""
    result = client._call(PROBE, params or {})
    assert isinstance(result["subscriptionId"], int)
    client._call("userDataStream.unsubscribe", {"subscriptionId": result["subscriptionId"]})
    return last_params(exchange, PROBE)


def last_params(exchange: LocalExchange, wire: str) -> dict[str, Any]:
    for method, params in reversed(exchange.requests):
        if method == wire:
            return dict(params)
    raise AssertionError(f"{wire} never reached the exchange")


# -- logon / status / logout -----------------------------------------------------------------


def test_logon_status_logout(exchange: LocalExchange) -> None:
    key = exchange.keys.ed25519
    with _ed_client(exchange) as client:
        before = client.session_status()
        assert isinstance(before, SessionStatus)
        assert before.api_key is None and before.authorized_since is None
        assert before.connected_since is not None and before.connected_since <= time.time() * 1000
        assert not client.logged_on

        logged = client.session_logon()
        assert logged.api_key == key.api_key
        assert logged.authorized_since is not None
        assert logged.authorized_datetime is not None
        assert logged.connected_since == before.connected_since
        assert client.logged_on
        assert "logged_on" in repr(client)
        sent = last_params(exchange, "session.logon")
        assert set(sent) == {"apiKey", "timestamp", "signature"}

        status = client.session_status()
        assert status.api_key == key.api_key
        assert status.authorized_since == logged.authorized_since

        out = client.session_logout()
        assert out.api_key is None and out.authorized_since is None
        assert not client.logged_on
        assert client.session_status().api_key is None


def test_signed_method_after_logon_travels_without_signature(exchange: LocalExchange) -> None:
    with _ed_client(exchange) as client:
        signed = probe(client, exchange)
        assert {"apiKey", "signature", "timestamp"} <= set(signed)

        client.session_logon()
        unsigned = probe(client, exchange)
        assert set(unsigned) == {"timestamp"}
        assert abs(unsigned["timestamp"] - time.time() * 1000) < 5000

        client.session_logout()
        again = probe(client, exchange)
        assert {"apiKey", "signature", "timestamp"} <= set(again)


def test_explicit_signature_overrides_the_session_key(exchange: LocalExchange) -> None:
    hmac_key = exchange.keys.hmac
    with _ed_client(exchange, auto_logon=True) as client:
        params: dict[str, Any] = {"apiKey": hmac_key.api_key, "timestamp": int(time.time() * 1000)}
        params["signature"] = HmacSigner(hmac_key.api_key, hmac_key.api_secret).sign(
            canonical_payload(params)
        )
        sub = client.request(PROBE, params).result["subscriptionId"]
        client.request("userDataStream.unsubscribe", {"subscriptionId": sub})
        params["signature"] = "0" * 64
        with pytest.raises(BadRequestError) as exc:
            client.request(PROBE, params)
        assert exc.value.code == -1022


def test_auto_logon(exchange: LocalExchange) -> None:
    before = len(exchange.requests)
    with _ed_client(exchange, auto_logon=True, recv_window=3000) as client:
        assert client.logged_on
        first = exchange.requests[before]
        assert first[0] == "session.logon"
        assert first[1]["recvWindow"] == 3000
        assert client.session_status().api_key == exchange.keys.ed25519.api_key


def test_auto_logon_needs_an_ed25519_key(exchange: LocalExchange) -> None:
    with pytest.raises(InvalidParameterError) as exc:
        _hmac_client(exchange, auto_logon=True)
    assert exc.value.param == "auto_logon"
    with pytest.raises(InvalidParameterError):
        Client(exchange.url, auto_logon=True, credentials_from_env=False)


def test_session_logon_with_hmac_or_rsa_key_is_refused_before_sending(exchange: LocalExchange) -> None:
    rsa_key = exchange.keys.rsa
    clients = [
        _hmac_client(exchange),
        Client(exchange.url, api_key=rsa_key.api_key, private_key=rsa_key.private_key_pem, timeout=5),
    ]
    for client in clients:
        with client:
            before = len(exchange.requests)
            with pytest.raises(InvalidParameterError) as exc:
                client.session_logon()
            assert "Ed25519" in str(exc.value)
            assert len(exchange.requests) == before


@pytest.mark.parametrize("kind", ["hmac", "rsa"])
def test_exchange_refuses_logon_with_other_key_types(exchange: LocalExchange, kind: str) -> None:
    """Validly signed, but not Ed25519: Binance answers -1022."""
    if kind == "hmac":
        signer: Any = HmacSigner(exchange.keys.hmac.api_key, exchange.keys.hmac.api_secret)
    else:
        signer = signer_for_private_key(exchange.keys.rsa.api_key, exchange.keys.rsa.private_key_pem)
    with Client(exchange.url, timeout=5) as client:
        params: dict[str, Any] = {"apiKey": signer.api_key, "timestamp": int(time.time() * 1000)}
        params["signature"] = signer.sign(canonical_payload(params))
        with pytest.raises(BadRequestError) as exc:
            client.request("session.logon", params)
        assert exc.value.code == -1022
        assert client.session_status().api_key is None


def test_user_data_stream_subscribe_needs_logon(exchange: LocalExchange) -> None:
    with _ed_client(exchange) as client:
        with pytest.raises(BadRequestError) as exc:
            client._call("userDataStream.subscribe", {})
        assert exc.value.code == -1002
        client.session_logon()
        sub = client._call("userDataStream.subscribe", {})
        assert isinstance(sub["subscriptionId"], int)
        assert client.session_status().user_data_stream is True
        client.session_logout()
        assert client.session_status().user_data_stream is False


def test_revoked_session_key_logs_the_session_out(exchange: LocalExchange) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    api_key = "Rv" + "k" * 62
    exchange.keys.add_public_key(api_key, private.public_key(), "demo")
    with Client(exchange.url, api_key=api_key, private_key=private, auto_logon=True, timeout=5) as client:
        assert client.logged_on
        exchange.keys.revoke(api_key)
        with pytest.raises(UnauthorizedError) as exc:
            client._call(PROBE, {})
        assert exc.value.status == 401 and exc.value.code == -2015
        assert not client.logged_on
        assert client.session_status().api_key is None


def test_failed_auto_logon_closes_the_client(exchange: LocalExchange) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    client = Client(exchange.url, api_key="U" * 64, private_key=private, auto_logon=True, timeout=5)
    with pytest.raises(BadRequestError) as exc:
        client.connect()
    assert exc.value.code == -2015
    assert client.state is ClientState.CLOSED


# -- timing and recvWindow -------------------------------------------------------------------


def test_recv_window_per_client_and_per_call(exchange: LocalExchange) -> None:
    with _hmac_client(exchange, recv_window=7000) as client:
        assert client.recv_window == 7000
        assert probe(client, exchange)["recvWindow"] == 7000
        assert (
            probe(client, exchange, {"recvWindow": 2500})["recvWindow"] == 2500
        )  # an int stays a JSON number
    with _hmac_client(exchange) as client:
        assert "recvWindow" not in probe(client, exchange)


def test_microsecond_recv_window_sends_a_microsecond_timestamp(exchange: LocalExchange) -> None:
    with _hmac_client(exchange, recv_window="4000.5") as client:
        sent = probe(client, exchange)
        assert sent["recvWindow"] == "4000.5"
        assert abs(sent["timestamp"] - time.time() * 1_000_000) < 5_000_000


@pytest.mark.parametrize("value", [0, 60001, 100.5, "1.2345"])
def test_bad_recv_window_is_refused(exchange: LocalExchange, value: Any) -> None:
    with pytest.raises(InvalidParameterError) as exc:
        _hmac_client(exchange, recv_window=value)
    assert exc.value.param == "recv_window"
    with _hmac_client(exchange) as client:
        before = len(exchange.requests)
        with pytest.raises(InvalidParameterError):
            client._call(PROBE, {"recvWindow": value if not isinstance(value, float) else "70000"})
        assert len(exchange.requests) == before


def test_sync_time_measures_the_offset(exchange: LocalExchange) -> None:
    with _hmac_client(exchange, sync_time=True) as client:
        # Same machine, same clock: the measured offset is the round-trip noise only.
        assert abs(client.time_offset) < 250
        assert [m for m, _ in exchange.requests[-3:]] == ["time", "time", "time"]


def test_id_less_401_drops_the_session(exchange: LocalExchange, caplog: pytest.LogCaptureFixture) -> None:
    key = exchange.keys.ed25519
    tag = unique_tag("id-less-401")
    with Client(
        exchange.url_for(tag), api_key=key.api_key, private_key=key.private_key_pem, auto_logon=True
    ) as client:
        assert client.logged_on
        revoked = '{"id":null,"status":401,"error":{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}}'
        exchange.garbage_next("ping", revoked, connection=tag)
        with caplog.at_level("WARNING", logger="binance_ws"):
            client.ping()
        assert not client.logged_on
        assert any("revoked" in r.getMessage() for r in caplog.records)
