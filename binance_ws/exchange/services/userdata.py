"""User Data Stream of the local exchange: subscriptions and event delivery.

A subscription ties one account to one connection. ``userDataStream.subscribe`` subscribes
the account of the session's logon key (and ``session.logout`` ends it);
``userDataStream.subscribe.signature`` subscribes the account of the request's own signed
key, on any connection. Ids count up from 0 per connection; a connection may hold 1,000
active subscriptions and create 65,535 over its life.

:meth:`UserDataHub.publish` is how the engine reports an event: it wraps the event as
``{"subscriptionId": n, "event": {...}}`` and sends it to every subscription of that account
on every connection. Deliveries are serialized by one lock, so each connection receives the
events in the order they were published.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from ... import _json
from ..model.clock import Clock, now_ms
from ..model.errors import bad_request
from .session import Subscription

if TYPE_CHECKING:
    from .session import Session

logger = logging.getLogger(__name__)

__all__ = ["Subscription", "UserDataHub"]

# Binance's per-connection limits (user-data-stream requests, "Limits").
MAX_ACTIVE_SUBSCRIPTIONS = 1000
MAX_LIFETIME_SUBSCRIPTIONS = 65535


class UserDataHub:
    """Every active subscription of the exchange, by account.

    ``max_active`` and ``max_lifetime`` are Binance's per-connection limits; tests may lower them.
    """

    def __init__(self, clock: Clock = now_ms) -> None:
        self.clock = clock
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

    def publish(self, account_id: str, event: dict[str, Any]) -> None:
        """Deliver one user-data event to every subscription of ``account_id``, in publish order.

        ``event`` is the inner object (``{"e": "executionReport", "E": ..., ...}``); ``Decimal``
        values are sent as plain-digit strings. The engine's ``publish`` callback.
        """
        with self._deliver_lock:
            for session, sid in self.targets(account_id):
                session.send(_frame(sid, event))

    def send_each(
        self, sessions: list[Session], tag: str | None, subscription_id: int | None, event: dict[str, object]
    ) -> int:
        """Send ``event`` as is to every matching subscription, in order with published events."""
        sent = 0
        with self._deliver_lock:
            for session in sessions:
                if tag is not None and session.tag != tag:
                    continue
                for sid in sorted(session.subscriptions):
                    if subscription_id is None or sid == subscription_id:
                        session.send(_json.dumps({"subscriptionId": sid, "event": event}))
                        sent += 1
        return sent

    def terminate(self, session: Session, closed: list[Subscription]) -> None:
        """Send ``eventStreamTerminated`` for each closed subscription, as Binance does."""
        with self._deliver_lock:
            for sub in closed:
                session.send(_frame(sub.subscription_id, {"e": "eventStreamTerminated", "E": self.clock()}))

    def end_logon_subscription(self, session: Session) -> None:
        """End the subscription made by ``userDataStream.subscribe`` (``session.logout`` calls it).

        Subscriptions made with ``userDataStream.subscribe.signature`` stay open.
        """
        ids = [sid for sid, sub in session.subscriptions.items() if sub.via_logon]
        self.terminate(session, self.remove(session, ids))

    def forget_logon(self, session: Session) -> None:
        """Log the connection out (session.logout, or its key was revoked)."""
        session.api_key = None
        session.authorized_since = None
        self.end_logon_subscription(session)


def _frame(subscription_id: int, event: dict[str, Any]) -> str:
    return _json.dumps({"subscriptionId": subscription_id, "event": event})
