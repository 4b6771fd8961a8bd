"""Fault injection: the next request(s) of a method get a chosen misbehaviour.

A fault may target one client: the connections whose URL carries ``?tag=...`` (see
:meth:`LocalExchange.url_for`). Untargeted faults go to whichever connection asks first.
"""

from __future__ import annotations

import collections
import threading
from typing import TypeAlias

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
    ``duplicate``: send the answer twice. ``executed``: with ``status`` or ``drop``, handle
    the request first (the order is placed), then answer with the error or cut: what a
    client sees when the answer of an executed request is lost.
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
    executed: bool = False


# (method or "*", connection tag or None for any connection)
_Key: TypeAlias = "tuple[str, str | None]"


class FaultPlan:
    """Queued faults per method (``"*"`` matches any method) and target, one per request.

    A request takes a fault aimed at its own connection's tag before an untargeted one,
    and one for its method before one for ``"*"``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: dict[_Key, collections.deque[Fault]] = collections.defaultdict(collections.deque)

    def add(self, method: str, fault: Fault, times: int = 1, *, connection: str | None = None) -> None:
        """Queue ``fault`` for the next ``times`` requests of ``method`` (on ``connection`` only)."""
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a positive int, got {times!r}")
        if connection is not None and (not isinstance(connection, str) or not connection):
            raise ValueError(f"connection must be a non-empty tag (str) or None, got {connection!r}")
        with self._lock:
            self._queue[(method, connection)].extend([fault] * times)

    def take(self, method: str, tag: str | None = None) -> Fault | None:
        """The fault for one request of ``method`` on a connection tagged ``tag``, or None."""
        if not self._queue:  # the common case: nothing injected, no lock taken
            return None
        keys: tuple[_Key, ...] = (
            ((method, tag), (ANY_METHOD, tag), (method, None), (ANY_METHOD, None))
            if tag is not None
            else ((method, None), (ANY_METHOD, None))
        )
        with self._lock:
            for key in keys:
                queue = self._queue.get(key)
                if queue:
                    fault = queue.popleft()
                    if not queue:
                        del self._queue[key]
                    return fault
        return None

    def pending(self, connection: str | None = None) -> int:
        """How many faults are still queued (for ``connection`` only, when given)."""
        with self._lock:
            return sum(
                len(q) for (_m, tag), q in self._queue.items() if connection is None or tag == connection
            )

    def clear(self, connection: str | None = None) -> None:
        """Forget every queued fault (only those aimed at ``connection``, when given)."""
        with self._lock:
            if connection is None:
                self._queue.clear()
            else:
                for key in [k for k in self._queue if k[1] == connection]:
                    del self._queue[key]
