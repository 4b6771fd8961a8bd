"""Signing: the documented vectors reproduce exactly, and the payload follows Binance's rules."""

from __future__ import annotations

import base64
import pathlib
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from binance_ws import InvalidParameterError
from binance_ws._auth import resolve_signer, validate_recv_window
from binance_ws._signing import (
    ED25519,
    HMAC,
    RSA,
    Ed25519Signer,
    HmacSigner,
    RsaSigner,
    canonical_payload,
    load_private_key,
    redact,
    render_value,
    signer_for_private_key,
)
from binance_ws.enums import Side
from tools import reference

VECTORS = reference.load("signing-vectors.json")
HMAC_VECTORS = VECTORS["hmac"]
FIX = VECTORS["ed25519"]["fix_api_logon_vector"]
DERIVED = VECTORS["ed25519"]["derived_vectors_not_from_binance"]["vectors"]


def _params(table: dict[str, str]) -> dict[str, Any]:
    """The doc's parameter table with the wire types the client sends (ints as ints)."""
    out: dict[str, Any] = dict(table)
    out["timestamp"] = int(table["timestamp"])
    out["recvWindow"] = int(table["recvWindow"])
    return out


# -- the documented vectors ------------------------------------------------------------------


@pytest.mark.parametrize("vector", HMAC_VECTORS["vectors"], ids=lambda v: v["case"])
def test_hmac_vectors_reproduce(vector: dict[str, Any]) -> None:
    params = _params(vector["params_table_in_doc"])
    payload = canonical_payload(params)
    assert payload == vector["signature_payload"]
    signer = HmacSigner(HMAC_VECTORS["api_key"], HMAC_VECTORS["secret_key"])
    assert signer.sign(payload) == vector["expected_signature"]


@pytest.mark.parametrize("vector", HMAC_VECTORS["vectors"], ids=lambda v: v["case"])
def test_hmac_signed_request_example_verifies(vector: dict[str, Any]) -> None:
    """The doc's signed request, with its signature removed, signs to the same value."""
    sent = dict(vector["signed_request_example"]["params"])
    expected = sent.pop("signature")
    signer = HmacSigner(HMAC_VECTORS["api_key"], HMAC_VECTORS["secret_key"])
    assert signer.sign(canonical_payload(sent)) == expected


@pytest.mark.parametrize("key", ["rsa", "ed25519"])
def test_rsa_and_ed25519_payloads_match_the_doc(key: str) -> None:
    """Their private keys are not published, but the payloads they sign must match ours."""
    for vector in VECTORS[key]["vectors"]:
        if vector["doc_consistency"]["payload_matches_params_table"]:
            assert canonical_payload(_params(vector["params_table_in_doc"])) == vector["signature_payload"]


def test_ed25519_primitive_reproduces_the_published_fix_vector() -> None:
    signer = signer_for_private_key("k" * 64, FIX["private_key_pem"])
    assert isinstance(signer, Ed25519Signer)
    payload = "\x01".join(FIX["payload_fields"])
    assert signer.sign(payload) == FIX["expected_signature"]


@pytest.mark.parametrize("vector", DERIVED, ids=["ascii", "non-ascii"])
def test_ed25519_ws_payloads_with_the_fix_key(vector: dict[str, str]) -> None:
    signer = signer_for_private_key("k" * 64, FIX["private_key_pem"].encode())
    assert signer.sign(vector["signature_payload"]) == vector["signature_with_fix_example_key"]


def test_rsa_signature_verifies_with_the_public_key() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = signer_for_private_key("k" * 64, private)
    assert isinstance(signer, RsaSigner)
    payload = HMAC_VECTORS["vectors"][1]["signature_payload"]
    signature = signer.sign(payload)
    private.public_key().verify(
        base64.b64decode(signature), payload.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
    )
    # PKCS#1 v1.5 is deterministic: the same payload gives the same signature.
    assert signer.sign(payload) == signature


# -- the payload rules -----------------------------------------------------------------------


