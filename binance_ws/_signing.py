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
and a masked key id (:func:`redact`). On their way there they travel in :class:`Secret`
holders, and no frame that can raise keeps the raw text (secret, PEM, password) in a plain
local: error reporters that record a traceback's locals (Sentry, ``pytest --showlocals``,
``traceback.TracebackException(capture_locals=True)``) show only masked holders. A
signature goes out as a :class:`MaskedText`, whose repr hides it.
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
    "MaskedBytes",
    "MaskedText",
    "RsaSigner",
    "Secret",
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


class Secret:
    """Holds secret material (an HMAC secret, a PEM, a password); no repr or str shows it.

    >>> Secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
    Secret('…')
    >>> Secret.wrap(None) is None, Secret.wrap(Secret("x")).reveal()
    (True, 'x')
    """

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    @classmethod
    def wrap(cls, value: Any) -> Secret | None:
        """``value`` in a holder (None stays None, a holder stays as it is)."""
        if value is None or isinstance(value, Secret):
            return value
        return cls(value)

    def reveal(self) -> Any:
        return self._value

    def __repr__(self) -> str:
        return "Secret('…')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


class MaskedText(str):
    """A str whose repr is masked: a signature in a params dict, a log or a traceback.

    Its value (``str(text)``, JSON encoding, comparisons) is the real text.

    >>> sig = MaskedText("0123456789abcdef")
    >>> sig, {"signature": sig}, sig == "0123456789abcdef"
    ('…', {'signature': '…'}, True)
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "'…'"


class MaskedBytes(bytes):
    """Bytes whose repr is masked: an encoded request that carries a signature.

    >>> MaskedBytes(b'{"signature":"0123"}'), len(MaskedBytes(b"abc"))
    (b'…', 3)
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "b'…'"


def _reveal(value: Any) -> Any:
    return value.reveal() if isinstance(value, Secret) else value


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

    def __init__(self, api_key: str, api_secret: str | bytes | Secret) -> None:
        super().__init__(api_key)
        mac, problem = _prepared_mac(api_secret)
        if mac is None:
            raise InvalidParameterError("api_secret", problem)
        self._mac = mac

    def sign(self, payload: str) -> str:
        mac = self._mac.copy()
        mac.update(payload.encode("utf-8"))
        return mac.hexdigest()


def _prepared_mac(api_secret: Any) -> tuple[hmac.HMAC | None, str]:
    """The ``hmac`` object for a secret, or (None, what is wrong); never raises.

    Returning instead of raising means no traceback keeps this frame and its raw locals.
    """
    value = _reveal(api_secret)
    if isinstance(value, (bytes, bytearray)):
        secret = bytes(value)
    elif not isinstance(value, str):
        return None, f"must be a str, got {type(value).__name__}"
    else:
        secret = value.encode("utf-8", "surrogatepass")  # never raises with the secret inside
    if not secret:
        return None, "must not be empty"
    return hmac.new(secret, digestmod=hashlib.sha256), ""


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


def _read_key_source(private_key: Any) -> tuple[bytes | None, str]:
    """PEM/DER bytes from a path or PEM text, (None, "") for a key object, or (None, problem)."""
    if isinstance(private_key, (bytes, bytearray, memoryview)):
        return bytes(private_key), ""
    if isinstance(private_key, str):
        if "-----BEGIN" in private_key:
            if not private_key.isascii():
                return None, "PEM text must be ASCII"
            return private_key.encode("ascii"), ""
        path: str | os.PathLike[str] = private_key
    elif isinstance(private_key, os.PathLike):
        path = private_key
    else:
        return None, ""
    # The value is never echoed: a mistyped PEM would otherwise end up in the message.
    try:
        with open(path, "rb") as fh:
            return fh.read(), ""
    except (OSError, ValueError):
        return None, "is neither PEM text (-----BEGIN ...) nor the path of a readable key file"


def _parse_key(private_key: Any, password: Any) -> tuple[Any, str, str]:
    """(key, "", "") or (None, parameter, problem); never raises with key material in a local.

    Every raw value (PEM bytes, password) lives only in this frame, which returns instead of
    raising, so no traceback keeps it; cryptography's own exception is dropped with it.
    """
    serialization = _crypto()
    data, problem = _read_key_source(_reveal(private_key))
    if data is None:
        if problem:
            return None, "private_key", problem
        if password is not None:
            return None, "private_key_password", "is only used when private_key is PEM text, bytes or a path"
        return _reveal(private_key), "", ""
    secret = _reveal(password)
    if isinstance(secret, str):
        secret = secret.encode("utf-8", "surrogatepass")
    loader = (
        serialization.load_pem_private_key
        if data.lstrip().startswith(b"-----BEGIN")
        else serialization.load_der_private_key
    )
    try:
        return loader(data, password=secret), "", ""
    except TypeError:
        # cryptography's own wording: key encrypted but no password, or a password for a plain key.
        if secret is None:
            return None, "private_key_password", "the private key is encrypted: pass private_key_password="
        return (
            None,
            "private_key_password",
            "the private key is not encrypted: leave private_key_password out",
        )
    except ValueError:
        if secret is not None:
            return None, "private_key_password", "could not decrypt the private key (wrong password?)"
        return None, "private_key", "could not be read as a PEM or DER private key (RSA or Ed25519)"
    except Exception:  # e.g. UnsupportedAlgorithm
        return None, "private_key", "is not a supported private key (RSA or Ed25519)"


def load_private_key(private_key: Any, password: str | bytes | Secret | None = None) -> Any:
    """A ``cryptography`` private key from a PEM path, PEM text/bytes (or DER bytes) or a key object.

    ``password`` decrypts an encrypted key. Either may be a :class:`Secret`. Errors never
    contain key material, and neither do the locals of the frames they pass through.
    """
    key, param, problem = _parse_key(private_key, password)
    if param:
        raise InvalidParameterError(param, problem)
    return key


def signer_for_private_key(
    api_key: str, private_key: Any, password: str | bytes | Secret | None = None
) -> Signer:
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
