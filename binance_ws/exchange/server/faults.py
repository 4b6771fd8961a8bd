"""Fault injection: the next request(s) of a method get a chosen misbehaviour.

A fault may target one client: the connections whose URL carries ``?tag=...`` (see
:meth:`LocalExchange.url_for`). Untargeted faults go to whichever connection asks first.
Besides queued faults, :class:`FaultOdds` gives every request a chance of one, drawn at
random (a chaos run's background noise).
"""

from __future__ import annotations

import collections
import math
import random
import threading
from typing import TypeAlias

import attrs

__all__ = ["Fault", "FaultOdds", "FaultPlan"]

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


def _probability(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ValueError(f"{name} must be a probability (0...1), got {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be a probability (0...1), got {value!r}")
    return float(value)


@attrs.frozen(kw_only=True)
class FaultOdds:
    """The chance of each fault for every request; at most one fault per request.

    ``delay``: answer after a random wait of up to ``max_delay`` seconds. ``error``: a 5xx
    (one of ``statuses``) instead of executing; ``error_executed``: execute, then answer
    with the 5xx. ``garbage``: a frame that is not JSON first. ``wrong_id``: answer with an
    id nobody asked for. ``duplicate``: answer twice. The probabilities add up to 1 at most.
    """

    delay: float = 0.0
    max_delay: float = 1.0
    error: float = 0.0
    error_executed: float = 0.0
    garbage: float = 0.0
    wrong_id: float = 0.0
    duplicate: float = 0.0
    statuses: tuple[int, ...] = (500, 503)

    def __attrs_post_init__(self) -> None:
        total = sum(_probability(name, getattr(self, name)) for name in _ODDS)
        if total > 1 + 1e-9:
            raise ValueError(f"the fault probabilities add up to {total:g}; they must not exceed 1")
        if not isinstance(self.max_delay, (int, float)) or not 0 < self.max_delay < 3600:
            raise ValueError(f"max_delay must be a positive number of seconds, got {self.max_delay!r}")
        if not self.statuses or any(
            isinstance(s, bool) or not isinstance(s, int) or not 500 <= s <= 599 for s in self.statuses
        ):
            raise ValueError(f"statuses must be 5xx statuses, got {self.statuses!r}")

    def draw(self, rng: random.Random) -> Fault | None:
        """One request's fault, or None (most requests, unless the odds are high)."""
        roll = rng.random()
        for name in _ODDS:
            chance: float = getattr(self, name)
            if roll < chance:
                return self._fault(name, rng)
            roll -= chance
        return None

    def _fault(self, name: str, rng: random.Random) -> Fault:
        if name == "delay":
            return Fault(delay=rng.uniform(0.0, self.max_delay) or self.max_delay)
        if name in ("error", "error_executed"):
            return Fault(status=rng.choice(self.statuses), executed=name == "error_executed")
        if name == "garbage":
            return Fault(garbage=rng.choice(_GARBAGE))
        return Fault(wrong_id=True) if name == "wrong_id" else Fault(duplicate=True)


_ODDS = ("delay", "error", "error_executed", "garbage", "wrong_id", "duplicate")
# Text that is not JSON, JSON that is no answer, an answer to nobody, and binary frames.
_GARBAGE: tuple[str | bytes, ...] = (
    "}{ not json",
    "[1, 2, 3]",
    '{"id": null, "status": 200, "result": {}}',
    '{"id": "stray", "status": 500}',
    b"\x00\xffbinary",
    "",
)


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
        self._odds: dict[str | None, FaultOdds] = {}
        self._rng = random.Random()

    def set_odds(
        self, odds: FaultOdds | None, *, connection: str | None = None, seed: int | None = None
    ) -> None:
        """Random faults for every request (on ``connection`` only); ``None`` turns them off.

        ``seed`` reseeds the draw, so a run can be repeated.
        """
        if odds is not None and not isinstance(odds, FaultOdds):
            raise TypeError(f"odds must be a FaultOdds or None, got {type(odds).__name__}")
        with self._lock:
            if seed is not None:
                self._rng.seed(seed)
            if odds is None:
                self._odds.pop(connection, None)
            else:
                self._odds[connection] = odds

    def add(self, method: str, fault: Fault, times: int = 1, *, connection: str | None = None) -> None:
        """Queue ``fault`` for the next ``times`` requests of ``method`` (on ``connection`` only)."""
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a positive int, got {times!r}")
        if connection is not None and (not isinstance(connection, str) or not connection):
            raise ValueError(f"connection must be a non-empty tag (str) or None, got {connection!r}")
        with self._lock:
            self._queue[(method, connection)].extend([fault] * times)

    def take(self, method: str, tag: str | None = None) -> Fault | None:
        """The fault for one request of ``method`` on a connection tagged ``tag``, or None.

        A queued fault comes first; without one, the odds of the tag (else the untargeted
        odds) may draw one.
        """
        if not self._queue and not self._odds:  # the common case: nothing injected, no lock taken
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
            odds = self._odds.get(tag) if tag is not None else None
            if odds is None:
                odds = self._odds.get(None)
            return None if odds is None else odds.draw(self._rng)

    def pending(self, connection: str | None = None) -> int:
        """How many faults are still queued (for ``connection`` only, when given)."""
        with self._lock:
            return sum(
                len(q) for (_m, tag), q in self._queue.items() if connection is None or tag == connection
            )

    def clear(self, connection: str | None = None) -> None:
        """Forget every queued fault and the odds (only those aimed at ``connection``, when given)."""
        with self._lock:
            if connection is None:
                self._queue.clear()
                self._odds.clear()
            else:
                self._odds.pop(connection, None)
                for key in [k for k in self._queue if k[1] == connection]:
                    del self._queue[key]