# The doc's non-ASCII symbol, six fullwidth digits.
FULLWIDTH = "\uff11\uff12\uff13\uff14\uff15\uff16"


def test_non_ascii_values_are_signed_as_utf8_text_not_percent_encoded() -> None:
    payload = canonical_payload({"symbol": FULLWIDTH, "side": "BUY"})
    assert payload == f"side=BUY&symbol={FULLWIDTH}"
    assert "%" not in payload


def test_value_rendering() -> None:
    assert render_value(True) == "true"
    assert render_value(False) == "false"
    assert render_value(0) == "0"
    assert render_value(Decimal("0.00100000")) == "0.00100000"
    assert render_value(Decimal("1E+3")) == "1000"
    assert render_value(Side.BUY) == "BUY"
    assert render_value(["BTCUSDT", "BNBBTC"]) == '["BTCUSDT","BNBBTC"]'
    assert render_value((FULLWIDTH,)) == f'["{FULLWIDTH}"]'


def test_signature_param_is_left_out_and_names_are_sorted_by_code_point() -> None:
    payload = canonical_payload({"b": 1, "B": 2, "a": 3, "signature": "zzz"})
    assert payload == "B=2&a=3&b=1"


_names = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="&="), min_size=1
)
_values = st.one_of(
    st.text(),
    st.integers(),
    st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, places=8),
    st.lists(st.text(), max_size=3),
)


@settings(deadline=None)  # a loaded CI machine must not turn a slow example into a failure
@given(st.dictionaries(_names, _values, max_size=12), st.randoms())
def test_payload_is_independent_of_dict_order(params: dict[str, Any], rnd: Any) -> None:
    items = list(params.items())
    rnd.shuffle(items)
    assert canonical_payload(dict(items)) == canonical_payload(params)


_plain = st.text(alphabet=st.characters(exclude_characters="&=", exclude_categories=["Cs"]))


@settings(deadline=None)
@given(st.dictionaries(_names.filter(lambda n: n != "signature"), _plain, max_size=8))
def test_payload_lists_each_param_once_in_sorted_order(params: dict[str, str]) -> None:
    payload = canonical_payload({**params, "signature": "x"})
    parts = payload.split("&") if params else []
    assert [tuple(p.split("=", 1)) for p in parts] == sorted(params.items())


@settings(deadline=None)
@given(st.dictionaries(_names, st.text(), max_size=8), st.text(min_size=1))
def test_hmac_signature_matches_stdlib(params: dict[str, str], secret: str) -> None:
    import hashlib
    import hmac

    payload = canonical_payload(params)
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    assert HmacSigner("k" * 64, secret).sign(payload) == expected


# -- key loading -----------------------------------------------------------------------------


