"""User Data Stream handlers: ``userDataStream.subscribe[.signature]``, ``unsubscribe``,
``session.subscriptions``.

``userDataStream.subscribe`` subscribes the account of the session's logon key;
``userDataStream.subscribe.signature`` the account of the request's own signed key, on any
connection. The hub (:class:`~binance_ws.exchange.services.userdata.UserDataHub`) keeps the
subscriptions and delivers the events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model.errors import ExchangeError, bad_request
from .table import Table

if TYPE_CHECKING:
    from ..services.session import Session
    from ..services.venue import Venue

__all__ = ["TABLE"]

TABLE = Table()


def _not_logged_on() -> ExchangeError:
    # What security answers a USER_STREAM request on a connection that is not logged on.
    return bad_request(-1002, "You are not authorized to execute this request.")


@TABLE.handles("userDataStream.subscribe")
def subscribe(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    if session.api_key is None:
        raise _not_logged_on()
    sub = venue.user_data.add(session, venue.keys.account_of(session.api_key), via_logon=True)
    return {"subscriptionId": sub.subscription_id}


@TABLE.handles("userDataStream.subscribe.signature")
def subscribe_signature(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    key = session.request_key
    if key is None:
        raise _not_logged_on()
    sub = venue.user_data.add(session, venue.keys.account_of(key), via_logon=False)
    return {"subscriptionId": sub.subscription_id}


@TABLE.handles("userDataStream.unsubscribe")
def unsubscribe(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    if "subscriptionId" in params:
        sid = params["subscriptionId"]
        if isinstance(sid, bool) or not isinstance(sid, int):
            raise bad_request(
                -1100, "Illegal characters found in parameter 'subscriptionId'; legal range is '0-65535'."
            )
        if sid not in session.subscriptions:
            raise bad_request(-2036, "User Data Stream subscription not active.")
        ids = [sid]
    else:
        ids = list(session.subscriptions)
    venue.user_data.terminate(session, venue.user_data.remove(session, ids))
    return {}


@TABLE.handles("session.subscriptions")
def subscriptions(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return [{"subscriptionId": sid} for sid in sorted(session.subscriptions)]
