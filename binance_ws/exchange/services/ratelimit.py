"""Rate limits of the local exchange: request weight per IP, unfilled orders per account.

Buckets reset on calendar boundaries as Binance's do: the 1-minute weight bucket at each full
minute, the 10-second order bucket at :00, :10, :20..., the daily one at 00:00 UTC.

* ``REQUEST_WEIGHT`` (:class:`WeightCounter`): every request is charged its weight
  (:func:`weight_of`) against its IP; a successful order placement, cancel or order list
  gets back all but its ``weight_on_success`` (0). Past the limit the answer is 429 / -1003 with
  ``error.data = {serverTime, retryAfter}``; after ``ban_after`` such answers within one
  minute the IP is banned (418 / -1003) for 2 minutes, doubling for each later ban up to
  3 days.
* ``ORDERS`` (:class:`OrderCounter`): order-placing methods are charged their unfilled order
  count against the account. Past a limit the answer is 429 / -1015. A fill gives one back
  (:meth:`OrderCounter.order_filled`), as Binance's unfilled-order-count rules say.

Both are thread-safe: every connection's handler thread charges them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from ..._weights import request_weight
from ..model.clock import Clock, now_ms
from ..model.errors import ExchangeError

__all__ = ["OrderCounter", "WeightCounter", "weight_of"]

_MINUTE_MS = 60_000
_TEN_SECONDS_MS = 10_000
_DAY_MS = 86_400_000
# Binance's ban ladder: "from 2 minutes to 3 days" for repeat offenders.
_FIRST_BAN_MS = 120_000
_MAX_BAN_MS = 3 * _DAY_MS


def weight_of(method: str, params: Mapping[str, Any]) -> int:
    """The request weight of one call: :func:`binance_ws._weights.request_weight`, the one
    function the client's rate governor uses too.

    >>> weight_of("depth", {"symbol": "BTCUSDT", "limit": 5000})
    250
    >>> weight_of("ticker", {"symbols": ["BTCUSDT", "ETHUSDT"]})
    8
    """
    return request_weight(method, params)


def _entry(kind: str, interval: str, num: int, limit: int, count: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"rateLimitType": kind, "interval": interval, "intervalNum": num, "limit": limit}
    if count is not None:
        out["count"] = count
    return out


class _IPWeight:
    """One IP's weight bucket and ban record."""

    __slots__ = ("ban_count", "banned_until", "minute", "used", "violations")

    def __init__(self) -> None:
        self.minute = 0
        self.used = 0
        self.violations = 0
        self.banned_until = 0
        self.ban_count = 0


class WeightCounter:
    """``REQUEST_WEIGHT`` per IP and calendar minute, with 429s and escalating 418 bans.

    ``limit``: weight per minute. ``ban_after``: how many 429s one IP may receive within a
    minute before it is banned (``None``: never ban).
    """

    def __init__(
        self,
        limit: int,
        *,
        ban_after: int | None = 10,
        enforce: bool = True,
        clock: Clock = now_ms,
    ) -> None:
        self.limit = limit
        #: Epoch ms that place the calendar windows (the real clock unless a test shifts it).
        self.clock = clock
        self.ban_after = ban_after
        #: When False the weight is counted and reported but never refused.
        self.enforce = enforce
        self._lock = threading.Lock()
        self._ips: dict[str, _IPWeight] = {}

    def charge(self, ip: str, weight: int, now: int | None = None) -> tuple[int, ExchangeError | None]:
        """Count ``weight`` for ``ip``; returns the minute's total and the error to answer, if any.

        A banned IP is not charged. A refused request is charged: Binance counts it too.
        """
        now = self.clock() if now is None else now
        minute = now // _MINUTE_MS
        with self._lock:
            state = self._ips.setdefault(ip, _IPWeight())
            if minute != state.minute:
                state.minute, state.used, state.violations = minute, 0, 0
            if self.enforce and state.banned_until > now:
                return state.used, self._banned(state.banned_until, now)
            state.used += weight
            if not self.enforce or state.used <= self.limit:
                return state.used, None
            state.violations += 1
            if self.ban_after is not None and state.violations > self.ban_after:
                state.ban_count += 1
                length = min(_FIRST_BAN_MS * 2 ** (state.ban_count - 1), _MAX_BAN_MS)
                state.banned_until = now + length
                return state.used, self._banned(state.banned_until, now)
            retry = (minute + 1) * _MINUTE_MS
            msg = (
                f"Too much request weight used; current limit is {self.limit} request weight per 1 MINUTE."
                " Please use WebSocket Streams for live updates to avoid polling the API."
            )
            return state.used, ExchangeError(429, -1003, msg, {"serverTime": now, "retryAfter": retry})

    def refund(self, ip: str, weight: int, now: int | None = None) -> int:
        """Give ``weight`` back to ``ip`` (a successful order request pays ``weight_on_success``);
        returns the minute's total."""
        minute = (self.clock() if now is None else now) // _MINUTE_MS
        with self._lock:
            state = self._ips.get(ip)
            if state is None or state.minute != minute:
                return 0
            state.used = max(state.used - weight, 0)
            return state.used

    @staticmethod
    def _banned(until: int, now: int) -> ExchangeError:
        msg = (
            f"Way too much request weight used; IP banned until {until}."
            " Please use WebSocket Streams for live updates to avoid bans."
        )
        return ExchangeError(418, -1003, msg, {"serverTime": now, "retryAfter": until})

    def used(self, ip: str, now: int | None = None) -> int:
        """Weight used by ``ip`` in the current minute."""
        minute = (self.clock() if now is None else now) // _MINUTE_MS
        with self._lock:
            state = self._ips.get(ip)
            return state.used if state is not None and state.minute == minute else 0

    def banned_until(self, ip: str) -> int | None:
        """The end of ``ip``'s ban in epoch ms, or None when it is not banned."""
        with self._lock:
            state = self._ips.get(ip)
            if state is None or state.banned_until <= self.clock():
                return None
            return state.banned_until

    def reset(self) -> None:
        """Forget every count, violation and ban (tests call it between scenarios)."""
        with self._lock:
            self._ips.clear()

    def report(self, used: int) -> list[dict[str, Any]]:
        """The ``REQUEST_WEIGHT`` entry of a ``rateLimits`` array."""
        return [_entry("REQUEST_WEIGHT", "MINUTE", 1, self.limit, used)]

    def config(self) -> dict[str, Any]:
        """The entry for ``exchangeInfo.rateLimits`` (no count)."""
        return _entry("REQUEST_WEIGHT", "MINUTE", 1, self.limit, None)


