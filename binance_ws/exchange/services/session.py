"""Per-connection state of the local exchange: the logon key, URL options, subscriptions.

A :class:`Session` wraps whatever sends frames to one client (a websockets connection on
the server; anything with ``send`` and ``remote_address`` in a test), so the request
pipeline and the handlers run without sockets.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from ..model.clock import now_ms

if TYPE_CHECKING:
    from ..model.errors import ExchangeError
    from ..model.keys import KeyStore

try:
    from websockets.exceptions import ConnectionClosed
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "binance_ws.exchange needs the 'websockets' package: pip install 'binance-ws[exchange]'"
    ) from exc

__all__ = ["Connection", "Session", "Subscription", "account_id_for"]

logger = logging.getLogger(__name__)


class Connection(Protocol):
    """What a session needs of its connection (a websockets ``ServerConnection`` has it)."""

    @property
    def remote_address(self) -> Any: ...

    def send(self, message: str | bytes) -> None: ...


@attrs.define
class Subscription:
    """One active subscription: its id on the connection and the account it follows."""

    subscription_id: int
    account_id: str
    #: Made by ``userDataStream.subscribe`` (so ``session.logout`` ends it).
    via_logon: bool


class Session:
    """Per-connection state: the logon key, options from the URL, subscriptions."""

    def __init__(self, conn: Connection, *, return_rate_limits: bool = True, tag: str | None = None) -> None:
        self.conn = conn
        #: The ``?tag=`` of the connection URL (faults aimed at it go to this connection only).
        self.tag = tag
        #: The client's IP (request weight and connection limits count per IP).
        self.ip: str = _peer_ip(conn)
        self.connected_since = now_ms()
        #: The API key of session.logon, or None.
        self.api_key: str | None = None
        #: When session.logon succeeded (epoch ms), or None.
        self.authorized_since: int | None = None
        #: The key the request being handled acts for (set by security before the handler).
        self.request_key: str | None = None
        #: The ORDERS-limit refusal of the request being handled, when the method itself
        #: decides what to do about it (order.cancelReplace with CANCEL_ONLY).
        self.order_refusal: ExchangeError | None = None
        #: Whether answers carry ``rateLimits`` unless a request says otherwise
        #: (``?returnRateLimits=false`` on the connection URL turns it off).
        self.return_rate_limits = return_rate_limits
        #: Active User Data Stream subscriptions by id (changed only by the UserDataHub).
        self.subscriptions: dict[int, Subscription] = {}
        #: Subscriptions made over the connection's life (the next id).
        self.subscriptions_created = 0

    def send(self, text: str | bytes) -> None:
        try:
            self.conn.send(text)
        except ConnectionClosed:
            logger.debug("frame dropped: the connection is closed")

    def __repr__(self) -> str:
        return f"<Session {self.ip} since={self.connected_since} subscriptions={len(self.subscriptions)}>"


def _peer_ip(conn: Connection) -> str:
    try:
        address = conn.remote_address
    except OSError:
        return "unknown"
    return str(address[0]) if isinstance(address, tuple) and address else "unknown"


def account_id_for(keys: KeyStore, session: Session) -> str:
    """The account the request being handled acts for: its API key's account.

    Public requests, and keys the key store does not know, act for the demo account.
    """
    return keys.account_of(session.request_key or session.api_key)
