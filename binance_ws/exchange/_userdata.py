"""User Data Stream of the local exchange: subscriptions and event delivery.

A subscription ties one account to one connection. ``userDataStream.subscribe`` subscribes
the account of the session's logon key (and ``session.logout`` ends it);
``userDataStream.subscribe.signature`` subscribes the account of the request's own signed
key, on any connection. Ids count up from 0 per connection; a connection may hold 1,000
active subscriptions and create 65,535 over its life.

:func:`publish` is how the engine reports an event: it wraps the event as
``{"subscriptionId": n, "event": {...}}`` and sends it to every subscription of that account
on every connection. Deliveries are serialized by one lock, so each connection receives the
events in the order they were published.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

import attrs

from .. import _json
from ._errors import ExchangeError, bad_request
from ._handlers import handles
from ._ratelimit import ms_now

if TYPE_CHECKING:
    from ._server import LocalExchange, Session

logger = logging.getLogger(__name__)

__all__ = [
    "Subscription",
    "UserDataHub",
    "end_logon_subscription",
    "has_subscriptions",
    "publish",
]

# Binance's per-connection limits (user-data-stream requests, "Limits").
MAX_ACTIVE_SUBSCRIPTIONS = 1000
MAX_LIFETIME_SUBSCRIPTIONS = 65535


@attrs.define
class Subscription:
    """One active subscription: its id on the connection and the account it follows."""

    subscription_id: int
    account_id: str
    #: Made by ``userDataStream.subscribe`` (so ``session.logout`` ends it).
    via_logon: bool


class UserDataHub:
    """Every active subscription of the exchange, by account.

    ``max_active`` and ``max_lifetime`` are Binance's per-connection limits; tests may lower them.
    """

    def __init__(self) -> None:
        self.max_active = MAX_ACTIVE_SUBSCRIPTIONS
        self.max_lifetime = MAX_LIFETIME_SUBSCRIPTIONS
        # Guards the registry and every session's subscription table.
        self._lock = threading.Lock()
        # Held while sending events: one publisher at a time keeps per-connection order.
        self._deliver_lock = threading.Lock()
        self._by_account: dict[str, list[tuple[Session, Subscription]]] = {}

    def add(self, session: Session, account_id: str, *, via_logon: bool) -> Subscription:
        """Open a subscription, or raise the error Binance gives (already active, limits)."""
        with self._lock:
            if any(s.account_id == account_id for s in session.subscriptions.values()):
                raise bad_request(-2035, "User Data Stream subscription already active.")
            if len(session.subscriptions) >= self.max_active:
                raise bad_request(
                    -1191,
                    f"Too many subscriptions. Connection may create up to '{self.max_active}'"
                    " subscriptions at a time.",
                )
            if session.subscriptions_created >= self.max_lifetime:
                raise bad_request(-2042, "Maximum subscription ID reached for this connection.")
            sub = Subscription(session.subscriptions_created, account_id, via_logon)
            session.subscriptions_created += 1
            session.subscriptions[sub.subscription_id] = sub
            self._by_account.setdefault(account_id, []).append((session, sub))
        logger.debug("subscription %d opened for account %s", sub.subscription_id, account_id)
        return sub

    def remove(self, session: Session, subscription_ids: list[int]) -> list[Subscription]:
        """Close these subscriptions of ``session``; returns the ones that were active."""
        closed: list[Subscription] = []
        with self._lock:
            for sid in subscription_ids:
                sub = session.subscriptions.pop(sid, None)
                if sub is None:
                    continue
                closed.append(sub)
                entries = self._by_account.get(sub.account_id, [])
                entries[:] = [(s, x) for s, x in entries if x is not sub]
                if not entries:
                    self._by_account.pop(sub.account_id, None)
        return closed

    def drop_session(self, session: Session) -> None:
        """Forget every subscription of a connection that has gone (no event is sent)."""
        self.remove(session, list(session.subscriptions))

    def targets(self, account_id: str) -> list[tuple[Session, int]]:
        """(connection, subscription id) for every subscription following ``account_id``."""
        with self._lock:
            return [(s, sub.subscription_id) for s, sub in self._by_account.get(account_id, [])]


def publish(ex: LocalExchange, account_id: str, event: dict[str, Any]) -> None:
    """Deliver one user-data event to every subscription of ``account_id``, in publish order.

    ``event`` is the inner object (``{"e": "executionReport", "E": ..., ...}``); ``Decimal``
    values are sent as plain-digit strings.
    """
    with ex.user_data._deliver_lock:
        for session, sid in ex.user_data.targets(account_id):
            session.send(_frame(sid, event))


def _frame(subscription_id: int, event: dict[str, Any]) -> str:
    return _json.dumps({"subscriptionId": subscription_id, "event": event})


def _terminate(ex: LocalExchange, session: Session, closed: list[Subscription]) -> None:
    """Send ``eventStreamTerminated`` for each closed subscription, as Binance does."""
    with ex.user_data._deliver_lock:
        for sub in closed:
            session.send(_frame(sub.subscription_id, {"e": "eventStreamTerminated", "E": ms_now()}))


def has_subscriptions(session: Session) -> bool:
    """``session.status.userDataStream``: True while the connection has a subscription."""
    return bool(session.subscriptions)


def end_logon_subscription(ex: LocalExchange, session: Session) -> None:
    """End the subscription made by ``userDataStream.subscribe`` (``session.logout`` calls it).

    Subscriptions made with ``userDataStream.subscribe.signature`` stay open.
    """
    ids = [sid for sid, sub in session.subscriptions.items() if sub.via_logon]
    _terminate(ex, session, ex.user_data.remove(session, ids))


def _not_logged_on() -> ExchangeError:
    # What security answers a USER_STREAM request on a connection that is not logged on.
    return bad_request(-1002, "You are not authorized to execute this request.")


@handles("userDataStream.subscribe")
def subscribe(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    if session.api_key is None:
        raise _not_logged_on()
    sub = ex.user_data.add(session, ex.account_of(session.api_key), via_logon=True)
    return {"subscriptionId": sub.subscription_id}


@handles("userDataStream.subscribe.signature")
def subscribe_signature(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    key = session.request_key
    if key is None:
        raise _not_logged_on()
    sub = ex.user_data.add(session, ex.account_of(key), via_logon=False)
    return {"subscriptionId": sub.subscription_id}


@handles("userDataStream.unsubscribe")
def unsubscribe(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
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
    _terminate(ex, session, ex.user_data.remove(session, ids))
    return {}


@handles("session.subscriptions")
def subscriptions(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return [{"subscriptionId": sid} for sid in sorted(session.subscriptions)]