def _pem(key: Any, password: bytes | None = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(  # type: ignore[no-any-return]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def test_private_key_from_path_text_bytes_and_object(tmp_path: pathlib.Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    pem = _pem(key)
    path = tmp_path / "key.pem"
    path.write_bytes(pem)
    payload = "apiKey=x&timestamp=1"
    expected = base64.b64encode(key.sign(payload.encode())).decode()
    for source in (str(path), path, pem, pem.decode(), key):
        signer = signer_for_private_key("k" * 64, source)
        assert signer.key_type == ED25519
        assert signer.sign(payload) == expected


def test_der_bytes_are_accepted() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert signer_for_private_key("k" * 64, der).key_type == ED25519


def test_encrypted_key_needs_its_password() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    pem = _pem(key, b"s3cret-pass")
    assert signer_for_private_key("k" * 64, pem, "s3cret-pass").key_type == ED25519
    with pytest.raises(InvalidParameterError) as missing:
        load_private_key(pem)
    assert missing.value.param == "private_key_password"
    assert "encrypted" in str(missing.value)
    with pytest.raises(InvalidParameterError) as wrong:
        load_private_key(pem, "nope")
    assert wrong.value.param == "private_key_password"
    assert "s3cret" not in str(wrong.value) and "nope" not in str(wrong.value)


def test_bad_key_sources_are_refused_without_echoing_them() -> None:
    garbage = "MC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u"  # a key without armour
    with pytest.raises(InvalidParameterError) as exc:
        load_private_key(garbage)
    assert exc.value.param == "private_key"
    assert garbage not in str(exc.value)
    with pytest.raises(InvalidParameterError) as bad_pem:
        load_private_key("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
    assert bad_pem.value.param == "private_key"


def test_unsupported_key_type_is_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    with pytest.raises(InvalidParameterError, match="RSA and Ed25519"):
        signer_for_private_key("k" * 64, ec.generate_private_key(ec.SECP256R1()))


# -- credentials resolution ------------------------------------------------------------------


def test_explicit_credentials_pick_the_signer_type() -> None:
    assert resolve_signer(None, None, None, None, from_env=False) is None
    hmac_signer = resolve_signer("k" * 64, "secret", None, None)
    assert hmac_signer is not None and hmac_signer.key_type == HMAC
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_signer = resolve_signer("k" * 64, None, rsa_key, None)
    assert rsa_signer is not None and rsa_signer.key_type == RSA


@pytest.mark.parametrize(
    ("args", "param"),
    [
        ((None, "secret", None, None), "api_key"),
        (("k" * 64, None, None, None), "api_secret"),
        (("k" * 64, "secret", FIX["private_key_pem"], None), "private_key"),
        (("k" * 64, "secret", None, "pw"), "private_key_password"),
        ((None, None, None, "pw"), "private_key_password"),
    ],
)
def test_incomplete_credentials_name_the_missing_piece(args: tuple[Any, ...], param: str) -> None:
    with pytest.raises(InvalidParameterError) as exc:
        resolve_signer(*args, from_env=False)
    assert exc.value.param == param


def test_environment_credentials() -> None:
    env = {"BINANCE_API_KEY": "k" * 64, "BINANCE_API_SECRET": "secret"}
    signer = resolve_signer(None, None, None, None, environ=env)
    assert signer is not None and signer.key_type == HMAC and signer.api_key == "k" * 64
    one_line_pem = FIX["private_key_pem"].replace("\n", "\\n")
    env = {"BINANCE_API_KEY": "k" * 64, "BINANCE_PRIVATE_KEY": one_line_pem}
    signer = resolve_signer(None, None, None, None, environ=env)
    assert signer is not None and signer.key_type == ED25519
    assert resolve_signer(None, None, None, None, environ={}) is None
    assert resolve_signer(None, None, None, None, from_env=False, environ=env) is None
    with pytest.raises(InvalidParameterError) as exc:
        resolve_signer(None, None, None, None, environ={"BINANCE_API_SECRET": "secret"})
    assert exc.value.param == "BINANCE_API_KEY"


def test_explicit_arguments_ignore_the_environment() -> None:
    env = {"BINANCE_API_KEY": "e" * 64, "BINANCE_API_SECRET": "env-secret"}
    signer = resolve_signer("a" * 64, "arg-secret", None, None, environ=env)
    assert signer is not None and signer.api_key == "a" * 64


@pytest.mark.parametrize(
    ("value", "wire"), [(5000, 5000), ("100", "100"), (Decimal("1500.125"), "1500.125"), (60000, 60000)]
)
def test_recv_window_values(value: Any, wire: Any) -> None:
    assert validate_recv_window(value) == wire


@pytest.mark.parametrize("value", [0, -1, 60001, "60000.001", "1.0001", 5000.0, True, "abc", "NaN"])
def test_recv_window_refused(value: Any) -> None:
    with pytest.raises(InvalidParameterError) as exc:
        validate_recv_window(value)
    assert exc.value.param == "recv_window"


def test_redact() -> None:
    assert redact(HMAC_VECTORS["api_key"]) == "vmPU…"
    assert redact("abc") == "…"
    assert redact(None) == "None"
