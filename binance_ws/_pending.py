"""Pending requests: one slot per request id, woken by the reader thread.

A caller registers its slot *before* sending, so a fast reply always finds it; the reader
thread resolves it; the caller waits on the slot (a one-shot event) and unregisters in
``finally``.
``fail_all`` wakes every waiter at once when the connection is lost or closed, and refuses
new registrations from then on, so no caller can slip in after the fan-out and hang.

The table's lock guards the dict only; it is never held while sending, receiving or waiting.
"""

from __future__ import annotations

import _thread
import logging
import threading
from typing import Any

from ._errors import ConnectionClosedError

logger = logging.getLogger(__name__)

__all__ = ["PendingSlot", "PendingTable"]


class PendingSlot:
    """A one-shot event plus the cell the reader fills: the decoded frame or the error to raise.

    The event is ``threading.Event``'s contract (``set``, ``is_set``, ``wait(timeout)``) on a
    single lock, held from birth and released by :meth:`set`. ``threading.Event`` runs a
    Condition in Python (a lock to allocate, a lock the waker and the woken thread both take),
    which measured ~10 % of a loopback round trip and more with many threads waiting; a slot
    is set once, by one thread, and waited on by one caller, so the bare lock is all it needs.
    """

    __slots__ = ("_done", "_lock", "error", "frame", "method")

    def __init__(self, method: str) -> None:
        lock = _thread.allocate_lock()
        lock.acquire()
        self._lock = lock
        self._done = False
        self.method = method
        self.frame: dict[str, Any] | None = None
        self.error: BaseException | None = None

    def set(self) -> None:
        """Wake the waiter; only the thread that took the slot from the table calls this."""
        if not self._done:
            self._done = True
            self._lock.release()

    def is_set(self) -> bool:
        return self._done

    def wait(self, timeout: float) -> bool:
        """Block until :meth:`set` or ``timeout`` seconds; True once set (like Event.wait)."""
        if self._done:
            return True
        if self._lock.acquire(True, timeout):
            self._lock.release()  # pass the wake-up on, should a second thread wait here too
            return True
        return self._done


class PendingTable:
    """The requests in flight on one connection, keyed by request id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[object, PendingSlot] = {}
        self._closed_reason: str | None = None

    def __len__(self) -> int:
        return len(self._slots)

    def register(self, request_id: object, method: str) -> PendingSlot:
        """Add a slot; raises ConnectionClosedError (nothing sent) once the table is failed."""
        slot = PendingSlot(method)
        with self._lock:
            if self._closed_reason is not None:
                raise ConnectionClosedError(
                    self._closed_reason, method=method, request_id=request_id, sent=False
                )
            if request_id in self._slots:
                # Binance forbids two requests with one id in flight; never overwrite a waiter.
                raise ValueError(f"request id {request_id!r} is already in flight")
            self._slots[request_id] = slot
        return slot

    def resolve(self, request_id: object, frame: dict[str, Any]) -> bool:
        """Hand a response to its waiter; False when nobody waits for that id any more."""
        with self._lock:
            slot = self._slots.pop(request_id, None)
        if slot is None:
            return False
        slot.frame = frame
        slot.set()
        return True

    def discard(self, request_id: object) -> None:
        """Forget a slot (its caller gave up or finished); a later reply is then dropped."""
        with self._lock:
            self._slots.pop(request_id, None)

    def fail_all(self, reason: str) -> int:
        """Wake every waiter with ConnectionClosedError and refuse new slots; returns the count."""
        with self._lock:
            if self._closed_reason is None:
                self._closed_reason = reason
            slots = list(self._slots.items())
            self._slots.clear()
        for request_id, slot in slots:
            slot.error = ConnectionClosedError(reason, method=slot.method, request_id=request_id)
            slot.set()
        if slots:
            logger.info("connection lost (%s): woke %d pending request(s)", reason, len(slots))
        return len(slots)

    def retire(self, reason: str) -> None:
        """Refuse new slots (unsent, so their callers can go elsewhere); keep the waiting ones."""
        with self._lock:
            if self._closed_reason is None:
                self._closed_reason = reason

    @property
    def closed_reason(self) -> str | None:
        """Why the table stopped accepting requests, or None while it is open."""
        return self._closed_reason
