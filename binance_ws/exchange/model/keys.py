"""API keys of the local exchange: demo keys of every type and signature verification.

At start the exchange creates one key of each type for the demo account:
``ex.keys.hmac`` (``api_key``, ``api_secret``), ``ex.keys.ed25519`` and ``ex.keys.rsa``
(``api_key``, ``private_key_pem``). More keys can be added with :meth:`KeyStore.add_hmac`
and :meth:`KeyStore.add_public_key`; :meth:`KeyStore.revoke` makes a key invalid (the next
request of a session logged on with it is answered 401 / -2015, as Binance does).

Key pairs come from the ``cryptography`` package (part of the ``exchange`` extra). The RSA
pair (2048 bit, a noticeable fraction of a second to generate) is made on first use, so
starting an exchange stays fast.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import string
import threading
from typing import Any

import attrs

from ..._signing import ED25519, HMAC, RSA, redact
from .accounts import DEMO_ACCOUNT

__all__ = ["DemoHmacKey", "DemoKeyPair", "KeyRecord", "KeyStore", "valid_key_format"]

# Binance API keys and HMAC secrets are 64 alphanumeric characters.
_KEY_LENGTH = 64
_ALPHABET = string.ascii_letters + string.digits
_KEY_FORMAT = re.compile(r"[A-Za-z0-9]{64}")
# Binance issues RSA keys of 2048 or 4096 bits; the smaller is enough for a demo.
_RSA_BITS = 2048


def _random_key() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_KEY_LENGTH))


def valid_key_format(api_key: object) -> bool:
    """True for a string shaped like a Binance API key (64 letters and digits)."""
    return isinstance(api_key, str) and _KEY_FORMAT.fullmatch(api_key) is not None


def _masked(value: object) -> str:
    return repr(redact(value))


@attrs.frozen
class DemoHmacKey:
    """An HMAC key of the exchange: give both to ``Client(api_key=..., api_secret=...)``."""

    api_key: str = attrs.field(repr=_masked)
    api_secret: str = attrs.field(repr=False)
    key_type: str = HMAC


@attrs.frozen
class DemoKeyPair:
    """An RSA or Ed25519 key of the exchange: ``Client(api_key=..., private_key=private_key_pem)``."""

    api_key: str = attrs.field(repr=_masked)
    private_key_pem: bytes = attrs.field(repr=False)
    key_type: str = ED25519


@attrs.frozen
class KeyRecord:
    """What the exchange knows of a key: its type, verification material and account."""

    api_key: str = attrs.field(repr=_masked)
    key_type: str
    account_id: str
    # HMAC: the secret bytes; RSA/Ed25519: the public key object.
    material: Any = attrs.field(repr=False)

    def verify(self, payload: str, signature: object) -> bool:
        """True when ``signature`` signs ``payload`` with this key (as Binance checks it)."""
        if not isinstance(signature, str) or not signature:
            return False
        data = payload.encode("utf-8")
        if self.key_type == HMAC:
            expected = hmac.new(self.material, data, hashlib.sha256).hexdigest()
            # Binance compares HMAC signatures case-insensitively.
            return hmac.compare_digest(expected, signature.lower())
        try:
            raw = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            return False
        from cryptography.exceptions import InvalidSignature

        try:
            if self.key_type == RSA:
                from cryptography.hazmat.primitives import hashes
                from cryptography.hazmat.primitives.asymmetric import padding

                self.material.verify(raw, data, padding.PKCS1v15(), hashes.SHA256())
            else:
                self.material.verify(raw, data)
        except InvalidSignature:
            return False
        return True


def _pem(private_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    pem: bytes = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem


class KeyStore:
    """API keys and the accounts they act for. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, KeyRecord] = {}
        self._hmac: DemoHmacKey | None = None
        self._ed25519: DemoKeyPair | None = None
        self._rsa: DemoKeyPair | None = None
        self._rsa_api_key: str | None = None
        self._rsa_account: str | None = None
        self._revoked: set[str] = set()

    @classmethod
    def demo(cls, account_id: str) -> KeyStore:
        """A store with one HMAC, one Ed25519 and one RSA key for ``account_id``."""
        from cryptography.hazmat.primitives.asymmetric import ed25519

        store = cls()
        hmac_key = DemoHmacKey(_random_key(), _random_key())
        store.add_hmac(hmac_key.api_key, hmac_key.api_secret, account_id)
        store._hmac = hmac_key
        private = ed25519.Ed25519PrivateKey.generate()
        ed_key = DemoKeyPair(_random_key(), _pem(private), ED25519)
        store.add_public_key(ed_key.api_key, private.public_key(), account_id)
        store._ed25519 = ed_key
        store._rsa_api_key = _random_key()
        store._rsa_account = account_id
        return store

    def __repr__(self) -> str:
        return f"<KeyStore keys={len(self._records)}>"

    # -- the demo keys ---------------------------------------------------------------------

    @property
    def hmac(self) -> DemoHmacKey:
        """The demo HMAC key (``api_key``, ``api_secret``)."""
        if self._hmac is None:
            raise LookupError("this key store has no demo keys (use KeyStore.demo)")
        return self._hmac

    @property
    def ed25519(self) -> DemoKeyPair:
        """The demo Ed25519 key (``api_key``, ``private_key_pem``); the one session.logon accepts."""
        if self._ed25519 is None:
            raise LookupError("this key store has no demo keys (use KeyStore.demo)")
        return self._ed25519

    @property
    def rsa(self) -> DemoKeyPair:
        """The demo RSA key (``api_key``, ``private_key_pem``), 2048 bit, made on first use."""
        with self._lock:
            if self._rsa is None:
                self._rsa = self._make_rsa()
            return self._rsa

    def _make_rsa(self) -> DemoKeyPair:
        # Called with the lock held.
        if self._rsa_api_key is None or self._rsa_account is None:
            raise LookupError("this key store has no demo keys (use KeyStore.demo)")
        from cryptography.hazmat.primitives.asymmetric import rsa

        private = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
        self._records[self._rsa_api_key] = KeyRecord(
            self._rsa_api_key, RSA, self._rsa_account, private.public_key()
        )
        return DemoKeyPair(self._rsa_api_key, _pem(private), RSA)

    # -- registry --------------------------------------------------------------------------

    def add_hmac(self, api_key: str, api_secret: str, account_id: str) -> None:
        """Register an HMAC key (64 letters and digits, like Binance's) for ``account_id``."""
        self._check_format(api_key)
        with self._lock:
            self._records[api_key] = KeyRecord(api_key, HMAC, account_id, api_secret.encode("utf-8"))
            self._revoked.discard(api_key)

    def add_public_key(self, api_key: str, public_key: Any, account_id: str) -> None:
        """Register an RSA or Ed25519 key by its public key (object, or PEM bytes/text)."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

        self._check_format(api_key)
        if isinstance(public_key, (bytes, str)):
            data = public_key.encode("ascii") if isinstance(public_key, str) else public_key
            public_key = serialization.load_pem_public_key(data)
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            key_type = ED25519
        elif isinstance(public_key, rsa.RSAPublicKey):
            key_type = RSA
        else:
            raise ValueError(f"expected an RSA or Ed25519 public key, got {type(public_key).__name__}")
        with self._lock:
            self._records[api_key] = KeyRecord(api_key, key_type, account_id, public_key)
            self._revoked.discard(api_key)

    def revoke(self, api_key: str) -> None:
        """Make ``api_key`` invalid from now on (as if deleted on Binance)."""
        with self._lock:
            self._records.pop(api_key, None)
            self._revoked.add(api_key)

    def lookup(self, api_key: str) -> KeyRecord | None:
        """The record of ``api_key``, or None when the exchange does not know it."""
        if api_key in self._revoked:
            return None
        record = self._records.get(api_key)
        if record is None and api_key == self._rsa_api_key:
            self.rsa  # noqa: B018 - makes the lazily generated pair and registers it
            record = self._records.get(api_key)
        return record

    def account_of(self, api_key: str | None) -> str:
        """The account ``api_key`` acts for: the demo account for None and for unknown keys.

        Example::

            >>> store = KeyStore.demo("alice")
            >>> store.account_of(store.hmac.api_key), store.account_of(None)
            ('alice', 'demo')
        """
        if api_key is not None:
            record = self.lookup(api_key)
            if record is not None:
                return record.account_id
        return DEMO_ACCOUNT

    @staticmethod
    def _check_format(api_key: str) -> None:
        if not valid_key_format(api_key):
            raise ValueError("an API key is 64 letters and digits, as Binance issues them")
