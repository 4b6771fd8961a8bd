"""The chaos thread of ``python -m bench.chaos``: it makes the local exchange misbehave.

One episode at a time, picked at random (seeded): noise on a share of the requests (delays,
5xx before or after executing, stray frames, wrong and duplicate ids), connection trouble
(drops, ``serverShutdown``, restarts, half-open links, refused connections, an outage followed
by slow answers) and, with ``rate_limits``, limits lowered far enough that the client's
traffic exceeds them. Every
episode is bounded and ends when the run stops; :meth:`ChaosMonkey.quiet` undoes them all.
Runs shorter than a minute get proportionally shorter episodes.
"""

from __future__ import annotations

import collections
import random
import threading
from collections.abc import Callable

from binance_ws.exchange import LocalExchange

__all__ = ["ChaosMonkey", "STRAY_FRAMES"]

# Frames no request asked for: not JSON, JSON that is no answer, answers to nobody, binary.
STRAY_FRAMES: tuple[str | bytes, ...] = (
    "}{ not json",
    "[]",
    "null",
    '{"id": 999999999, "status": 200, "result": {}}',
    '{"id": "x", "status": 503, "error": {"code": -1008, "msg": "stray"}}',
    '{"event": {"e": "somethingNew"}}',
    b"\x00\x01binary",
)
# The longest random answer delay, in seconds (the resolve window is far longer).
MAX_DELAY = 3.0
# Limits the exchange runs with outside the rate-limit episodes: high enough never to refuse.
HIGH_WEIGHT = 10**9
HIGH_ORDERS_10S = 10**9
HIGH_ORDERS_DAY = 10**12