class _Bucket:
    __slots__ = ("count", "window")

    def __init__(self) -> None:
        self.window = 0
        self.count = 0


class OrderCounter:
    """``ORDERS``: unfilled order count per account, per 10 seconds and per day.

    Read it with :meth:`snapshot` (what ``account.rateLimits.orders`` reports).
    """

    def __init__(
        self, limit_10s: int, limit_day: int, *, enforce: bool = True, clock: Clock = now_ms
    ) -> None:
        self.limit_10s = limit_10s
        self.clock = clock
        self.limit_day = limit_day
        #: When False orders are counted and reported but never refused.
        self.enforce = enforce
        self._lock = threading.Lock()
        self._accounts: dict[str, tuple[_Bucket, _Bucket]] = {}

    def _windows(self) -> tuple[tuple[int, int, str, int], ...]:
        # (window length ms, limit, interval, intervalNum), in the order Binance lists them.
        return ((_TEN_SECONDS_MS, self.limit_10s, "SECOND", 10), (_DAY_MS, self.limit_day, "DAY", 1))

    def _buckets(self, account_id: str, now: int) -> tuple[_Bucket, _Bucket]:
        buckets = self._accounts.get(account_id)
        if buckets is None:
            buckets = self._accounts[account_id] = (_Bucket(), _Bucket())
        for bucket, (length, *_rest) in zip(buckets, self._windows(), strict=True):
            window = now // length
            if bucket.window != window:
                bucket.window, bucket.count = window, 0
        return buckets

    def charge(self, account_id: str, cost: int, now: int | None = None) -> ExchangeError | None:
        """Count ``cost`` new orders for ``account_id``, or return the 429 that refuses them."""
        now = self.clock() if now is None else now
        with self._lock:
            buckets = self._buckets(account_id, now)
            if self.enforce:
                for bucket, (length, limit, interval, num) in zip(buckets, self._windows(), strict=True):
                    if bucket.count + cost > limit:
                        msg = f"Too many new orders; current limit is {limit} orders per {num} {interval}."
                        retry = (bucket.window + 1) * length
                        return ExchangeError(429, -1015, msg, {"serverTime": now, "retryAfter": retry})
            for bucket in buckets:
                bucket.count += cost
        return None

    def order_filled(self, account_id: str, orders: int = 1, now: int | None = None) -> None:
        """Give back ``orders`` to the unfilled order count: call it when an order first fills."""
        now = self.clock() if now is None else now
        with self._lock:
            for bucket in self._buckets(account_id, now):
                bucket.count = max(bucket.count - orders, 0)

    def snapshot(self, account_id: str, now: int | None = None) -> list[dict[str, Any]]:
        """The ``ORDERS`` entries with their counts, 10-second one first."""
        now = self.clock() if now is None else now
        with self._lock:
            buckets = self._buckets(account_id, now)
            return [
                _entry("ORDERS", interval, num, limit, bucket.count)
                for bucket, (_len, limit, interval, num) in zip(buckets, self._windows(), strict=True)
            ]

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self._accounts.clear()

    def config(self) -> list[dict[str, Any]]:
        """The entries for ``exchangeInfo.rateLimits`` (no count)."""
        return [
            _entry("ORDERS", interval, num, limit, None) for _len, limit, interval, num in self._windows()
        ]
