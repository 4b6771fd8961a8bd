"""Credentials, request timing and transport safety for signed requests.

Credentials come from the :class:`~binance_ws.Client` arguments or, when none of
``api_key`` / ``api_secret`` / ``private_key`` is given, from these environment variables
(so a notebook never has to contain a secret):

================================  ==========================================================
``BINANCE_API_KEY``               the API key id
``BINANCE_API_SECRET``            the HMAC secret (HMAC keys)
``BINANCE_PRIVATE_KEY``           RSA or Ed25519 private key: a PEM file path or the PEM text
``BINANCE_PRIVATE_KEY_PASSWORD``  the password of an encrypted private key, if any
================================  ==========================================================

Explicit arguments and environment variables are never mixed: one incomplete source is an
error rather than a silent combination of two.

Timing: a signed request carries ``timestamp`` = local time + the client's time offset (ms).
The offset is 0 unless measured (``Client(..., sync_time=True)`` or
:meth:`~binance_ws.Client.sync_clock`) from the server's ``time`` method: the server time is
compared with the midpoint of the round trip, keeping the sample with the shortest round
trip. ``recv_window`` (ms, at most 60000, up to three decimals) may be set per client and
per call; with decimals, ``timestamp`` is sent in microseconds so the precision means
something.
"""

from __future__ import annotations

import decimal
import ipaddress
import os
import time
import urllib.parse
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ._errors import InsecureTransportError, InvalidParameterError
from ._signing import HmacSigner, Secret, Signer, signer_for_private_key

__all__ = [
    "ENV_API_KEY",
    "ENV_API_SECRET",
    "ENV_PRIVATE_KEY",
    "ENV_PRIVATE_KEY_PASSWORD",
    "MAX_RECV_WINDOW",
    "check_transport",
    "is_loopback",
    "is_microsecond_window",
    "measure_offset",
    "missing_credentials_hint",
    "resolve_signer",
    "validate_recv_window",
]

ENV_API_KEY = "BINANCE_API_KEY"
ENV_API_SECRET = "BINANCE_API_SECRET"
ENV_PRIVATE_KEY = "BINANCE_PRIVATE_KEY"
ENV_PRIVATE_KEY_PASSWORD = "BINANCE_PRIVATE_KEY_PASSWORD"

#: Binance refuses a larger recvWindow (-1102).
MAX_RECV_WINDOW = 60000
# Three samples: enough to skip one slow round trip, cheap (weight 1 each).
_SYNC_SAMPLES = 3


def missing_credentials_hint() -> str:
    return (
        "pass api_key= with api_secret= (HMAC) or private_key= (RSA/Ed25519) to Client(), "
        f"or set {ENV_API_KEY} with {ENV_API_SECRET} or {ENV_PRIVATE_KEY}"
    )


def resolve_signer(
    api_key: str | None,
    api_secret: str | bytes | Secret | None,
    private_key: Any,
    private_key_password: str | bytes | Secret | None,
    *,
    from_env: bool = True,
    environ: Mapping[str, str] | None = None,
) -> Signer | None:
    """The signer for the given credentials (or the environment's), or None without any.

    The secrets may come as :class:`Secret` holders (as :class:`~binance_ws.Client` passes
    them); raw values are wrapped before anything can raise, so no frame of a traceback
    holds them (nor ``os.environ``, whose repr would show every variable).
    """
    secret, key, password = (
        Secret.wrap(api_secret),
        Secret.wrap(private_key),
        Secret.wrap(private_key_password),
    )
    del api_secret, private_key, private_key_password
    if api_key is None and secret is None and key is None:
        if password is not None:
            raise InvalidParameterError("private_key_password", "is given without private_key")
        if not from_env:
            return None
        found = _from_env(os.environ if environ is None else environ)
        del environ
        if found is None:
            return None
        return _build(*found, source="environment")
    return _build(api_key, secret, key, password, source="arguments")


def _from_env(
    env: Mapping[str, str],
) -> tuple[str | None, Secret | None, Secret | None, Secret | None] | None:
    # Returns (never raises): this frame holds the raw environment values.
    api_key = env.get(ENV_API_KEY) or None
    secret = env.get(ENV_API_SECRET) or None
    private_key = env.get(ENV_PRIVATE_KEY) or None
    if private_key is not None and "-----BEGIN" in private_key and "\n" not in private_key:
        # .env files often hold a PEM on one line with literal \n sequences.
        private_key = private_key.replace("\\n", "\n")
    password = env.get(ENV_PRIVATE_KEY_PASSWORD) or None
    if api_key is None and secret is None and private_key is None:
        return None
    return api_key, Secret.wrap(secret), Secret.wrap(private_key), Secret.wrap(password)


