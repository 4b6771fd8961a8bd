"""The User Data Stream: subscriptions that survive reconnects, typed events, gaps made visible.

Threads: the reader thread of each connection hands the (already JSON-decoded) ``event`` of a
``{"subscriptionId", "event"}`` frame to the :class:`UserDataRouter`, which appends it to the
right stream's buffers without decoding it further; events are decoded into models by
whoever consumes them (the iterating thread, or the stream's dispatcher thread that runs
the handlers), never on the reader thread.

Connections: a stream re-subscribes on every new connection from a restore step, so the
new subscription is live before the connection takes requests. After a planned rotation the
old connection keeps delivering until it closes; the new one's events are held meanwhile and
released once the old one is gone, less the ones it already delivered (see ``_held``).
After an unplanned drop a :class:`StreamGap` tells when events may have been missed.
"""

from __future__ import annotations

import collections
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, TypeVar

from . import _json
from ._client_surface import StreamClient, StreamRoutes
from ._connection import Link
from ._errors import BinanceWSError, ConnectionClosedError, InvalidParameterError, ProtocolError
from ._signing import ED25519, Signer, canonical_payload
from ._userdata_markers import EventsLostError, StreamGap, _drop, _Lost
from .models.events import EventStreamTerminated, UserDataEvent, decode_event
from .models.general import Empty
from .models.user_data import Subscription

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_BUFFER_SIZE", "EventsLostError", "StreamGap", "UserDataStream"]

E = TypeVar("E", bound=UserDataEvent)

DEFAULT_BUFFER_SIZE = 10_000
# During a rotation, events of the new connection waiting for the old one to end.
_HELD_LIMIT = 100_000
# The old connection's latest events, kept (by reference: no cost but the append) to
# de-duplicate those it delivered between the new subscription's start and its registration.
_RECENT = 4096
_numbers = itertools.count(1)


def _now_ms() -> int:
    return int(time.time() * 1000)


Handler = Callable[[Any], object]


