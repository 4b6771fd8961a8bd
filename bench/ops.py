"""What the benchmark sends: the operations, the credentials and the reference signing.

Every client under test performs the same operations with the same parameters, so their
round trips are comparable; each client signs the way it signs by itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .payloads import SYMBOL

__all__ = [
    "OPS",
    "ORDER_PARAMS",
    "Credentials",
    "Op",
    "floor_sign",
    "make_credentials",
]

#: The order every client places: the documented example, answered with FULL.
ORDER_PARAMS: dict[str, Any] = {
    "symbol": SYMBOL,
    "side": "SELL",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "price": "23416.10000000",
    "quantity": "0.00847000",
    "newOrderRespType": "FULL",
}


@dataclass(frozen=True)
class Op:
    """One kind of request of the sequential measure."""

    key: str
    method: str
    params: dict[str, Any] = field(default_factory=dict)
    #: ``"hmac"`` or ``"ed25519"`` for signed requests.
    signed: str | None = None
    #: Measured only against the canned server (the exchange limits orders per 10 s).
    canned_only: bool = False
    #: The timed call also reads every value of the result (see :mod:`bench.reading`).
    read: bool = False
    #: An operation run, untimed, before each timed call (tails with big results in between).
    between: str | None = None


OPS: dict[str, Op] = {
    op.key: op
    for op in (
        Op("ping", "ping"),
        Op("depth100", "depth", {"symbol": SYMBOL, "limit": 100}),
        Op("depth5000", "depth", {"symbol": SYMBOL, "limit": 5000}),
        Op("order_hmac", "order.place", ORDER_PARAMS, signed="hmac", canned_only=True),
        Op("order_ed25519", "order.place", ORDER_PARAMS, signed="ed25519", canned_only=True),
        Op("exchangeInfo", "exchangeInfo"),
        Op("klines1000", "klines", {"symbol": SYMBOL, "interval": "1m", "limit": 1000}, canned_only=True),
        Op("allOrders1000", "allOrders", {"symbol": SYMBOL, "limit": 1000}, signed="hmac", canned_only=True),
    )
}
# Tails while the client also handles big results: the collector over large object graphs
# and the allocator are what such a tail is made of.
OPS["ping_between_reads"] = Op("ping_between_reads", "ping", between="depth5000_read")
OPS["order_hmac_between_reads"] = Op(
    "order_hmac_between_reads", "order.place", ORDER_PARAMS, "hmac", True, between="depth5000_read"
)
# The big results once more, read by the user: lazy conversion cannot flatter these.
OPS.update(
    {
        f"{key}_read": Op(f"{key}_read", op.method, op.params, op.signed, op.canned_only, read=True)
        for key, op in list(OPS.items())
        if key in ("depth5000", "exchangeInfo", "klines1000", "allOrders1000")
    }
)


@dataclass
class Credentials:
    """API keys for the signed operations (the canned server checks no signature)."""

    hmac_key: str | None = None
    hmac_secret: str | None = None
    ed25519_key: str | None = None
    ed25519_pem: str | None = None
    rsa_key: str | None = None
    rsa_pem: str | None = None
    #: Loaded private keys for the floor's own signing (cryptography objects), if available.
    loaded: dict[str, Any] = field(default_factory=dict)

    def portable(self) -> dict[str, str | None]:
        """The keys as plain strings, for a client in another process (see :meth:`from_portable`)."""
        return {
            name: getattr(self, name)
            for name in ("hmac_key", "hmac_secret", "ed25519_key", "ed25519_pem", "rsa_key", "rsa_pem")
        }

    @classmethod
    def from_portable(cls, data: dict[str, str | None]) -> Credentials:
        creds = cls()
        for name, value in data.items():
            setattr(creds, name, value)
        creds.loaded = _load_keys(creds)
        return creds

    def has(self, kind: str | None) -> bool:
        if kind is None:
            return True
        if kind == "hmac":
            return bool(self.hmac_key and self.hmac_secret)
        if kind == "ed25519":
            return bool(self.ed25519_key and self.ed25519_pem)
        return bool(self.rsa_key and self.rsa_pem)


def _pem(private_key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    data: bytes = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return data.decode()


def make_credentials(announced: dict[str, dict[str, str]] | None = None) -> Credentials:
    """The server's demo keys where it announced them, else freshly generated ones."""
    announced = announced or {}
    creds = Credentials()
    hmac_info = announced.get("hmac")
    if hmac_info and "api_secret" in hmac_info:
        creds.hmac_key, creds.hmac_secret = hmac_info["api_key"], hmac_info["api_secret"]
    else:
        creds.hmac_key, creds.hmac_secret = "bench" + secrets.token_hex(30), secrets.token_hex(32)
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    except ImportError:  # no crypto extra: the Ed25519 and RSA measures are skipped
        return creds
    ed_info = announced.get("ed25519")
    if ed_info and "private_key_pem" in ed_info:
        creds.ed25519_key, creds.ed25519_pem = ed_info["api_key"], ed_info["private_key_pem"]
    else:
        creds.ed25519_key = "bench" + secrets.token_hex(30)
        creds.ed25519_pem = _pem(ed25519.Ed25519PrivateKey.generate())
    rsa_info = announced.get("rsa")
    if rsa_info and "private_key_pem" in rsa_info:
        creds.rsa_key, creds.rsa_pem = rsa_info["api_key"], rsa_info["private_key_pem"]
    else:
        creds.rsa_key = "bench" + secrets.token_hex(30)
        creds.rsa_pem = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    creds.loaded = _load_keys(creds)
    return creds


def _load_keys(creds: Credentials) -> dict[str, Any]:
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:  # no crypto extra
        return {}
    loaded: dict[str, Any] = {}
    for kind, pem in (("ed25519", creds.ed25519_pem), ("rsa", creds.rsa_pem)):
        if pem:
            loaded[kind] = serialization.load_pem_private_key(pem.encode(), password=None)
    return loaded


def floor_sign(params: dict[str, Any], kind: str, creds: Credentials) -> dict[str, Any]:
    """The fewest steps that sign a request: what a hand-written client would do inline."""
    key = creds.hmac_key if kind == "hmac" else creds.ed25519_key if kind == "ed25519" else creds.rsa_key
    signed = dict(params)
    signed["apiKey"] = key
    signed["timestamp"] = int(time.time() * 1000)
    payload = "&".join(f"{k}={v}" for k, v in sorted(signed.items())).encode()
    if kind == "hmac":
        assert creds.hmac_secret is not None
        signed["signature"] = hmac.new(creds.hmac_secret.encode(), payload, hashlib.sha256).hexdigest()
    elif kind == "ed25519":
        signed["signature"] = base64.b64encode(creds.loaded["ed25519"].sign(payload)).decode()
    else:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        raw = creds.loaded["rsa"].sign(payload, padding.PKCS1v15(), hashes.SHA256())
        signed["signature"] = base64.b64encode(raw).decode()
    return signed