def _build(
    api_key: str | None,
    api_secret: Secret | None,
    private_key: Secret | None,
    password: Secret | None,
    *,
    source: str,
) -> Signer:
    names = (
        (ENV_API_KEY, ENV_API_SECRET, ENV_PRIVATE_KEY, ENV_PRIVATE_KEY_PASSWORD)
        if source == "environment"
        else ("api_key", "api_secret", "private_key", "private_key_password")
    )
    if api_key is None:
        raise InvalidParameterError(
            names[0], f"is missing: the {source} give a secret or private key but no API key"
        )
    if api_secret is not None and private_key is not None:
        raise InvalidParameterError(
            names[2], f"give either {names[1]} (HMAC) or {names[2]} (RSA/Ed25519), not both"
        )
    if api_secret is not None:
        if password is not None:
            raise InvalidParameterError(names[3], f"is only used with {names[2]}")
        return HmacSigner(api_key, api_secret)
    if private_key is None:
        raise InvalidParameterError(
            names[1], f"{names[0]} needs {names[1]} (HMAC) or {names[2]} (RSA/Ed25519)"
        )
    return signer_for_private_key(api_key, private_key, password)


def validate_recv_window(value: Any, name: str = "recv_window") -> int | str:
    """``value`` as sent on the wire (int, or a decimal string with up to three decimals).

    >>> validate_recv_window(5000), validate_recv_window("1500.5"), validate_recv_window(Decimal("100"))
    (5000, '1500.5', '100')
    """
    if isinstance(value, (float, bool)):
        raise InvalidParameterError(
            name, f"expected an int, a Decimal or a decimal string of milliseconds, got {value!r}"
        )
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, (str, Decimal)):
        try:
            number = Decimal(value)
        except decimal.InvalidOperation:
            raise InvalidParameterError(name, f"{value!r} is not a number of milliseconds") from None
    else:
        raise InvalidParameterError(name, f"expected int, Decimal or str, got {type(value).__name__}")
    if not number.is_finite() or number <= 0 or number > MAX_RECV_WINDOW:
        raise InvalidParameterError(name, f"must be above 0 and at most {MAX_RECV_WINDOW} ms, got {value}")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -3:
        raise InvalidParameterError(name, f"takes at most three decimals (microseconds), got {value}")
    if isinstance(value, int):
        return value
    return value if isinstance(value, str) else format(number, "f")


def is_microsecond_window(wire_value: object) -> bool:
    """True when a recvWindow carries decimals, so the timestamp goes out in microseconds."""
    return isinstance(wire_value, str) and "." in wire_value


def measure_offset(server_time_ms: Callable[[], int], samples: int = _SYNC_SAMPLES) -> int:
    """Server clock minus local clock, in ms, from the round trip with the shortest duration.

    ``server_time_ms`` asks the server for its time (one round trip per call).
    """
    best: tuple[float, float] | None = None
    for _ in range(samples):
        sent = time.time()
        server = server_time_ms()
        received = time.time()
        rtt = received - sent
        offset = server - (sent + received) * 500.0  # server time minus the midpoint, ms
        if best is None or rtt < best[0]:
            best = (rtt, offset)
    assert best is not None  # samples >= 1
    return round(best[1])


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a URL's hostname) names this machine: localhost or a loopback address.

    >>> is_loopback("127.0.0.1"), is_loopback("[::1]"), is_loopback("api.localhost"), is_loopback("10.0.0.1")
    (True, True, True, False)
    """
    low = host.lower()
    if low == "localhost" or low.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(low.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport(url: str, signer: Signer | None, proxy: str | None = None) -> None:
    """Refuse keys over unencrypted ``ws://`` unless the bytes stay on this machine (no I/O).

    ``proxy``: the proxy the connection goes through (see ``resolve_proxy``); a ``ws://``
    connection through a proxy elsewhere carries the keys in clear text to it.
    """
    if signer is None or not url.startswith("ws://"):
        return
    host = urllib.parse.urlsplit(url).hostname or ""
    if not is_loopback(host):
        raise InsecureTransportError(
            f"refusing to send API keys over unencrypted ws:// to {host!r}; use a wss:// URL "
            "(ws:// is allowed only for loopback hosts such as 127.0.0.1 and localhost)"
        )
    if proxy is not None:
        proxy_host = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy).hostname or ""
        del proxy  # its password stays out of a traceback's recorded locals
        if not is_loopback(proxy_host):
            raise InsecureTransportError(
                f"refusing to send API keys over unencrypted ws:// through the proxy {proxy_host!r}; "
                "connect to loopback without a proxy, or use a wss:// URL"
            )