class UserDataStream:
    """The User Data Stream of one account on the client's connection (see ``Client.user_data``).

    Iterate it (``for event in stream``) or call :meth:`get`; register handlers with
    :meth:`on`, :meth:`on_any`, :meth:`on_gap` and :meth:`on_lost`. Both can be used
    together: every event goes to the handlers and to the iterator's buffer, each bounded
    on its own (``buffer_size``, ``handler_queue_size``). The iterator yields typed events
    (:mod:`binance_ws.models.events`) and :class:`StreamGap` markers, raises
    :class:`EventsLostError` where events were dropped because the buffer was full, and
    ends after ``eventStreamTerminated`` or :meth:`close`.

    Example::

        >>> from binance_ws import Client
        >>> from binance_ws.exchange import LocalExchange
        >>> from binance_ws.models.events import ExecutionReport
        >>> with LocalExchange() as ex:
        ...     key = ex.keys.hmac
        ...     with Client(ex.url, api_key=key.api_key, api_secret=key.api_secret) as client:
        ...         with client.user_data() as stream:
        ...             _ = client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
        ...             for _ in range(3):
        ...                 event = stream.get(timeout=5)
        ...                 print(type(event).__name__, getattr(event, "order_status", "-"))
        ExecutionReport NEW
        ExecutionReport FILLED
        OutboundAccountPosition -
    """

    def __init__(
        self,
        client: StreamClient,
        router: StreamRoutes[UserDataStream],
        *,
        signer: Signer | None,
        buffer_size: int,
        recv_window: int | str | None,
        handler_queue_size: int | None = None,
    ) -> None:
        self._client = client
        self._router = router
        self._signer = signer
        self._recv_window = recv_window
        self.buffer_size = buffer_size
        #: Events waiting for the handlers at most; beyond it they are lost (see on_lost).
        self.handler_queue_size = (
            max(buffer_size, DEFAULT_BUFFER_SIZE) if handler_queue_size is None else handler_queue_size
        )
        self.number = next(_numbers)
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._work = threading.Condition(self._lock)
        self._buffer: collections.deque[Any] = collections.deque()
        self._queue: collections.deque[Any] = collections.deque()  # for the dispatcher
        self._waiting = 0
        # link number -> subscription id, for every connection this stream is subscribed on.
        self._subs: dict[int, int] = {}
        self._primary: int | None = None  # the connection whose events are delivered
        # During a rotation: the new connection, its events held until the old one ends, and
        # what the old one delivered meanwhile (event JSON -> count). When the old one ends,
        # the held events are released minus those it already delivered: both subscriptions
        # get the same events in the same order, so nothing is lost or doubled, and the
        # order stays the old connection's. Both are bounded: memory cannot grow unchecked.
        self._next: int | None = None
        self._held: collections.deque[dict[str, Any]] = collections.deque()
        self._seen: collections.Counter[str] = collections.Counter()
        self._tail: int | None = None
        self._recent: collections.deque[dict[str, Any]] = collections.deque(maxlen=_RECENT)
        self._gap_since: int | None = None
        self._gap_reason = ""
        self._last_time: int | None = None
        self.ended = False
        self._closed = False
        self._handlers: dict[type, list[Handler]] = {}
        self._any: list[Handler] = []
        self._gap_handlers: list[Callable[[StreamGap], object]] = []
        self._lost_handlers: list[Callable[[EventsLostError], object]] = []
        self._dispatcher: threading.Thread | None = None
        self._lost_total = 0
        self._remove_step: Callable[[], None] | None = None
        self._retrying = False
        self._stop = threading.Event()  # set on close: ends a retry's wait

    # -- subscribing -----------------------------------------------------------------------

    def _open(self) -> UserDataStream:
        self._remove_step = self._client.add_restore_step(self._restore)
        try:
            self._subscribe_current()
        except BaseException:
            self._remove_step()
            self._router.streams.remove(self)
            raise
        return self

    def _subscribe_current(self) -> None:
        """Subscribe on the current connection, with no reconnect or rotation meanwhile."""
        conns = self._client._conns
        ident = threading.get_ident()
        if ident == conns.restore_ident:  # called from a restore step: its connection
            link = conns.link_for_thread()
            assert link is not None
            self._attach(link, *self._subscribe())
            return
        deadline = time.monotonic() + self._client.timeout
        while True:
            # Holding the switch lock: the request goes to conns.link and stays there.
            if conns._switch.acquire(timeout=max(deadline - time.monotonic(), 0.01)):
                try:
                    link = conns.link
                    if link is not None:
                        if link.number in self._subs:
                            return  # a restore step subscribed it meanwhile
                        try:
                            self._attach(link, *self._subscribe())
                            return
                        except ConnectionClosedError:
                            if time.monotonic() >= deadline:
                                raise
                finally:
                    conns._switch.release()
            if time.monotonic() >= deadline:
                raise ConnectionClosedError(
                    "no stable connection to subscribe on within the client's timeout "
                    "(it was being replaced all along)",
                    method="userDataStream.subscribe",
                    sent=False,
                )
            conns.wait_link("userDataStream.subscribe", ident, deadline, None)

    def _subscribe(self) -> tuple[int, bool]:
        client = self._client
        signer = self._signer
        if signer is None:
            own = client._signer
            # The typed path the facade's user_data_stream_subscribe* methods take.
            if own is not None and own.key_type == ED25519 and client._session_key == own.api_key:
                sub: Subscription = client._call("userDataStream.subscribe", {}, Subscription)
                return self._sid(sub.subscription_id), True
            params = {"recvWindow": self._recv_window}
            sub = client._call("userDataStream.subscribe.signature", params, Subscription)
            return self._sid(sub.subscription_id), False
        signed: dict[str, Any] = {"apiKey": signer.api_key}
        if self._recv_window is not None:
            signed["recvWindow"] = self._recv_window
        signed["timestamp"] = _now_ms() + client.time_offset
        signed["signature"] = signer.sign(canonical_payload(signed))
        result = client.request("userDataStream.subscribe.signature", signed).result
        return self._sid(result.get("subscriptionId") if isinstance(result, dict) else None), False

    @staticmethod
    def _sid(value: Any) -> int:
        if type(value) is not int:
            raise ProtocolError("userDataStream.subscribe: the result has no integer subscriptionId")
        return value

    def _attach(self, link: Link, sid: int, via_logon: bool) -> None:
        with self._lock:
            if self._closed:
                closed = True
            else:
                closed = False
                self._subs[link.number] = sid
                if self._primary is None:
                    self._primary = link.number
                    if self._gap_since is not None:
                        self._put(StreamGap(self._gap_since, self._now(), self._gap_reason))
                        self._gap_since = None
                else:
                    # The new subscription went live a round trip ago: what the old one
                    # delivered since then is among its latest events.
                    self._next = link.number
                    self._held.clear()
                    self._seen = collections.Counter(_json.dumps(e) for e in self._recent)
                    self._tail = None
        if closed:
            return
        self._router.claim(link.number, sid, self)
        logger.info(
            "user data stream %d subscribed on connection %d (subscription %d%s)",
            self.number,
            link.number,
            sid,
            ", logon" if via_logon else "",
        )

    def _restore(self, client: StreamClient) -> None:
        if self._closed or self.ended:
            return
        link = client._conns.link_for_thread()
        if link is None or link.number in self._subs:
            return
        try:
            self._attach(link, *self._subscribe())
        except ConnectionClosedError:
            raise  # this connection is gone: the next one runs the step again
        except Exception:
            self._retry_later()
            raise  # logged by the client, which uses the connection anyway

    def _retry_later(self) -> None:
        """Subscribe again in the background, with backoff, after a restore step failed."""
        with self._lock:
            if self._retrying or self._closed:
                return
            self._retrying = True

        def retry() -> None:
            delay = 0.5
            try:
                while not self._stop.wait(delay):
                    if self.ended:
                        return
                    try:
                        self._subscribe_current()
                        return
                    except Exception as exc:
                        logger.warning("user data stream %d: subscribing again failed: %s", self.number, exc)
                    delay = min(delay * 2, 30.0)
            finally:
                with self._lock:
                    self._retrying = False

        threading.Thread(target=retry, name=f"binance-ws-userdata-retry-{self.number}", daemon=True).start()

    def _now(self) -> int:
        return _now_ms() + self._client.time_offset

    # -- reader thread ---------------------------------------------------------------------

    def _push(self, link_number: int, event: dict[str, Any]) -> None:
        with self._lock:
            if link_number == self._primary:
                if self._next is not None:
                    self._seen[_json.dumps(event)] += 1
                elif self._tail is not None and self._late_copy(event):
                    return
                self._deliver(event)
            elif link_number == self._next:
                if len(self._held) < _HELD_LIMIT:
                    self._held.append(event)
                else:  # the old connection lingers: stop holding, de-duplicate what was held
                    self._switch_primary()
                    self._deliver(event)

    def _late_copy(self, event: dict[str, Any]) -> bool:
        """After a rotation: whether the new connection's event is one the old one delivered.

        The new connection may lag behind the old one: its copies of the old one's last
        events can come after the switch. Those are all no newer than the last event the old
        one delivered (``_tail``); the first newer event ends the check.
        """
        when = event.get("E")
        assert self._tail is not None
        if type(when) is int and when > self._tail:
            self._tail = None
            self._seen.clear()
            return False
        key = _json.dumps(event)
        if self._seen[key]:
            self._seen[key] -= 1
            return True
        return False

    def _deliver(self, event: dict[str, Any]) -> None:
        # With the lock held. Nothing is decoded here: the consumer does it.
        if self.ended:
            return
        self._recent.append(event)
        when = event.get("E")
        if type(when) is int:
            self._last_time = when
        if event.get("e") == "eventStreamTerminated":
            self.ended = True
        buffer = self._buffer
        size = self.buffer_size
        lost = False
        if size and len(buffer) >= size:
            _drop(buffer, when)
            lost = True
        elif size:
            buffer.append(event)
        if self._waiting or self.ended:
            self._ready.notify_all()
        if self._dispatcher is not None:
            queue = self._queue
            # One _Lost record may sit past the limit: it marks the gap in the handlers' order.
            if len(queue) >= self.handler_queue_size:
                _drop(queue, when)
                lost = True
            else:
                queue.append(event)
            self._work.notify()
        if lost:
            self._lost_total += 1  # once per event, however many consumers missed it

    def _put(self, item: Any) -> None:
        # A marker (StreamGap): always kept, whatever the buffer holds.
        if self.buffer_size:
            self._buffer.append(item)
        self._ready.notify_all()
        if self._dispatcher is not None:
            self._queue.append(item)
            self._work.notify()

    def _switch_primary(self) -> None:
        """The old connection is done: release the held events it did not deliver."""
        seen = self._seen
        self._primary, self._next = self._next, None
        held, self._held = self._held, collections.deque()
        for event in held:
            if seen:
                key = _json.dumps(event)
                if seen[key]:
                    seen[key] -= 1
                    continue
            self._deliver(event)
        # What is left may still come late on the new connection (see _late_copy).
        self._tail = self._last_time if +seen else None
        if self._tail is None:
            seen.clear()

    def _link_lost(self, link_number: int, client_closed: bool) -> None:
        with self._lock:
            sid = self._subs.pop(link_number, None)
            if client_closed:
                self._end_locked("the client was closed")
                return
            if sid is None:
                return
            if link_number == self._next:
                self._next = None
                self._held.clear()
                self._seen.clear()
            elif link_number == self._primary:
                if self._next is not None:
                    self._switch_primary()
                else:
                    self._primary = None
                    self._gap_since = self._last_time if self._last_time is not None else self._now()
                    self._gap_reason = self._client.last_disconnect_reason or "the connection was lost"

    def _end(self, reason: str) -> None:
        with self._lock:
            self._end_locked(reason)

    def _end_locked(self, reason: str) -> None:
        if not self.ended:
            logger.info("user data stream %d ended: %s", self.number, reason)
        self.ended = True
        self._ready.notify_all()
        self._work.notify_all()

    # -- consuming -------------------------------------------------------------------------

    @property
    def buffered(self) -> int:
        """Items waiting for the iterator (events, gap markers and lost-event records)."""
        return len(self._buffer)

    @property
    def lost_count(self) -> int:
        """Events dropped so far because the buffer or the handlers' queue was full.

        An event missed by both counts once; those not yet raised or handed to the
        :meth:`on_lost` handlers count too.
        """
        return self._lost_total

    def get(self, timeout: float | None = None) -> UserDataEvent | StreamGap | None:
        """The next event (or :class:`StreamGap`); None when none came within ``timeout`` s.

        Also None at once when the stream has ended and everything before the end was
        read. Raises :class:`EventsLostError` where the buffer overflowed.
        """
        with self._lock:
            buffer = self._buffer
            if not buffer:
                if self.buffer_size == 0:
                    raise InvalidParameterError("buffer_size", "is 0: this stream delivers to handlers only")
                deadline = None if timeout is None else time.monotonic() + timeout
                self._waiting += 1
                try:
                    while not buffer:
                        if self.ended:
                            return None
                        left = None if deadline is None else deadline - time.monotonic()
                        if left is not None and left <= 0:
                            return None
                        self._ready.wait(left)
                finally:
                    self._waiting -= 1
            item = buffer.popleft()
        if type(item) is dict:
            return decode_event(item)
        if type(item) is _Lost:
            raise item.error()
        result: StreamGap = item
        return result

    def __iter__(self) -> Iterator[UserDataEvent | StreamGap]:
        return self

    def __next__(self) -> UserDataEvent | StreamGap:
        item = self.get()
        if item is None or type(item) is EventStreamTerminated:
            raise StopIteration
        return item

    # -- handlers --------------------------------------------------------------------------

    def on(self, event_type: type[E], handler: Callable[[E], object]) -> Callable[[], None]:
        """Call ``handler(event)`` for every event of ``event_type`` (e.g. ``ExecutionReport``).

        ``event_type`` may be a base class: ``UserDataEvent`` matches every event.

        Handlers run on the stream's dispatcher thread, one at a time, in event order; one
        that raises is logged with its traceback and the stream goes on. They get the events
        that arrive once the stream has a handler (earlier ones are in the iterator's buffer).
        Returns a function that removes the handler.
        """
        if not (isinstance(event_type, type) and issubclass(event_type, UserDataEvent)):
            raise InvalidParameterError(
                "event_type", f"expected an event model such as ExecutionReport, got {event_type!r}"
            )
        return self._add(self._handlers.setdefault(event_type, []), handler)

    def on_any(self, handler: Callable[[UserDataEvent], object]) -> Callable[[], None]:
        """Call ``handler(event)`` for every event, whatever its type (``UnknownEvent`` too)."""
        return self._add(self._any, handler)

    def on_gap(self, handler: Callable[[StreamGap], object]) -> Callable[[], None]:
        """Call ``handler(gap)`` with each :class:`StreamGap` (after a lost connection)."""
        return self._add(self._gap_handlers, handler)

    def on_lost(self, handler: Callable[[EventsLostError], object]) -> Callable[[], None]:
        """Call ``handler(error)`` when events were lost because the handlers were too slow.

        When more than ``handler_queue_size`` events wait for the handlers, the newest are
        dropped (and counted in :attr:`lost_count`); once the handlers catch up,
        ``handler`` gets an :class:`EventsLostError` (``where == "handlers"``, with the
        count and event times of the lost ones) in the place of the gap: after the events
        before it, before the ones after it. Re-read what you need to catch up, as after
        a :class:`StreamGap`. Without an ``on_lost`` handler the loss is only logged.
        """
        return self._add(self._lost_handlers, handler)

    def _add(self, handlers: list[Any], handler: Callable[[Any], object]) -> Callable[[], None]:
        if not callable(handler):
            raise InvalidParameterError("handler", f"must be callable, got {handler!r}")
        with self._lock:
            handlers.append(handler)
            if self._dispatcher is None and not self._closed:
                thread = threading.Thread(
                    target=self._dispatch, name=f"binance-ws-userdata-{self.number}", daemon=True
                )
                self._dispatcher = thread
                thread.start()

        def remove() -> None:
            with self._lock:
                if handler in handlers:
                    handlers.remove(handler)

        return remove

    def _dispatch(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closed and not (self.ended and not self._queue):
                    self._work.wait()
                if not self._queue:
                    return
                batch, self._queue = self._queue, collections.deque()
            for item in batch:
                self._run_handlers(item)

    def _run_handlers(self, item: Any) -> None:
        if type(item) is StreamGap:
            handlers: list[Handler] = list(self._gap_handlers)
            event: Any = item
        elif type(item) is _Lost:
            event = item.error("handlers")
            logger.warning("user data stream %d: %s", self.number, event)
            handlers = list(self._lost_handlers)
        else:
            event = decode_event(item)
            # By the event's class and its bases: on(UserDataEvent, ...) gets every event.
            handlers = [h for cls in type(event).__mro__ for h in self._handlers.get(cls, ())]
            handlers += self._any
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                logger.exception("user data stream %d: a handler raised", self.number)

    # -- closing ---------------------------------------------------------------------------

    def close(self) -> None:
        """Unsubscribe, stop the dispatcher thread and end the iterator (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            subs = dict(self._subs)
            primary = self._primary
            ended = self.ended  # terminated by the server, or the client closed: no unsubscribe
        self._stop.set()
        if self._remove_step is not None:
            self._remove_step()
        if self in self._router.streams:
            self._router.streams.remove(self)
        conns = self._client._conns
        sid = subs.get(primary) if primary is not None else None
        if sid is not None and not ended and conns._switch.acquire(timeout=self._client.timeout):
            try:
                link = conns.link
                if link is not None and link.number == primary:
                    self._client._call("userDataStream.unsubscribe", {"subscriptionId": sid}, Empty)
            except (BinanceWSError, OSError) as exc:
                logger.info("user data stream %d: unsubscribe failed: %s", self.number, exc)
            finally:
                conns._switch.release()
        for number, s in subs.items():
            self._router.release(number, s)
        with self._lock:
            self._subs.clear()
            self._end_locked("closed")
        thread = self._dispatcher
        if thread is not None and thread is not threading.current_thread():
            thread.join(5.0)

    def __enter__(self) -> UserDataStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "ended" if self.ended else "open"
        return f"<binance_ws.UserDataStream {self.number} {state} buffered={len(self._buffer)}>"
