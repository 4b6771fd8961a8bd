"""The client-side rate governor: no request goes out that Binance would refuse with a 429.

Every limit Binance applies is a bucket here: ``REQUEST_WEIGHT`` per minute (per IP),
``ORDERS`` per 10 s and per day (per account), and connection attempts (an
:class:`~binance_ws.AttemptBudget`, 300 per 5 minutes per IP). Before a request is sent its
weight (and, for order placements, its order count) is reserved; each response's
``rateLimits`` then sets the count to the server's, the truth. Windows reset on calendar
boundaries of the server clock (local clock plus ``time_offset``).

What it reports, :class:`~binance_ws.RateLimitUsage`, is a record of ``_ratelimits``.
"""

import collections
import datetime as _dt
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from ._connection import AttemptBudget
from ._errors import InvalidParameterError, RateLimitedError
from ._ratelimits import INTERVAL_SECONDS as _INTERVAL_SECONDS
from ._ratelimits import RateLimitUsage
from .enums import RateLimitInterval, RateLimitType

logger = logging.getLogger("binance_ws._client")

__all__ = ["RATE_LIMIT_MODES", "RateGovernor", "validate_rate_limit"]

#: The values of ``Client(rate_limit=...)``.
RATE_LIMIT_MODES = ("wait", "raise", None)
DEFAULT_WEIGHT_LIMIT = 6000
DEFAULT_ORDERS_10S = 50
DEFAULT_ORDERS_DAY = 160_000
#: A window counts as reset this many seconds after its boundary on the (estimated) server
#: clock. It covers the error of that estimate in both directions: a server clock up to this
#: much ahead of or behind ours has already reset when we do, and a request sent just before
#: our boundary is counted in whichever window the server puts it in (see ``_Bucket.roll``).
DEFAULT_MARGIN = 0.5
_CONNECT_WEIGHT = 2

# A reservation: (weight, orders, weight given back on success, account, window time).
Reservation = tuple[int, int, int, str, float]


def validate_rate_limit(value: object) -> str | None:
    """``Client(rate_limit=...)``: "wait", "raise" or None, else InvalidParameterError."""
    if value is None or (isinstance(value, str) and value in ("wait", "raise")):
        return value
    raise InvalidParameterError(
        "rate_limit", f"must be 'wait' (the default), 'raise' or None (no local limiting), got {value!r}"
    )


