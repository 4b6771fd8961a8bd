"""Request signing: the canonical payload and the HMAC / RSA / Ed25519 signers.

The payload Binance signs is every request parameter except ``signature`` (so ``apiKey``,
``timestamp`` and ``recvWindow`` are included), sorted by name and joined as ``name=value``
with ``&``. Values are UTF-8 text and, unlike the REST API, are **not** percent-encoded: a
non-ASCII symbol is signed as it is. Value rendering:

- ``str`` as is; ``int`` in decimal digits; ``Decimal`` as plain digits (no exponent);
- ``bool`` as ``true`` / ``false`` (the JSON spelling, as Binance's own connector renders it);
- lists (and any other JSON value) as compact JSON, e.g. ``["BTCUSDT","BNBBTC"]``, the way
  Binance's connector renders array parameters; non-ASCII stays UTF-8 text, not ``\\u`` escapes.

Signatures: HMAC-SHA256 as lowercase hex; RSA (RSASSA-PKCS1-v1_5, SHA-256) and Ed25519 as
base64. RSA and Ed25519 need the ``crypto`` extra (``pip install 'binance-ws[crypto]'``).

Secrets never leave a signer: the HMAC secret lives only inside a prepared ``hmac`` object,
private keys only inside ``cryptography`` key objects, and every ``repr`` shows the key type
and a masked key id (:func:`redact`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from ._errors import InvalidParameterError

__all__ = [
    "CRYPTO_EXTRA_HINT",
    "ED25519",
    "HMAC",
    "RSA",
    "Ed25519Signer",
    "HmacSigner",
    "RsaSigner",
    "Signer",
    "canonical_payload",
    "load_private_key",
    "redact",
    "render_value",
    "signer_for_private_key",
]

#: Key types, spelled as Binance's API management page does.
HMAC = "HMAC"
RSA = "RSA"
ED25519 = "Ed25519"

CRYPTO_EXTRA_HINT = "RSA and Ed25519 keys need the 'cryptography' package: pip install 'binance-ws[crypto]'"

# Shorter values are masked completely: four characters of a short id give too much away.
_REDACT_MIN_LENGTH = 12
_REDACT_VISIBLE = 4


def redact(value: object) -> str:
    """A masked form of a key id for reprs, logs and errors: the first 4 characters and ``…``.

    >>> redact("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A")
    'vmPU…'
    >>> redact("short"), redact(None)
    ('…', 'None')
    """
    if value is None:
        return "None"
    text = str(value)
    if len(text) < _REDACT_MIN_LENGTH:
        return "…"
    return text[:_REDACT_VISIBLE] + "…"


def render_value(value: Any) -> str:
    """One parameter value as it appears in the signature payload (see the module docstring).

    >>> render_value("BTCUSDT"), render_value(5000), render_value(True), render_value(["A", "B"])
    ('BTCUSDT', '5000', 'true', '["A","B"]')
    """
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if isinstance(value, str):  # str enums and other str subclasses: their text
        return str.__str__(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(obj: object) -> Any:
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, (tuple, set, frozenset)):
        return list(obj)
    raise TypeError(f"cannot render {type(obj).__name__} in a signature payload")


def canonical_payload(params: Mapping[str, Any]) -> str:
    """The text Binance signs: every param except ``signature``, sorted, ``name=value`` joined by ``&``.

    Independent of the mapping's order; values are rendered by :func:`render_value`.

    >>> canonical_payload({"timestamp": 1, "symbol": "BTCUSDT", "apiKey": "k", "signature": "x"})
    'apiKey=k&symbol=BTCUSDT&timestamp=1'
    """
    return "&".join(
        [
            f"{name}={value if type(value) is str else render_value(value)}"
            for name, value in sorted(params.items())
            if name != "signature"
        ]
    )


@runtime_checkable
class Signer(Protocol):
    """Signs a canonical payload with one API key."""

    #: ``"HMAC"``, ``"RSA"`` or ``"Ed25519"``.
    key_type: str
    #: The API key id sent as ``apiKey`` (not secret, but masked in reprs and logs).
    api_key: str

    def sign(self, payload: str) -> str:
        """The signature of ``payload`` (UTF-8), encoded as Binance expects."""
        ...


class _SignerBase:
    key_type: str = ""

    def __init__(self, api_key: str) -> None:
        if not isinstance(api_key, str) or not api_key:
            raise InvalidParameterError("api_key", "must be a non-empty string")
        self.api_key = api_key

    def __repr__(self) -> str:
        return f"{type(self).__name__}(key_type={self.key_type!r}, api_key={redact(getattr(self, 'api_key', None))!r})"

    # A signer must not be pickled or copied into places that outlive the client by accident.
    def __reduce__(self) -> Any:
        raise TypeError(f"{type(self).__name__} holds a secret and cannot be pickled")


class HmacSigner(_SignerBase):
    """HMAC-SHA256 over the payload, lowercase hex.

    The secret is kept only inside a prepared ``hmac`` object, copied for each signature.

    >>> s = HmacSigner("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    ...                "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
    >>> s
    HmacSigner(key_type='HMAC', api_key='vmPU…')
    >>> s.sign("apiKey=x&timestamp=1")[:16]
    '01e00ecd1edc5b7f'
    """

    key_type = HMAC

    def __init__(self, api_key: str, api_secret: str | bytes) -> None:
        super().__init__(api_key)
        if isinstance(api_secret, str):
            secret = api_secret.encode("utf-8")
        elif isinstance(api_secret, (bytes, bytearray)):
            secret = bytes(api_secret)
        else:
            raise InvalidParameterError("api_secret", f"must be a str, got {type(api_secret).__name__}")
        if not secret:
            raise InvalidParameterError("api_secret", "must not be empty")
        self._mac = hmac.new(secret, digestmod=hashlib.sha256)

    def sign(self, payload: str) -> str:
        mac = self._mac.copy()
        mac.update(payload.encode("utf-8"))
        return mac.hexdigest()


class RsaSigner(_SignerBase):
    """RSASSA-PKCS1-v1_5 with SHA-256 over the payload, base64. Needs the ``crypto`` extra."""

    key_type = RSA

    def __init__(self, api_key: str, private_key: Any) -> None:
        super().__init__(api_key)
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        self._key = private_key
        self._padding = padding.PKCS1v15()
        self._hash = hashes.SHA256()

    def sign(self, payload: str) -> str:
        raw = self._key.sign(payload.encode("utf-8"), self._padding, self._hash)
        return base64.b64encode(raw).decode("ascii")


class Ed25519Signer(_SignerBase):
    """Ed25519 over the payload, base64. Needs the ``crypto`` extra."""

    key_type = ED25519

    def __init__(self, api_key: str, private_key: Any) -> None:
        super().__init__(api_key)
        self._key = private_key

    def sign(self, payload: str) -> str:
        return base64.b64encode(self._key.sign(payload.encode("utf-8"))).decode("ascii")


def _crypto() -> Any:
    """The ``cryptography`` serialization module, or an ImportError naming the extra."""
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError as exc:
        raise ImportError(CRYPTO_EXTRA_HINT) from exc
    return serialization


def _read_key_source(private_key: Any) -> bytes | None:
    """PEM/DER bytes from a path or PEM text, or None when ``private_key`` is a key object."""
    if isinstance(private_key, (bytes, bytearray, memoryview)):
        return bytes(private_key)
    if isinstance(private_key, str):
        if "-----BEGIN" in private_key:
            return private_key.encode("ascii", errors="strict") if private_key.isascii() else None
        path: str | os.PathLike[str] = private_key
    elif isinstance(private_key, os.PathLike):
        path = private_key
    else:
        return None
    # The value is never echoed: a mistyped PEM would otherwise end up in the message.
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        raise InvalidParameterError(
            "private_key", "is neither PEM text (-----BEGIN ...) nor the path of a readable key file"
        ) from None


def load_private_key(private_key: Any, password: str | bytes | None = None) -> Any:
    """A ``cryptography`` private key from a PEM path, PEM text/bytes (or DER bytes) or a key object.

    ``password`` decrypts an encrypted key. Errors never contain key material.
    """
    serialization = _crypto()
    data = _read_key_source(private_key)
    if data is None:
        if isinstance(private_key, str):
            raise InvalidParameterError("private_key", "PEM text must be ASCII")
        if password is not None:
            raise InvalidParameterError(
                "private_key_password", "is only used when private_key is PEM text, bytes or a path"
            )
        return private_key
    secret = password.encode("utf-8") if isinstance(password, str) else password
    loader = (
        serialization.load_pem_private_key
        if data.lstrip().startswith(b"-----BEGIN")
        else serialization.load_der_private_key
    )
    try:
        return loader(data, password=secret)
    except TypeError:
        # cryptography's own wording: key encrypted but no password, or a password for a plain key.
        if secret is None:
            raise InvalidParameterError(
                "private_key_password", "the private key is encrypted: pass private_key_password="
            ) from None
        raise InvalidParameterError(
            "private_key_password", "the private key is not encrypted: leave private_key_password out"
        ) from None
    except ValueError:
        if secret is not None:
            raise InvalidParameterError(
                "private_key_password", "could not decrypt the private key (wrong password?)"
            ) from None
        raise InvalidParameterError(
            "private_key", "could not be read as a PEM or DER private key (RSA or Ed25519)"
        ) from None
    except Exception:  # e.g. UnsupportedAlgorithm
        raise InvalidParameterError(
            "private_key", "is not a supported private key (RSA or Ed25519)"
        ) from None


def signer_for_private_key(api_key: str, private_key: Any, password: str | bytes | None = None) -> Signer:
    """An :class:`RsaSigner` or :class:`Ed25519Signer` for the key, by its type."""
    key = load_private_key(private_key, password)
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    if isinstance(key, ed25519.Ed25519PrivateKey):
        return Ed25519Signer(api_key, key)
    if isinstance(key, rsa.RSAPrivateKey):
        return RsaSigner(api_key, key)
    raise InvalidParameterError(
        "private_key", f"Binance accepts RSA and Ed25519 keys; got {type(key).__name__}"
    )
