"""Request security of the local exchange: API keys, signatures, timestamps, sessions.

``authenticate`` runs before every handler. It returns the API key the request acts for
(the session's key, or None, for public methods) or raises :class:`ExchangeError` as
Binance would:

- NONE: public, nothing checked.
- TRADE / USER_DATA / USER_STREAM with ``signed``: an ``apiKey`` of the right format
  (-2014) that the exchange knows (-2015), a ``timestamp`` inside ``recvWindow`` and at most
  1000 ms ahead (-1021; ``recvWindow`` at most 60000, else -1102) and a valid ``signature``
  over the sorted parameters (-1022). A connection logged on with ``session.logon`` may
  leave out ``apiKey`` and ``signature`` (``timestamp`` stays mandatory); a request that
  carries its own ``apiKey`` + ``signature`` is checked with those instead. If the session
  key was revoked, the request gets 401 / -2015 and the session is logged out.
- ``userDataStream.subscribe`` (USER_STREAM, not signed): needs a logged-on connection.

Timestamps may be milliseconds or microseconds (told apart by size, as Binance accepts both).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..._signing import canonical_payload
from ..._spec import MethodSpec
from ...enums import SecurityType
from ..model import errors as _errors
from ..model.clock import now_ms
from ..model.errors import ExchangeError
from ..model.keys import KeyRecord, KeyStore, valid_key_format

if TYPE_CHECKING:
    from .session import Session
    from .userdata import UserDataHub

__all__ = ["authenticate"]

# Binance's limits: recvWindow defaults to 5000 ms and may not exceed 60000 ms; a timestamp
# may be at most 1000 ms ahead of the server's clock.
DEFAULT_RECV_WINDOW = Decimal(5000)
MAX_RECV_WINDOW = Decimal(60000)
MAX_AHEAD_MS = 1000
# Epoch times above this are microseconds.
_MICROSECOND_TIMES = 10**14


def _invalid_key_format() -> ExchangeError:
    return _errors.bad_request(-2014, "API-key format invalid.")


def _rejected_key(status: int = 400) -> ExchangeError:
    return ExchangeError(status, -2015, "Invalid API-key, IP, or permissions for action.")


def _bad_signature() -> ExchangeError:
    return _errors.bad_request(-1022, "Signature for this request is not valid.")


def _not_authorized() -> ExchangeError:
    return _errors.bad_request(-1002, "You are not authorized to execute this request.")


def authenticate(
    keys: KeyStore, user_data: UserDataHub, session: Session, spec: MethodSpec, params: dict[str, Any]
) -> str | None:
    """The API key the request acts for; raises ExchangeError when Binance would refuse it.

    ``user_data`` ends the logon subscription of a session whose key was revoked.
    """
    if spec.security is SecurityType.NONE:
        return session.api_key
    if not spec.signed:
        # userDataStream.subscribe: the connection must be logged on.
        if session.api_key is None:
            raise _not_authorized()
        _session_record(keys, user_data, session)
        return session.api_key
    explicit = "apiKey" in params or "signature" in params
    if not explicit and session.api_key is not None and spec.wire != "session.logon":
        record = _session_record(keys, user_data, session)
        _check_time(params)
        return record.api_key
    api_key = params.get("apiKey")
    if api_key is None:
        raise _errors.mandatory_missing("apiKey")
    if not valid_key_format(api_key):
        raise _invalid_key_format()
    signer = keys.lookup(api_key)
    if signer is None:
        raise _rejected_key()
    if "signature" not in params:
        raise _errors.mandatory_missing("signature")
    _check_time(params)
    if not signer.verify(canonical_payload(params), params["signature"]):
        raise _bad_signature()
    return signer.api_key


def _session_record(keys: KeyStore, user_data: UserDataHub, session: Session) -> KeyRecord:
    """The logged-on key's record; a revoked key ends the session with 401 / -2015."""
    assert session.api_key is not None
    record = keys.lookup(session.api_key)
    if record is None:
        user_data.forget_logon(session)
        raise _rejected_key(401)
    return record


def _check_time(params: dict[str, Any]) -> None:
    timestamp = params.get("timestamp")
    if timestamp is None:
        raise _errors.mandatory_missing("timestamp")
    if isinstance(timestamp, str) and timestamp.isdigit():
        timestamp = int(timestamp)
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp <= 0:
        raise _errors.malformed("timestamp")
    window = _recv_window(params)
    now = Decimal(now_ms())
    stamp = Decimal(timestamp)
    if timestamp > _MICROSECOND_TIMES:
        stamp /= 1000
    if stamp >= now + MAX_AHEAD_MS:
        raise _errors.bad_request(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if now - stamp > window:
        raise _errors.bad_request(-1021, "Timestamp for this request is outside of the recvWindow.")


def _recv_window(params: dict[str, Any]) -> Decimal:
    raw = params.get("recvWindow")
    if raw is None:
        return DEFAULT_RECV_WINDOW
    if isinstance(raw, bool) or not isinstance(raw, (int, str, Decimal)):
        raise _errors.malformed("recvWindow")
    try:
        window = Decimal(raw)
    except InvalidOperation:
        raise _errors.malformed("recvWindow") from None
    if not window.is_finite() or window <= 0:
        raise _errors.malformed("recvWindow")
    if window > MAX_RECV_WINDOW:
        raise _errors.bad_request(
            -1102, f"'recvWindow' contains unexpected value. Cannot be greater than {MAX_RECV_WINDOW}."
        )
    return window
