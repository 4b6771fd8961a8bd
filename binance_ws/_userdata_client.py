"""The client's side of the User Data Stream: routing event frames, and ``Client.user_data()``.

:class:`UserDataRouter` runs on the reader threads: it hands each ``{"subscriptionId",
"event"}`` frame to the stream subscribed as that id on that connection, and tells the
streams when a connection ends. :class:`UserDataMixin` gives :class:`~binance_ws.Client`
its ``user_data()`` and ``account_tracker()``.
"""

from __future__ import annotations

import collections
import logging
import threading
from decimal import Decimal
from typing import Any, Protocol

from ._auth import resolve_signer, validate_recv_window
from ._client_surface import RouterClient, StreamClient
from ._connection import ClientState, ConnectionEvent, ConnectionEventKind, Link
from ._errors import ClientClosedError, InvalidParameterError
from ._tracker import AccountTracker, TrackerClient
from ._userdata import DEFAULT_BUFFER_SIZE, UserDataStream

logger = logging.getLogger("binance_ws._userdata")

__all__ = ["UserDataMixin", "UserDataRouter"]

# Events of a subscription whose id the subscribing thread has not registered yet (the next
# frame can be read before the subscribe call returns): kept per subscription, at most this many.
_ORPHANS_PER_KEY = 10_000
_ORPHAN_KEYS = 16


