"""Rate-limit records: as the server reports them on every response (:class:`RateLimit`), and
as the client's rate governor sees them (:class:`RateLimitUsage`)."""

# No ``from __future__ import annotations`` here: the package re-homes RateLimit to
# ``binance_ws`` (for tracebacks), whose namespace could not resolve string annotations, so
# typing.get_type_hints (cattrs, attrs.resolve_types) would fail on them.

import datetime as _dt
import time
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .enums import RateLimitInterval, RateLimitType

__all__ = ["INTERVAL_SECONDS", "RateLimit", "RateLimitUsage", "parse_rate_limit", "parse_rate_limits"]

#: Seconds in one of each interval Binance counts limits in.
INTERVAL_SECONDS = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400}


@attrs.frozen(kw_only=True)
class RateLimit:
    """One rate-limit counter: ``count`` used of ``limit`` per ``interval_num`` ``interval``.

    Example::

        >>> from binance_ws import RateLimit
        >>> from binance_ws.enums import RateLimitInterval, RateLimitType
        >>> RateLimit(type=RateLimitType.REQUEST_WEIGHT, interval=RateLimitInterval.MINUTE,
        ...           interval_num=1, limit=6000, count=12)
        RateLimit(type=REQUEST_WEIGHT, interval=MINUTE, interval_num=1, limit=6000, count=12)
    """

    type: RateLimitType = attrs.field(repr=str)
    interval: RateLimitInterval = attrs.field(repr=str)
    interval_num: int
    limit: int
    #: Current usage; ``None`` where the server reports only the configuration (exchangeInfo).
    count: int | None = None

    @property
    def remaining(self) -> int | None:
        """How much of the limit is left in the current interval, if ``count`` is known."""
        return None if self.count is None else self.limit - self.count

    @property
    def exhausted(self) -> bool:
        """True when ``count`` has reached ``limit`` (the next request would be refused)."""
        return self.count is not None and self.count >= self.limit

    def seconds_to_reset(self, now: float | None = None) -> float:
        """Seconds until this counter's window ends; windows are calendar aligned (UTC).

        A 1-MINUTE window ends at the next full minute, a 10-SECOND one at :00, :10, ...,
        a 1-DAY one at midnight UTC. ``now``: epoch seconds (default: the local clock).
        """
        length = INTERVAL_SECONDS.get(str(self.interval), 60) * max(self.interval_num, 1)
        at = time.time() if now is None else now
        return length - (at % length)

    def to_wire(self) -> dict[str, Any]:
        """The record as the server sends it (camelCase keys, plain JSON values).

        This is also what :func:`binance_ws.unstructure` gives for a ``RateLimit``.
        """
        out: dict[str, Any] = {
            # str(): the enum's plain value (BinanceEnum.__str__), or the str given.
            "rateLimitType": str(self.type),
            "interval": str(self.interval),
            "intervalNum": self.interval_num,
            "limit": self.limit,
        }
        if self.count is not None:
            out["count"] = self.count
        return out


def parse_rate_limits(raw: Any) -> tuple[RateLimit, ...]:
    """Parse a ``rateLimits`` array; entries that are not objects are skipped."""
    if not isinstance(raw, Iterable) or isinstance(raw, (str, bytes)):
        return ()
    return tuple(parse_rate_limit(item) for item in raw if isinstance(item, dict))


def parse_rate_limit(item: Mapping[str, Any]) -> RateLimit:
    """One ``rateLimits`` entry (``structure(entry, RateLimit)`` does the same)."""
    return RateLimit(
        type=RateLimitType(item.get("rateLimitType", "")),
        interval=RateLimitInterval(item.get("interval", "")),
        interval_num=int(item.get("intervalNum", 0)),
        limit=int(item.get("limit", 0)),
        count=item.get("count"),
    )


@attrs.frozen(kw_only=True, repr=False)
class RateLimitUsage:
    """One limit as the governor sees it: ``usage`` of ``limit`` until ``resets_at``.

    ``learnt`` is True once the server reported this limit (a response's ``rateLimits`` or
    ``exchange_info()``); until then the documented default applies.

    Example::

        >>> from binance_ws import Client
        >>> from binance_ws.exchange import LocalExchange
        >>> with LocalExchange() as ex, Client(ex.url) as client:
        ...     _ = client.ping()
        ...     weight = client.rate_limits[0]
        >>> weight.type, weight.interval, weight.interval_num, weight.limit
        (<RateLimitType.REQUEST_WEIGHT: 'REQUEST_WEIGHT'>, <RateLimitInterval.MINUTE: 'MINUTE'>, 1, 6000)
        >>> weight.usage >= 3 and weight.learnt
        True
    """

    type: RateLimitType
    interval: RateLimitInterval
    interval_num: int
    limit: int
    usage: int
    #: When the window resets (UTC, on the server clock as estimated).
    resets_at: _dt.datetime
    seconds_to_reset: float
    learnt: bool = False

    @property
    def remaining(self) -> int:
        """How much is left in the current window."""
        return max(self.limit - self.usage, 0)

    def __repr__(self) -> str:
        return (
            f"<{self.type.value} {self.interval_num} {self.interval.value}: {self.usage}/{self.limit},"
            f" resets in {self.seconds_to_reset:.1f} s>"
        )
