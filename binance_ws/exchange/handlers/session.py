"""Session authentication handlers of the local exchange: ``session.logon/status/logout``.

``session.logon`` has already passed :func:`~binance_ws.exchange.services.security.authenticate` (key, timestamp and
signature) when its handler runs; the handler then accepts only Ed25519 keys, as Binance
does. Binance answers other key types with -1022 (it verifies the logon signature as an
Ed25519 one), and so does this exchange. Logging on again replaces the session key;
logging out forgets it and ends the ``userDataStream.subscribe`` subscription.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._signing import ED25519
from ..model import errors as _errors
from ..model.clock import now_ms
from .table import Table

if TYPE_CHECKING:
    from ..services.session import Session
    from ..services.venue import Venue

__all__ = ["TABLE"]

TABLE = Table()


def _status(session: Session) -> dict[str, Any]:
    return {
        "apiKey": session.api_key,
        "authorizedSince": session.authorized_since if session.api_key is not None else None,
        "connectedSince": session.connected_since,
        "returnRateLimits": session.return_rate_limits,
        "serverTime": now_ms(),
        "userDataStream": bool(session.subscriptions),
    }


@TABLE.handles("session.logon")
def session_logon(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    key = session.request_key
    record = venue.keys.lookup(key) if key is not None else None
    if record is None or record.key_type != ED25519:
        raise _errors.bad_request(-1022, "Signature for this request is not valid.")
    if session.api_key is not None and session.api_key != record.api_key:
        # A new key replaces the old one, and with it the old key's logon subscription.
        venue.user_data.end_logon_subscription(session)
    session.api_key = record.api_key
    session.authorized_since = now_ms()
    return _status(session)


@TABLE.handles("session.status")
def session_status(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return _status(session)


@TABLE.handles("session.logout")
def session_logout(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    venue.user_data.forget_logon(session)
    return _status(session)
