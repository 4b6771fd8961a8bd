"""The client's connections over time: reconnects, make-before-break rotation, events.

A :class:`Link` is one websocket connection with its own table of pending requests, so a
lost connection fails exactly the requests that were in flight on it. :class:`Connections`
holds the link new requests go to and replaces it:

- when it is lost (``reconnect=True``): backoff with full jitter, within the connection
  attempt budget, until a new link is open and restored;
- on a planned rotation (``serverShutdown``, the connection's age, ``Client.rotate()``): the
  new link is opened and restored first, new requests move to it, the old one delivers the
  answers still due on it and is closed after.

"Restored" means the client's restore steps (clock offset, session logon, the user's own
steps) ran on the new link before any other request could reach it: while they run, calls
made from the thread running them go to the new link, and every other caller keeps using
the old one or waits.

Threads: a connector (``binance-ws-connector-N``) runs reconnects and rotations, an events
thread (``binance-ws-events-N``) runs the users' connection callbacks; both start when there
is work and end when there is none.
"""

from __future__ import annotations

import collections
import datetime as _dt
import enum
import itertools
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from ._errors import ClientClosedError, ConnectError, ConnectionClosedError, RateLimitedError
from ._pending import PendingTable

if TYPE_CHECKING:
    from ._transport import Transport

logger = logging.getLogger("binance_ws._client")

__all__ = [
    "AttemptBudget",
    "Backoff",
    "ConnectionEvent",
    "ConnectionEventKind",
    "ClientState",
    "Connections",
    "Link",
]

# Binance: 300 connection attempts per 5 minutes per IP.
CONNECTION_ATTEMPTS = 300
CONNECTION_WINDOW = 300.0
_numbers = itertools.count(1)


class ClientState(enum.Enum):
    """Lifecycle of a :class:`~binance_ws.Client`."""

    UNOPENED = "UNOPENED"  #: created, connect() not called yet
    OPEN = "OPEN"  #: connected; requests go out
    RECONNECTING = "RECONNECTING"  #: the connection was lost; a new one is being opened
    CLOSED = "CLOSED"  #: closed by close(), or lost with reconnect=False; not reopened


class ConnectionEventKind(enum.Enum):
    """What happened to the client's connection."""

    CONNECTED = "connected"  #: the first connection is open
    DISCONNECTED = "disconnected"  #: the connection was lost (``reason`` says why)
    RECONNECTED = "reconnected"  #: a new connection replaced a lost one
    ROTATED = "rotated"  #: a planned replacement finished (``reason`` says what asked for it)
    GAVE_UP = "gave_up"  #: reconnecting stopped after ``max_reconnect_attempts``


@attrs.frozen
class ConnectionEvent:
    """One change of the client's connection, as given to connection callbacks."""

    kind: ConnectionEventKind
    reason: str = ""
    #: When it happened (UTC).
    at: _dt.datetime = attrs.field(factory=lambda: _dt.datetime.now(_dt.timezone.utc))
    #: The failed attempts it took (RECONNECTED, GAVE_UP), else 0.
    attempts: int = 0