class ChaosMonkey(threading.Thread):
    """Runs random episodes against ``ex`` until ``stop`` is set; counts them in :attr:`episodes`."""

    def __init__(
        self,
        ex: LocalExchange,
        stop: threading.Event,
        *,
        seed: int,
        duration: float,
        rate_limits: bool,
    ) -> None:
        super().__init__(name="chaos-monkey", daemon=True)
        self.ex = ex
        self.stop = stop
        self.rng = random.Random(seed)
        self.duration = duration
        # A short run (the test suite's) gets shorter episodes, so it still sees many kinds.
        self.scale = min(1.0, max(0.1, duration / 60))
        self.rate_limits = rate_limits
        self.episodes: collections.Counter[str] = collections.Counter()
        self.failures: list[str] = []
        self._weight_done = False
        self._began = 0.0
        kinds: list[Callable[[], None]] = [
            self.delays,
            self.errors,
            self.bad_ids,
            self.stray_frames,
            self.mixed_noise,
            self.drop,
            self.shutdown,
            self.restart,
            self.half_open,
            self.refuse,
            self.slow_comeback,
        ]
        if rate_limits:
            kinds += [self.order_limit, self.weight_limit]
        self._kinds = kinds

    def run(self) -> None:
        import time

        self._began = time.monotonic()
        while not self.stop.wait(self.rng.uniform(0.1, 0.8) * self.scale):
            episode = self.rng.choice(self._kinds)
            if episode.__name__ != "weight_limit":  # it counts itself, or what it runs instead
                self.episodes[episode.__name__] += 1
            try:
                episode()
            except Exception as exc:  # an exchange control failing is worth a line, not a crash
                self.failures.append(f"{episode.__name__}: {type(exc).__name__}: {exc}")
            # The exchange keeps every request for its tests; a long run need not.
            self.ex.requests.clear()
        self.quiet()

    def _hold(self, low: float, high: float) -> None:
        self.stop.wait(self.rng.uniform(low, high) * self.scale)

    # -- noise on a share of the requests --------------------------------------------------

    def delays(self) -> None:
        self.ex.random_faults(delay=self.rng.uniform(0.1, 0.5), max_delay=self.rng.uniform(0.3, MAX_DELAY))
        self._hold(1.0, 4.0)
        self.ex.random_faults()

    def errors(self) -> None:
        self.ex.random_faults(error=self.rng.uniform(0.02, 0.2), error_executed=self.rng.uniform(0.02, 0.2))
        self._hold(0.5, 3.0)
        self.ex.random_faults()

    def bad_ids(self) -> None:
        self.ex.random_faults(wrong_id=self.rng.uniform(0.01, 0.1), duplicate=self.rng.uniform(0.05, 0.3))
        self._hold(0.5, 3.0)
        self.ex.random_faults()

    def stray_frames(self) -> None:
        self.ex.random_faults(garbage=self.rng.uniform(0.05, 0.3))
        for frame in self.rng.sample(STRAY_FRAMES, 3):
            self.ex.send_garbage(frame)
        self._hold(0.5, 3.0)
        self.ex.random_faults()

    def mixed_noise(self) -> None:
        self.ex.random_faults(
            delay=0.05,
            max_delay=MAX_DELAY,
            error=0.02,
            error_executed=0.02,
            garbage=0.05,
            wrong_id=0.01,
            duplicate=0.05,
        )
        self._hold(2.0, 6.0)
        self.ex.random_faults()

    # -- connection trouble ----------------------------------------------------------------

    def drop(self) -> None:
        self.ex.drop_all_connections()

    def shutdown(self) -> None:
        self.ex.send_server_shutdown(close_after=self.rng.uniform(0.1, 3.0))
        self._hold(0.5, 3.0)

    def restart(self) -> None:
        self.ex.restart()

    def half_open(self) -> None:
        self.ex.go_half_open()
        self._hold(0.5, 4.0)
        if self.rng.random() < 0.5:
            self.ex.end_half_open()  # what was sent meanwhile is processed now, late
        else:
            self.ex.drop_all_connections()
            self.ex.end_half_open()

    def refuse(self) -> None:
        self.ex.refuse_connections(self.rng.uniform(0.3, 2.0), status=self.rng.choice([None, 429, 500, 503]))
        self.ex.drop_all_connections()
        self._hold(0.3, 2.0)

    def slow_comeback(self) -> None:
        """An outage, then slow answers: calls that waited for the connection wait again."""
        self.ex.random_faults(delay=self.rng.uniform(0.7, 1.0), max_delay=MAX_DELAY)
        self.ex.refuse_connections(self.rng.uniform(0.5, 1.5))
        self.ex.drop_all_connections()
        self._hold(2.0, 5.0)
        self.ex.random_faults()

    # -- low rate limits -------------------------------------------------------------------

    def order_limit(self) -> None:
        """Few new orders per 10 s: a 429 (-1015) that holds new orders until the window ends."""
        counts = self.ex.order_limits
        counts.reset()
        counts.limit_10s = self.rng.randint(3, 20)
        self._hold(1.0, 4.0)
        counts.limit_10s = HIGH_ORDERS_10S
        counts.reset()

    def weight_limit(self) -> None:
        """A request-weight limit a little above what was used this minute.

        A 429 here holds every request until the minute ends, and 429s past ``ban_after``
        bring a 418 ban: once per run, in its last third, so it cannot starve the rest.
        """
        import time

        if self._weight_done or time.monotonic() - self._began < self.duration * 2 / 3:
            other = self.rng.choice([k for k in self._kinds if k.__name__ != "weight_limit"])
            self.episodes[other.__name__] += 1
            other()
            return
        self._weight_done = True
        self.episodes["weight_limit"] += 1
        weights = self.ex.weights
        weights.reset()
        weights.limit = self.rng.randint(50, 300)
        self._hold(1.0, 3.0)
        weights.limit = HIGH_WEIGHT
        weights.reset()

    def quiet(self) -> None:
        """End every fault: no noise, no half-open, connections accepted, limits high."""
        ex = self.ex
        ex.random_faults()
        ex.faults.clear()
        ex.end_half_open()
        ex.accept_connections()
        ex.weights.limit = HIGH_WEIGHT
        ex.order_limits.limit_10s = HIGH_ORDERS_10S
        ex.order_limits.limit_day = HIGH_ORDERS_DAY
        ex.weights.reset()
        ex.order_limits.reset()