class UserDataRouter:
    """Hands each event frame to the stream of its (connection, subscription id)."""

    def __init__(self, client: RouterClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._routes: dict[tuple[int, int], UserDataStream] = {}
        self._orphans: collections.OrderedDict[tuple[int, int], collections.deque[dict[str, Any]]] = (
            collections.OrderedDict()
        )
        # Subscriptions ended by their stream: late frames for them are dropped quietly.
        self._released: collections.OrderedDict[tuple[int, int], None] = collections.OrderedDict()
        self.streams: list[UserDataStream] = []
        client.on_connection_event(self._on_connection_event)

    def route(self, link: Link, frame: dict[str, Any]) -> None:
        """Reader thread: one ``{"subscriptionId", "event"}`` frame."""
        sid = frame.get("subscriptionId")
        event = frame.get("event")
        if type(sid) is not int or type(event) is not dict:
            logger.warning("skipped an event frame without an integer subscriptionId and an event object")
            return
        key = (link.number, sid)
        stream = self._routes.get(key)
        if stream is None:
            with self._lock:
                stream = self._routes.get(key)
                if stream is None:
                    self._orphan(key, event)
                    return
        stream._push(link.number, event)

    def _orphan(self, key: tuple[int, int], event: dict[str, Any]) -> None:
        if key in self._released:
            return
        queue = self._orphans.get(key)
        if queue is None:
            if len(self._orphans) >= _ORPHAN_KEYS:
                self._orphans.popitem(last=False)
            queue = self._orphans[key] = collections.deque(maxlen=_ORPHANS_PER_KEY)
        queue.append(event)

    def claim(self, link_number: int, sid: int, stream: UserDataStream) -> None:
        """Route (link, sid) to ``stream``, after the events that came before this call."""
        key = (link_number, sid)
        with self._lock:
            for event in self._orphans.pop(key, ()):
                stream._push(link_number, event)
            self._routes[key] = stream

    def release(self, link_number: int, sid: int) -> None:
        key = (link_number, sid)
        with self._lock:
            self._routes.pop(key, None)
            self._orphans.pop(key, None)
            self._released[key] = None
            if len(self._released) > 1000:
                self._released.popitem(last=False)

    def link_lost(self, link: Link) -> None:
        """Called once per connection when it ends (after the client has noted it)."""
        with self._lock:
            for key in [k for k in self._orphans if k[0] == link.number]:
                del self._orphans[key]
            for key in [k for k in self._routes if k[0] == link.number]:
                del self._routes[key]
        closed = self._client.state is ClientState.CLOSED
        for stream in list(self.streams):
            stream._link_lost(link.number, closed)

    def _on_connection_event(self, event: ConnectionEvent) -> None:
        if event.kind is ConnectionEventKind.GAVE_UP:
            for stream in list(self.streams):
                stream._end("the client gave up reconnecting")


class _StreamOwner(StreamClient, RouterClient, Protocol):
    """What ``user_data()`` uses of the client it is a method of (``self``)."""

    _user_data_router: UserDataRouter | None


class UserDataMixin:
    """``Client.user_data()`` and ``Client.account_tracker()``."""

    _user_data_router: UserDataRouter | None = None
    _user_data_lock = threading.Lock()

    def user_data(
        self: _StreamOwner,
        *,
        api_key: str | None = None,
        api_secret: str | bytes | None = None,
        private_key: Any = None,
        private_key_password: str | bytes | None = None,
        buffer_size: int = DEFAULT_BUFFER_SIZE,
        recv_window: Decimal | str | int | None = None,
        handler_queue_size: int | None = None,
    ) -> UserDataStream:
        """Subscribe to the User Data Stream and return it (a context manager: closing unsubscribes).

        With the client's own key: ``userDataStream.subscribe`` when the connection is
        logged on (:meth:`session_logon`, Ed25519), else ``userDataStream.subscribe.signature``.
        ``api_key`` with ``api_secret`` or ``private_key``: another account's stream on the
        same connection, subscribed by signature with that key. ``buffer_size`` bounds the
        events waiting for the iterator (0: handlers only); ``recv_window`` (ms) is that of
        the signed subscription requests. ``handler_queue_size`` bounds the events waiting
        for the handlers (default: the larger of ``buffer_size`` and 10,000); beyond it
        they are lost, counted and reported to :meth:`~binance_ws.UserDataStream.on_lost`
        handlers. The stream re-subscribes on every new connection
        (see :class:`~binance_ws.UserDataStream`).

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     key = ex.keys.hmac
            ...     with Client(ex.url, api_key=key.api_key, api_secret=key.api_secret) as client:
            ...         with client.user_data() as stream:
            ...             print(stream.get(timeout=0.1))
            None
        """
        if isinstance(buffer_size, bool) or not isinstance(buffer_size, int) or buffer_size < 0:
            raise InvalidParameterError(
                "buffer_size", f"must be an int >= 0 (0: handlers only), got {buffer_size!r}"
            )
        if handler_queue_size is not None and (
            isinstance(handler_queue_size, bool)
            or not isinstance(handler_queue_size, int)
            or handler_queue_size < 1
        ):
            raise InvalidParameterError(
                "handler_queue_size",
                f"must be an int >= 1 or None (the larger of buffer_size and 10000), got {handler_queue_size!r}",
            )
        signer = None
        if api_key is not None or api_secret is not None or private_key is not None:
            signer = resolve_signer(api_key, api_secret, private_key, private_key_password, from_env=False)
        if self.state is not ClientState.OPEN and self.state is not ClientState.RECONNECTING:
            raise ClientClosedError.not_open("user_data", closed=self.state is ClientState.CLOSED)
        with UserDataMixin._user_data_lock:
            router = self._user_data_router
            if router is None:
                router = self._user_data_router = UserDataRouter(self)
        stream = UserDataStream(
            self,
            router,
            signer=signer,
            buffer_size=buffer_size,
            recv_window=None if recv_window is None else validate_recv_window(recv_window),
            handler_queue_size=handler_queue_size,
        )
        router.streams.append(stream)
        return stream._open()

    def account_tracker(
        self: TrackerClient,
        *,
        api_key: str | None = None,
        api_secret: str | bytes | None = None,
        private_key: Any = None,
        private_key_password: str | bytes | None = None,
    ) -> AccountTracker:
        """A local view of the account's balances and orders, kept current by the stream.

        See :class:`~binance_ws.AccountTracker`. Another account's key may be given as for
        :meth:`user_data` (its snapshot is read with that key too).
        """
        return AccountTracker(
            self,
            api_key=api_key,
            api_secret=api_secret,
            private_key=private_key,
            private_key_password=private_key_password,
        )

    def _link_lost(self: _StreamOwner, link: Link, reason: str) -> None:
        self._conns.lost(link, reason)
        router = self._user_data_router
        if router is not None:
            router.link_lost(link)
