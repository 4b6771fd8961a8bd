"""Fault injection: the next request(s) of a method get a chosen misbehaviour."""

from __future__ import annotations

import collections
import threading

import attrs

__all__ = ["Fault", "FaultPlan"]

ANY_METHOD = "*"


@attrs.frozen(kw_only=True)
class Fault:
    """What to do instead of (or before) answering one request normally.

    ``status``/``code``/``msg``/``data``: answer with this error. ``delay``: answer after
    this many seconds (other requests on the connection are not held up). ``garbage``:
    send this frame first (``bytes`` go out as a binary frame). ``drop``: close the TCP
    connection without answering. ``wrong_id``: answer with an id nobody asked for.
    ``duplicate``: send the answer twice.
    """

    status: int | None = None
    code: int | None = None
    msg: str | None = None
    data: dict[str, object] | None = None
    delay: float = 0.0
    garbage: str | bytes | None = None
    drop: bool = False
    wrong_id: bool = False
    duplicate: bool = False


class FaultPlan:
    """Queued faults per method (``"*"`` matches any method), consumed one per request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: dict[str, collections.deque[Fault]] = collections.defaultdict(collections.deque)

    def add(self, method: str, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._queue[method].extend([fault] * times)

    def take(self, method: str) -> Fault | None:
        if not self._queue:  # the common case: nothing injected, no lock taken
            return None
        with self._lock:
            for key in (method, ANY_METHOD):
                queue = self._queue.get(key)
                if queue:
                    fault = queue.popleft()
                    if not queue:
                        del self._queue[key]
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