class Backoff:
    """Exponential backoff with full jitter: the first retry at once, then random waits below
    ``base * 2**(n-1)``, capped at ``cap`` seconds."""

    def __init__(self, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self._rng = rng or random.Random()

    def delay(self, attempt: int) -> float:
        """The wait before attempt ``attempt`` (0 for the first)."""
        if attempt <= 0:
            return 0.0
        return self._rng.uniform(0.0, min(self.cap, self.base * 2 ** min(attempt - 1, 32)))


class AttemptBudget:
    """Connection attempts per rolling window (Binance counts 300 per 5 minutes per IP).

    Shared by every client given the same object, as clients on one IP share Binance's count.
    """

    def __init__(self, limit: int = CONNECTION_ATTEMPTS, window: float = CONNECTION_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._times: collections.deque[float] = collections.deque()

    def wait_time(self) -> float:
        """Seconds until one more attempt fits (0: now)."""
        with self._lock:
            now = time.monotonic()
            while self._times and self._times[0] <= now - self.window:
                self._times.popleft()
            if len(self._times) < self.limit:
                return 0.0
            return self._times[0] + self.window - now

    def spend(self) -> None:
        with self._lock:
            self._times.append(time.monotonic())

    def usage(self) -> tuple[int, float]:
        """Attempts within the window now, and seconds until the oldest leaves it."""
        with self._lock:
            now = time.monotonic()
            while self._times and self._times[0] <= now - self.window:
                self._times.popleft()
            oldest = self._times[0] + self.window - now if self._times else self.window
            return len(self._times), oldest


class Link:
    """One websocket connection and the requests in flight on it."""

    __slots__ = ("number", "pending", "session_key", "transport")

    def __init__(self) -> None:
        self.number = next(_numbers)
        self.pending = PendingTable()
        self.transport: Transport | None = None
        #: The API key this connection is logged on with (session.logon), if any.
        self.session_key: str | None = None

    def __repr__(self) -> str:
        return f"<Link {self.number} pending={len(self.pending)}>"


class _Worker:
    """Runs jobs in order on one thread that exists only while there are jobs."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._jobs: collections.deque[Callable[[], None]] = collections.deque()
        self._thread: threading.Thread | None = None

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            self._jobs.append(job)
            if self._thread is None:
                # Published only once started: join() reads it without the lock. The new
                # thread cannot clear it before this block releases the lock.
                thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                thread.start()
                self._thread = thread

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._jobs:
                    self._thread = None
                    return
                job = self._jobs.popleft()
            try:
                job()
            except Exception:
                logger.exception("%s: a job failed", self._name)

    def join(self, timeout: float) -> None:
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)


class Connections:
    """The current link and its replacements; see the module docstring."""

    def __init__(
        self,
        *,
        open_link: Callable[[Link], None],
        restore: Callable[[Link, bool], None],
        reconnect: bool,
        max_attempts: int | None,
        backoff: Backoff | None = None,
        budget: AttemptBudget | None = None,
    ) -> None:
        self._open_link = open_link
        self._restore = restore
        self.reconnect = reconnect
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self.budget = budget or AttemptBudget()
        self.state = ClientState.UNOPENED
        #: Where new requests go (None while there is none).
        self.link: Link | None = None
        #: The thread restoring a new link, and that link: its calls go there.
        self.restore_ident: int | None = None
        self._restore_link: Link | None = None
        self._links: set[Link] = set()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._switch = threading.Lock()  # one reconnect or rotation at a time
        self._stop = threading.Event()
        self._connecting: Link | None = None
        self._listeners: list[Callable[[ConnectionEvent], None]] = []
        self.reconnects = 0
        self.last_disconnect_reason: str | None = None
        self._attempt_error: str | None = None
        #: How long a rotated-out link may take to deliver the answers still due on it.
        self.drain_limit = 11.0
        number = next(_numbers)
        self._connector = _Worker(f"binance-ws-connector-{number}")
        self._events = _Worker(f"binance-ws-events-{number}")

    # -- what callers see ------------------------------------------------------------------

    @property
    def pending_count(self) -> int:
        return sum(len(link.pending) for link in list(self._links))

    def link_for_thread(self) -> Link | None:
        """The link a call from this thread goes to (the one being restored, for its thread)."""
        if self.restore_ident is not None and threading.get_ident() == self.restore_ident:
            return self._restore_link
        return self.link

    def wait_link(self, method: str, ident: int, deadline: float, slice_: float | None) -> Link:
        """The link for a call when the fast path found none: wait while reconnecting.

        ``slice_``: wait in pieces this long (the main thread, so Ctrl-C lands promptly).
        Raises ClientClosedError (never opened, closed) or ConnectionClosedError with
        ``sent=False`` when no connection came back before ``deadline``.
        """
        if ident == self.restore_ident and self._restore_link is not None:
            return self._restore_link
        with self._changed:
            while True:
                link = self.link
                if link is not None:
                    return link
                state = self.state
                if state is ClientState.UNOPENED:
                    raise ClientClosedError.not_open(method, closed=False)
                if state is ClientState.CLOSED:
                    why = f" ({self.last_disconnect_reason})" if self.last_disconnect_reason else ""
                    raise ClientClosedError(f"{method}: this client was closed{why}; create a new Client")
                left = deadline - time.monotonic()
                if left <= 0:
                    tried = f"; latest attempt: {self._attempt_error}" if self._attempt_error else ""
                    raise ConnectionClosedError(
                        f"no connection within the call's timeout (lost: {self.last_disconnect_reason}"
                        f"{tried})",
                        method=method,
                        sent=False,
                    )
                self._changed.wait(left if slice_ is None else min(left, slice_))

    def add_listener(self, callback: Callable[[ConnectionEvent], None]) -> Callable[[], None]:
        self._listeners.append(callback)

        def remove() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return remove

    def _emit(self, event: ConnectionEvent) -> None:
        level = (
            logging.WARNING
            if event.kind in (ConnectionEventKind.DISCONNECTED, ConnectionEventKind.GAVE_UP)
            else logging.INFO
        )
        logger.log(level, "connection %s%s", event.kind.value, f": {event.reason}" if event.reason else "")
        for callback in list(self._listeners):
            self._events.submit(lambda cb=callback: cb(event))  # type: ignore[misc]

    # -- opening ---------------------------------------------------------------------------

    def _prepared(self, had_session: bool) -> Link:
        """Open a link and run the restore steps on it; not yet where requests go."""
        link = Link()
        with self._lock:
            if self._closed():
                raise ClientClosedError("the client was closed")
            self._connecting = link
        self.budget.spend()  # every attempt counts: the first, reconnects and rotations
        try:
            self._open_link(link)
            with self._lock:
                closed = self._closed()
                if not closed:
                    self._links.add(link)
            if closed:
                raise ClientClosedError("the client was closed")
            self._restore_link = link
            self.restore_ident = threading.get_ident()
            try:
                self._restore(link, had_session)
            finally:
                self.restore_ident = None
                self._restore_link = None
        except BaseException:
            self._discard(link)
            raise
        finally:
            with self._lock:
                self._connecting = None
        return link

    def _closed(self) -> bool:
        # A method, so a check after a blocking call is not narrowed away by the one before.
        return self.state is ClientState.CLOSED

    def _discard(self, link: Link) -> None:
        with self._lock:
            self._links.discard(link)
        link.pending.fail_all("the connection was not kept")
        if link.transport is not None:
            link.transport.close(graceful=False)

    def _publish(self, link: Link) -> bool:
        with self._changed:
            if self.state is ClientState.CLOSED:
                published = False
            else:
                self.link = link
                self.state = ClientState.OPEN
                self._changed.notify_all()
                published = True
        if not published:
            self._discard(link)
        return published

    def connect(self) -> None:
        """Open the first connection (raises ConnectError); no retries."""
        with self._switch:
            with self._lock:
                if self.state is ClientState.CLOSED:
                    raise ClientClosedError("this client was closed; create a new Client")
                if self.state is not ClientState.UNOPENED:
                    return
            link = self._prepared(had_session=False)
            if self._publish(link):
                self._emit(ConnectionEvent(ConnectionEventKind.CONNECTED))

    # -- losing and replacing --------------------------------------------------------------

    def lost(self, link: Link, reason: str) -> None:
        """Called once per link when its connection ends (reader thread or close)."""
        link.pending.fail_all(reason)
        with self._changed:
            self._links.discard(link)
            if link is not self.link:
                return  # a retired or never-published link: nobody else is affected
            self.link = None
            self.last_disconnect_reason = reason
            if self.state is not ClientState.OPEN:
                return
            if self.reconnect:
                self.state = ClientState.RECONNECTING
            else:
                self.state = ClientState.CLOSED
            self._changed.notify_all()
            reconnecting = self.state is ClientState.RECONNECTING
        self._emit(ConnectionEvent(ConnectionEventKind.DISCONNECTED, reason))
        if reconnecting:
            had_session = link.session_key is not None
            self._connector.submit(lambda: self._reconnect(had_session))

    def _reconnect(self, had_session: bool) -> None:
        failures = 0
        with self._switch:
            while not self._stop.is_set():
                with self._lock:
                    if self.state is not ClientState.RECONNECTING:
                        return
                if self.max_attempts is not None and failures >= self.max_attempts:
                    self._give_up(failures)
                    return
                pause = max(self.backoff.delay(failures), self.budget.wait_time())
                if pause and self._stop.wait(pause):
                    return
                try:
                    link = self._prepared(had_session)
                except ClientClosedError:
                    return
                except (ConnectError, ConnectionClosedError, RateLimitedError) as exc:
                    failures += 1
                    self._attempt_error = str(exc)
                    logger.warning("reconnect attempt %d failed: %s", failures, exc)
                    if isinstance(exc, RateLimitedError):
                        # Refused for too many attempts or banned: no attempt before retryAfter.
                        wait = exc.seconds_left()
                        if wait and self._stop.wait(min(wait, threading.TIMEOUT_MAX)):
                            return
                    continue
                self._attempt_error = None
                if self._publish(link):
                    self.reconnects += 1
                    self._emit(ConnectionEvent(ConnectionEventKind.RECONNECTED, attempts=failures))
                return

    def _give_up(self, failures: int) -> None:
        with self._changed:
            if self.state is not ClientState.RECONNECTING:
                return
            self.state = ClientState.CLOSED
            self.last_disconnect_reason = (
                f"gave up reconnecting after {failures} attempts (lost: {self.last_disconnect_reason}; "
                f"latest attempt: {self._attempt_error})"
            )
            self._changed.notify_all()
        self._emit(
            ConnectionEvent(ConnectionEventKind.GAVE_UP, self.last_disconnect_reason or "", attempts=failures)
        )

    def rotate_soon(self, reason: str) -> None:
        """Ask for a planned rotation (from the reader thread: never blocks)."""
        if self.reconnect and self.state is ClientState.OPEN:
            self._connector.submit(lambda: self._rotate_quietly(reason))

    def _rotate_quietly(self, reason: str) -> None:
        try:
            self.rotate(reason, drain=None)
        except (ConnectError, ConnectionClosedError, ClientClosedError, RateLimitedError) as exc:
            logger.warning("rotation (%s) failed, the current connection stays: %s", reason, exc)

    def rotate(self, reason: str, drain: float | None) -> None:
        """Replace the current link by a new, restored one; the old one drains and closes.

        ``drain``: how long the old link may take to deliver the answers due on it
        (None: :attr:`drain_limit`). Raises ConnectError when
        the new connection cannot be opened; the old one then stays.
        """
        with self._switch:
            with self._lock:
                old = self.link
                if self.state is ClientState.CLOSED:
                    raise ClientClosedError("this client was closed; create a new Client")
            had_session = old.session_key is not None if old is not None else False
            new = self._prepared(had_session)
            if not self._publish(new):
                return
        if old is not None:
            self._retire(old, drain)
        self._emit(ConnectionEvent(ConnectionEventKind.ROTATED, reason))

    def _retire(self, old: Link, drain: float | None) -> None:
        # New registrations on the old link now fail unsent, and their callers retry on the new.
        old.pending.retire("the connection was rotated")
        deadline = time.monotonic() + (drain if drain is not None else self.drain_limit)
        while len(old.pending) and time.monotonic() < deadline and not self._stop.is_set():
            time.sleep(0.005)
        if old.transport is not None:
            old.transport.close()

    # -- closing ---------------------------------------------------------------------------

    def close(self, *, touch_sockets: bool = True) -> bool:
        """Close every link, wake every waiter, stop reconnecting; False if already closed."""
        with self._changed:
            if self.state is ClientState.CLOSED and not self._links and self._connecting is None:
                return False
            self.state = ClientState.CLOSED
            self.link = None
            links = list(self._links)
            self._links.clear()
            connecting = self._connecting
            self._stop.set()
            self._changed.notify_all()
        for link in links:
            link.pending.fail_all("the client was closed")
        if connecting is not None and connecting.transport is not None:
            connecting.transport.abort()
        if touch_sockets:
            for link in links:
                if link.transport is not None:
                    link.transport.close()
        self._connector.join(2.0)
        return True