class _Bucket:
    """One calendar-window counter. ``used`` includes ``pending`` (reserved, not answered)."""

    __slots__ = (
        "carry",
        "interval",
        "kind",
        "learnt",
        "length",
        "limit",
        "num",
        "pending",
        "reset_at",
        "seen",
        "start",
        "used",
        "window",
    )

    def __init__(self, kind: str, interval: str, num: int, limit: int) -> None:
        self.kind = kind
        self.interval = interval
        self.num = num
        self.length = float(_INTERVAL_SECONDS.get(interval, 60) * max(num, 1))
        self.limit = limit
        self.used = 0
        self.pending = 0
        # The highest count the server reported in this window (after refunds given back).
        self.seen = 0
        # Answered after the server's boundary, before ours (ours lags by the margin): the
        # server may have counted them in the next window, so they carry over into it.
        self.carry = 0
        self.window = -1
        #: When the current window began and ends (``now`` units: server seconds minus the
        #: margin); ``start <= at < reset_at`` tells a reservation of this window.
        self.start = -1.0
        self.reset_at = 0.0
        self.learnt = False

    def roll(self, now: float) -> None:
        window = int(now // self.length)
        if window > self.window:
            # Reservations still unanswered may be counted in the new window: keep them, and
            # those answered after the server's boundary (``carry``, see RateGovernor.settle).
            self.window, self.used, self.seen = window, self.pending + self.carry, 0
            self.carry = 0
            self.start = window * self.length
            self.reset_at = (window + 1) * self.length

    def resets_in(self, now: float) -> float:
        return (self.window + 1) * self.length - now

    def label(self) -> str:
        return f"{self.kind} {self.num} {self.interval}"


class RateGovernor:
    """Keeps every request within Binance's limits before it is sent; thread-safe.

    Each :class:`~binance_ws.Client` makes its own; give several clients of one process on
    one IP the same one (``Client(..., rate_governor=governor)``), since the request weight
    and connection attempts are counted per IP, and a ban (418) holds every one of them.

    Unfilled orders (``ORDERS``) are counted per API key of the clients; Binance counts
    them per account, and the counts in each order response bring in the account's other
    keys. After a 429 or 418 nothing is sent by any client sharing it until ``retryAfter``.

    ``weight_limit``, ``orders_10s``, ``orders_day``: the documented defaults, used until
    the server reports its own (every response's ``rateLimits``, ``exchange_info()``).
    ``connection_budget``: the connection attempts (default: 300 per 5 minutes).
    ``margin``: seconds after a window's boundary before it counts as reset (clock skew).
    ``clock``: the local clock in epoch seconds (``time.time``); the server's is this plus
    :attr:`time_offset`. Tests shift it to bring a window boundary near.

    Example::

        >>> from binance_ws import Client, RateGovernor
        >>> from binance_ws.exchange import LocalExchange
        >>> governor = RateGovernor()
        >>> with LocalExchange() as ex, Client(ex.url, rate_governor=governor) as a, \\
        ...         Client(ex.url, rate_governor=governor) as b:
        ...     _ = a.ping(), b.ping()
        ...     governor.snapshot()[0].usage >= 2 + 2 + 1 + 1  # two connections, two pings
        True
    """

    def __init__(
        self,
        *,
        weight_limit: int = DEFAULT_WEIGHT_LIMIT,
        orders_10s: int = DEFAULT_ORDERS_10S,
        orders_day: int = DEFAULT_ORDERS_DAY,
        connection_budget: AttemptBudget | None = None,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        for name, value in (
            ("weight_limit", weight_limit),
            ("orders_10s", orders_10s),
            ("orders_day", orders_day),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidParameterError(name, f"must be a positive int, got {value!r}")
        if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin < 10:
            raise InvalidParameterError("margin", f"must be seconds between 0 and 10, got {margin!r}")
        self.connection_budget = connection_budget if connection_budget is not None else AttemptBudget()
        self.margin = float(margin)
        self._clock = clock
        self._offset = 0.0
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._weights = [_Bucket("REQUEST_WEIGHT", "MINUTE", 1, weight_limit)]
        self._order_defaults = ((10, orders_10s), (1, orders_day))
        self._orders: dict[str, list[_Bucket]] = {}
        self._queue: collections.deque[object] = collections.deque()
        self._head_ready = 0.0
        #: After a 429/418: (time.monotonic() until which nothing is sent, the server's
        #: error, whether only order placements are held).
        self._hold: tuple[float, RateLimitedError, bool] | None = None
        self._resync_cache: dict[str, dict[tuple[Any, ...], _Bucket]] = {}

    # -- clock -----------------------------------------------------------------------------

    @property
    def time_offset(self) -> int:
        """Server clock minus local clock in ms (the clients using it keep it current)."""
        return int(self._offset * 1000)

    @time_offset.setter
    def time_offset(self, value: int) -> None:
        self._offset = value / 1000

    def _now(self) -> float:
        return self._clock() + self._offset - self.margin

    # -- reserving -------------------------------------------------------------------------

    def acquire(
        self,
        weight: int = 1,
        orders: int = 0,
        *,
        refund: int = 0,
        account: str = "",
        mode: str | None = "wait",
        timeout: float = 10.0,
        method: str = "request",
        wait_slice: float | None = None,
    ) -> Reservation:
        """Reserve ``weight`` (and ``orders`` for ``account``) before sending; returns the
        reservation to give to :meth:`settle` with the response.

        ``mode="wait"`` waits (first come, first served) for the window that is full to
        reset, at most ``timeout`` seconds; ``"raise"`` does not wait; either raises a
        :class:`~binance_ws.RateLimitedError` with ``local=True`` when it cannot send.
        ``None`` counts without ever refusing. After a 429/418 every mode raises until the
        server's ``retryAfter``. ``refund``: what a success gives back (``weight_on_success``).

        Example::

            >>> from binance_ws import RateGovernor, RateLimitedError
            >>> governor = RateGovernor(weight_limit=10)
            >>> token = governor.acquire(8, method="ping")
            >>> try:
            ...     governor.acquire(5, mode="raise", method="depth")
            ... except RateLimitedError as err:
            ...     print(err.local, "REQUEST_WEIGHT 1 MINUTE" in str(err))
            True True
        """
        hold = self._hold
        if hold is not None:
            self._check_hold(hold, method, orders > 0)
        with self._lock:
            if not self._queue:
                # The hot path, inline: nobody waiting, and the request fits (or is only counted).
                now = self._clock() + self._offset - self.margin
                fits = True
                for bucket in self._weights:
                    if now >= bucket.reset_at:
                        bucket.roll(now)
                    if weight and bucket.used + weight > bucket.limit:
                        fits = False
                order_buckets = (self._orders.get(account) or self._order_buckets(account)) if orders else ()
                for bucket in order_buckets:
                    if now >= bucket.reset_at:
                        bucket.roll(now)
                    if bucket.used + orders > bucket.limit:
                        fits = False
                if fits or mode is None:
                    for bucket in self._weights:
                        bucket.used += weight
                        bucket.pending += weight
                    for bucket in order_buckets:
                        bucket.used += orders
                        bucket.pending += orders
                    return (weight, orders, refund, account, now)
        return self._wait_turn(
            weight=weight,
            orders=orders,
            refund=refund,
            account=account,
            mode=mode,
            timeout=timeout,
            method=method,
            wait_slice=wait_slice,
        )

    def _charge(self, now: float, weight: int, orders: int, refund: int, account: str) -> Reservation:
        for bucket in self._weights:
            bucket.roll(now)
            bucket.used += weight
            bucket.pending += weight
        if orders:
            for bucket in self._order_buckets(account):
                bucket.roll(now)
                bucket.used += orders
                bucket.pending += orders
        return (weight, orders, refund, account, now)

    def _order_buckets(self, account: str) -> list[_Bucket]:
        buckets = self._orders.get(account)
        if buckets is None:
            buckets = self._orders[account] = [
                _Bucket("ORDERS", "SECOND" if num == 10 else "DAY", num, limit)
                for num, limit in self._order_defaults
            ]
        return buckets

    def _blocking(self, now: float, weight: int, orders: int, account: str) -> _Bucket | None:
        """The first bucket the request does not fit in (None: it fits everywhere)."""
        for bucket in self._weights:
            bucket.roll(now)
            if weight and bucket.used + weight > bucket.limit:
                return bucket
        if orders:
            for bucket in self._order_buckets(account):
                bucket.roll(now)
                if bucket.used + orders > bucket.limit:
                    return bucket
        return None

    def _wait_turn(
        self,
        *,
        weight: int,
        orders: int,
        refund: int,
        account: str,
        mode: str | None,
        timeout: float,
        method: str,
        wait_slice: float | None,
    ) -> Reservation:
        deadline = time.monotonic() + timeout
        ticket = object()
        with self._cond:
            now = self._now()

            def refuse(bucket: _Bucket | None, why: str) -> RateLimitedError:
                bucket = bucket or self._blocking(now, weight, orders, account) or self._weights[0]
                return self._refusal(bucket, now, weight=weight, orders=orders, method=method, why=why)

            for bucket in self._weights + (self._order_buckets(account) if orders else []):
                if (orders if bucket.kind == "ORDERS" else weight) > bucket.limit:
                    raise refuse(bucket, "it can never fit")
            if mode != "wait":  # "raise" never queues, nor overtakes those who wait
                if not self._queue and self._blocking(now, weight, orders, account) is None:
                    return self._charge(now, weight, orders, refund, account)
                raise refuse(None, "rate_limit='raise'")
            self._queue.append(ticket)
            try:
                while True:
                    now = self._now()
                    left = deadline - time.monotonic()
                    if self._queue[0] is ticket:
                        blocking = self._blocking(now, weight, orders, account)
                        if blocking is None:
                            return self._charge(now, weight, orders, refund, account)
                        pause = blocking.resets_in(now)
                        self._head_ready = time.monotonic() + pause
                    else:
                        # Served after the head at the earliest; woken when the queue moves.
                        blocking = None
                        pause = left if self._head_ready - time.monotonic() <= left else math.inf
                    if pause > left or left <= 0:
                        raise refuse(blocking, "timeout")
                    self._cond.wait(pause if wait_slice is None else min(pause, wait_slice))
            finally:
                if ticket in self._queue:
                    self._queue.remove(ticket)
                self._cond.notify_all()

    def _refusal(
        self, bucket: _Bucket, now: float, *, weight: int, orders: int, method: str, why: str
    ) -> RateLimitedError:
        cost = orders if bucket.kind == "ORDERS" else weight
        reset = now + bucket.resets_in(now) + self.margin  # on the server's clock
        at = _dt.datetime.fromtimestamp(reset, tz=_dt.timezone.utc).strftime("%H:%M:%S UTC")
        unit = "orders" if bucket.kind == "ORDERS" else "weight"
        if why == "it can never fit":
            reason = f"this request alone needs {cost} {unit}, more than the limit"
        elif why == "timeout":
            reason = "the wait would outlast the call's timeout"
        else:
            reason = why
        msg = (
            f"{bucket.label()}: {bucket.used}/{bucket.limit} used, this request adds {cost};"
            f" resets in {bucket.resets_in(now):.1f} s (at {at}); not sent ({reason})"
        )
        error = RateLimitedError(
            429,
            -1015 if bucket.kind == "ORDERS" else -1003,
            msg,
            method=method,
            data={"retryAfter": int(reset * 1000)},
        )
        error.local = True
        return error

    # -- answers ---------------------------------------------------------------------------

    def settle(self, reservation: Reservation, success: bool, raw_limits: Any = None) -> None:
        """Account for the answer to a reserved request (``raw_limits``: its ``rateLimits``).

        Also call it, with ``success=False``, when the request failed without an answer:
        what was reserved stays counted, as the server may have counted it.
        """
        weight, orders, refund, account, at = reservation
        # An answer that arrives after the server's boundary (ours comes ``margin`` later) may
        # have been counted in the server's next window: it carries over into ours.
        margin = self.margin
        with self._lock:
            now = self._clock() + self._offset - margin
            cost = weight - refund if success else weight
            for bucket in self._weights:
                if now >= bucket.reset_at:
                    bucket.roll(now)
                pending = bucket.pending - weight
                bucket.pending = pending if pending > 0 else 0
                if bucket.start <= at < bucket.reset_at:
                    if success and refund:
                        bucket.used = max(bucket.used - refund, 0)
                        bucket.seen = max(bucket.seen - refund, 0)
                    if cost and now >= bucket.reset_at - margin:
                        bucket.carry += cost
            if orders:
                for bucket in self._orders.get(account) or self._order_buckets(account):
                    if now >= bucket.reset_at:
                        bucket.roll(now)
                    pending = bucket.pending - orders
                    bucket.pending = pending if pending > 0 else 0
                    if now >= bucket.reset_at - margin and bucket.start <= at < bucket.reset_at:
                        bucket.carry += orders
            if raw_limits:
                self._resync(raw_limits, account, now, at)
            if self._queue:
                self._cond.notify_all()

    def release(self, reservation: Reservation) -> None:
        """Give a reservation back whole: the request was certainly not sent."""
        weight, orders, _refund, account, at = reservation
        with self._lock:
            now = self._now()
            buckets = list(self._weights)
            if orders:
                buckets += self._order_buckets(account)
            for bucket in buckets:
                cost = orders if bucket.kind == "ORDERS" else weight
                bucket.roll(now)
                bucket.pending = max(bucket.pending - cost, 0)
                if bucket.start <= at < bucket.reset_at:
                    bucket.used = max(bucket.used - cost, 0)
            if self._queue:
                self._cond.notify_all()

    def _resync(self, raw: Any, account: str, now: float, at: float) -> None:
        if not isinstance(raw, (list, tuple)):  # a JSON array; anything else is no report
            return
        # Every response reports the same few limits: found by their identity, once checked,
        # rather than validated again on every answer (one table per account: the weight's
        # bucket is in each, ORDERS buckets only in their account's).
        cache = self._resync_cache.get(account)
        if cache is None:
            cache = self._resync_cache[account] = {}
        for entry in raw:
            try:
                key = (entry["rateLimitType"], entry["interval"], entry["intervalNum"], entry["limit"])
                count = entry["count"]
                bucket = cache.get(key)
            except (TypeError, KeyError):  # not an object, a field missing, an unhashable value
                continue
            if bucket is None or bucket.limit != key[3]:
                bucket = self._bucket_for(entry, account)
                if bucket is None:
                    continue
                cache[key] = bucket
            if now >= bucket.reset_at:
                bucket.roll(now)
            # An answer to a request reserved in an earlier window may report that window.
            if count.__class__ is not int or not bucket.start <= at < bucket.reset_at:
                continue
            # Within a window the highest count reported wins: answers are settled by their
            # callers' threads in any order, so a lower count may be an older answer (taken
            # as is, it once let an order through into a full window). Fills lower the
            # server's unfilled-order count; here they count until the window resets, which
            # holds back no more than the server might.
            bucket.seen = max(bucket.seen, count)
            bucket.used = bucket.seen + bucket.pending

    def _bucket_for(self, entry: Mapping[str, Any], account: str) -> _Bucket | None:
        kind, interval = entry.get("rateLimitType"), entry.get("interval")
        num, limit = entry.get("intervalNum"), entry.get("limit")
        if type(num) is not int or type(limit) is not int or num < 1 or limit < 1:
            return None
        if not isinstance(interval, str) or interval not in _INTERVAL_SECONDS:
            return None
        if kind == "REQUEST_WEIGHT":
            buckets = self._weights
        elif kind == "ORDERS":
            buckets = self._order_buckets(account)
        elif kind == "CONNECTIONS":
            budget = self.connection_budget
            budget.limit = limit
            budget.window = float(_INTERVAL_SECONDS[str(interval)] * num)
            return None
        else:
            return None
        for bucket in buckets:
            if bucket.interval == interval and bucket.num == num:
                break
        else:
            bucket = _Bucket(str(kind), str(interval), num, limit)
            buckets.append(bucket)
        bucket.limit = limit
        bucket.learnt = True
        return bucket

    def learn(self, raw_limits: Any, account: str = "") -> None:
        """Take the configured limits of ``exchange_info()``'s ``rateLimits`` (no counts)."""
        if not isinstance(raw_limits, (list, tuple)):
            return
        with self._lock:
            for entry in raw_limits:
                if type(entry) is dict:
                    self._bucket_for(entry, account)
            if self._queue:
                self._cond.notify_all()

    def note_connection(self) -> None:
        """Count an attempt to open a connection: 2 request weight, as Binance charges."""
        with self._lock:
            now = self._now()
            for bucket in self._weights:
                bucket.roll(now)
                bucket.used += _CONNECT_WEIGHT

    # -- after a 429 / 418 -----------------------------------------------------------------

    def _check_hold(
        self, hold: tuple[float, RateLimitedError, bool], method: str, places_orders: bool
    ) -> None:
        if time.monotonic() >= hold[0]:
            with self._lock:
                if self._hold is hold:
                    self._hold = None
        elif not hold[2] or places_orders:
            raise hold[1].held_back(method)

    def hold_back(self, error: RateLimitedError) -> None:
        """After a 429 or 418, send nothing until the server's ``retryAfter``.

        Binance bans an IP that keeps sending after a 429. Without a ``retryAfter`` the
        hold lasts until the end of the exhausted window the response reported (1 s if none).
        The unfilled-order limit (-1015, ORDERS) holds new orders only.
        """
        seconds = error.seconds_left(self.time_offset)
        if seconds is None:
            seconds = max(
                (limit.seconds_to_reset() for limit in error.rate_limits if limit.exhausted), default=1.0
            )
        until = time.monotonic() + min(seconds, threading.TIMEOUT_MAX)
        exhausted = [str(limit.type) for limit in error.rate_limits if limit.exhausted]
        orders_only = error.code == -1015 or (bool(exhausted) and set(exhausted) == {"ORDERS"})
        with self._lock:
            current = self._hold
            if current is None or current[0] < until or (current[2] and not orders_only):
                self._hold = (until, error, orders_only)
        what = "new orders" if orders_only else "every request"
        logger.warning("%s: holding %s back for %.1f s, as the server asked", error.method, what, seconds)

    # -- what it sees ----------------------------------------------------------------------

    @property
    def waiting(self) -> int:
        """How many requests are waiting for their turn right now."""
        return len(self._queue)

    def snapshot(self, account: str = "") -> tuple[RateLimitUsage, ...]:
        """The current usage of every limit: request weight, ``account``'s orders, connections."""
        with self._lock:
            now = self._now()
            buckets = list(self._weights) + list(self._order_buckets(account))
            out = []
            for bucket in buckets:
                bucket.roll(now)
                seconds = bucket.resets_in(now)
                out.append(
                    RateLimitUsage(
                        type=RateLimitType(bucket.kind),
                        interval=RateLimitInterval(bucket.interval),
                        interval_num=bucket.num,
                        limit=bucket.limit,
                        usage=bucket.used,
                        resets_at=_dt.datetime.fromtimestamp(
                            now + self.margin + seconds, tz=_dt.timezone.utc
                        ),
                        seconds_to_reset=seconds,
                        learnt=bucket.learnt,
                    )
                )
        budget = self.connection_budget
        used, seconds = budget.usage()
        out.append(
            RateLimitUsage(
                type=RateLimitType.CONNECTIONS,
                interval=RateLimitInterval.MINUTE,
                interval_num=max(int(budget.window // 60), 1),
                limit=budget.limit,
                usage=used,
                resets_at=_dt.datetime.fromtimestamp(now + self.margin + seconds, tz=_dt.timezone.utc),
                seconds_to_reset=seconds,
            )
        )
        return tuple(out)

    def __repr__(self) -> str:
        weight = self._weights[0]
        return f"<binance_ws.RateGovernor weight={weight.used}/{weight.limit} waiting={len(self._queue)}>"
