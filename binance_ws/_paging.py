"""Iterators over long histories: klines, the account's trades and its orders, page by page.

Each helper validates its parameters at the call (errors name the parameter and the fix)
and returns a lazy iterator: pages are requested as they are consumed, each through the
client's ordinary call path, so the rate governor paces them (a long walk waits for the
window instead of meeting the server's 429). Rows are yielded one at a time, oldest
first, never twice; paging stops at ``end_time`` or at the first page that comes back
short. ``progress=True`` shows a tqdm bar on stderr (``pip install 'binance-ws[progress]'``).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import logging
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

from ._errors import InvalidParameterError, ProtocolError, RateLimitedError
from ._methods import AllMethods
from ._request import validate_timeout
from .enums import KlineInterval
from .models.account import AccountTrade, Order
from .models.market import Kline

__all__ = ["MAX_PAGE", "PagingMixin"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The most rows Binance returns per page for klines, myTrades and allOrders.
MAX_PAGE = 1000
#: The widest ``startTime``..``endTime`` span myTrades and allOrders accept (24 hours).
DAY_MS = 24 * 3600 * 1000
# Epoch values above this are microseconds, not milliseconds.
_MICROSECONDS = 10**14
_INTERVAL_MS = {
    "1s": 1000,
    "1m": 60_000,
    "3m": 180_000,
    "5m": 300_000,
    "15m": 900_000,
    "30m": 1_800_000,
    "1h": 3_600_000,
    "2h": 7_200_000,
    "4h": 14_400_000,
    "6h": 21_600_000,
    "8h": 28_800_000,
    "12h": 43_200_000,
    "1d": 86_400_000,
    "3d": 259_200_000,
    "1w": 604_800_000,
}
_INTERVALS = tuple(member.value for member in KlineInterval)
# A page held back by the governor (rate_limit="wait") longer than its timeout is asked
# again after the window resets, at most this many times and if the reset is this near.
_HOLDS_PER_PAGE = 5
_LONGEST_HOLD = 65.0


def _paced(client: PagingMixin, fetch: Callable[[], list[T]]) -> list[T]:
    """``fetch()``, waiting out the rate governor's refusals in its "wait" mode.

    A walk over a long history can need the next minute's request weight: the governor
    (never bypassed) refuses a page whose wait would outlast the call's timeout, and the
    page is asked again once the window has reset, so the walk goes on within the limits.
    """
    for attempt in range(_HOLDS_PER_PAGE):
        try:
            return fetch()
        except RateLimitedError as exc:
            wait = exc.seconds_left(client.time_offset) if exc.local else None
            if (
                client._rate_limit != "wait"
                or wait is None
                or wait > _LONGEST_HOLD
                or attempt == _HOLDS_PER_PAGE - 1
            ):
                raise
            logger.info("history page held back by the rate limit; asking again in %.1f s", wait)
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def to_ms(value: int | dt.datetime | None, name: str) -> int | None:
    """``value`` as epoch milliseconds: an int of ms or a timezone-aware datetime."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise InvalidParameterError(
                name, "is a naive datetime; give it a time zone, e.g. .replace(tzinfo=datetime.timezone.utc)"
            )
        return int(value.timestamp() * 1000)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterError(
            name, f"expected epoch milliseconds (int) or an aware datetime, got {type(value).__name__}"
        )
    if value < 0:
        raise InvalidParameterError(name, f"must be >= 0 (epoch milliseconds), got {value}")
    if value > _MICROSECONDS:
        raise InvalidParameterError(
            name, f"{value} looks like microseconds; give milliseconds (divide by 1000)"
        )
    return value


def _check_range(start: int | None, end: int | None) -> None:
    if start is not None and end is not None and start > end:
        raise InvalidParameterError(
            "start_time", f"is after end_time ({start} > {end}); swap them or move start_time earlier"
        )


def _check_page_size(page_size: int) -> int:
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE:
        raise InvalidParameterError("page_size", f"must be an int from 1 to {MAX_PAGE}, got {page_size!r}")
    return page_size


def _check_id(value: int | None, name: str) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise InvalidParameterError(name, f"must be an int >= 0, got {value!r}")
    return value


def _progress_bar(progress: bool, total: int | None, unit: str) -> Callable[[], Any] | None:
    """A factory of a tqdm bar (made when the first page is asked for), or None."""
    if not isinstance(progress, bool):
        raise InvalidParameterError("progress", f"expected True or False, got {progress!r}")
    if not progress:
        return None
    try:
        # Through importlib: tqdm ships no type information (its bar is used as Any here).
        tqdm = importlib.import_module("tqdm").tqdm
    except ImportError:
        raise ImportError("progress=True needs tqdm: pip install 'binance-ws[progress]'") from None
    return lambda: tqdm(total=total, unit=unit, unit_scale=True, leave=False)


def _with_progress(rows: Iterator[list[T]], bar_factory: Callable[[], Any] | None) -> Iterator[T]:
    """Yield the rows of each page, advancing the bar by the page's length."""
    bar = None if bar_factory is None else bar_factory()
    try:
        for page in rows:
            if bar is not None:
                bar.update(len(page))
            yield from page
    finally:
        if bar is not None:
            bar.close()


class PagingMixin(AllMethods):
    """``Client.klines_history()``, ``my_trades_history()`` and ``all_orders_history()``.

    The pages come from the facade's ``klines``, ``my_trades`` and ``all_orders``; the rest
    it needs of the client is declared here and given by :class:`~binance_ws.Client`.
    """

    #: "wait", "raise" or None (see Client's rate_limit=).
    _rate_limit: str | None

    @property
    def time_offset(self) -> int:
        """Server clock minus local clock in ms (the client's, see ``Client.time_offset``)."""
        raise NotImplementedError

    def klines_history(
        self,
        *,
        symbol: str,
        interval: KlineInterval | str,
        start_time: int | dt.datetime,
        end_time: int | dt.datetime | None = None,
        time_zone: str | None = None,
        page_size: int = 1000,
        timeout: float | None = None,
        progress: bool = False,
    ) -> Iterator[Kline]:
        """Every kline from ``start_time`` to ``end_time`` (default: up to now), oldest first.

        Pages of ``page_size`` klines (``klines`` with ``startTime`` / ``endTime``, weight 2
        each); the next page starts at the last kline's close time + 1 (the next kline's
        open time), so no row comes twice or is skipped. Times are epoch ms or
        timezone-aware datetimes; ``time_zone`` shifts the interval boundaries as in
        :meth:`klines`. ``timeout`` applies to each page's request. Parameters are checked
        here; pages are fetched as you iterate.

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> import time
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     start = int(time.time() * 1000) - 3_600_000
            ...     rows = list(client.klines_history(symbol="BTCUSDT", interval="1m", start_time=start,
            ...                                       page_size=10))
            >>> len(rows) > 10, all(a.open_time < b.open_time for a, b in zip(rows, rows[1:]))
            (True, True)
        """
        value = interval.value if isinstance(interval, KlineInterval) else interval
        if value not in _INTERVALS:
            raise InvalidParameterError(
                "interval", f"expected one of {', '.join(_INTERVALS)}, got {interval!r}"
            )
        start = to_ms(start_time, "start_time")
        if start is None:
            raise InvalidParameterError("start_time", "is mandatory: where the history begins (epoch ms)")
        end = to_ms(end_time, "end_time")
        _check_range(start, end)
        size = _check_page_size(page_size)
        wait = None if timeout is None else validate_timeout(timeout)
        step = _INTERVAL_MS.get(value)
        total = None
        if step is not None:
            last = end if end is not None else int(time.time() * 1000) + self.time_offset
            total = max(last - start, 0) // step + 1
        bar = _progress_bar(progress, total, "kline")

        def pages() -> Iterator[list[Kline]]:
            cursor = start
            while end is None or cursor <= end:
                request = functools.partial(
                    self.klines,
                    symbol=symbol,
                    interval=value,
                    start_time=cursor,
                    end_time=end,
                    time_zone=time_zone,
                    limit=size,
                    timeout=wait,
                )
                page = _paced(self, request)
                fresh = [
                    k
                    for k in page
                    if k.open_time is not None
                    and k.open_time >= cursor
                    and (end is None or k.open_time <= end)
                ]
                if fresh:
                    yield fresh
                if len(page) < size:
                    return
                if not fresh:
                    raise ProtocolError(
                        f"klines: a full page held no kline at or after {cursor}; cannot page on"
                    )
                last_row = fresh[-1]
                # Past the last open time: its close time + 1 is the next kline's open time.
                after = (last_row.close_time or 0) + 1
                cursor = max(after, (last_row.open_time or 0) + 1)

        return _with_progress(pages(), bar)

    def my_trades_history(
        self,
        *,
        symbol: str,
        from_id: int | None = None,
        start_time: int | dt.datetime | None = None,
        end_time: int | dt.datetime | None = None,
        page_size: int = 1000,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        progress: bool = False,
    ) -> Iterator[AccountTrade]:
        """The account's trades on ``symbol``, oldest first, without gaps or repeats.

        From trade id ``from_id`` (default 0: the first), or from ``start_time``: Binance
        allows at most 24 hours between ``startTime`` and ``endTime``, so the first trade is
        found window by window (24 h each; an empty window still costs one ``myTrades``
        request, weight 20); from there, pages go by ``fromId`` (trade ids grow with time).
        ``end_time`` (epoch ms or an aware datetime) stops at the last trade up to that
        time; without it, up to the newest trade. ``myTrades`` has weight 20 per page.
        ``from_id`` and ``start_time`` exclude each other.

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     key = ex.keys.hmac
            ...     with Client(ex.url, api_key=key.api_key, api_secret=key.api_secret) as client:
            ...         for _ in range(3):
            ...             _ = client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
            ...         trades = list(client.my_trades_history(symbol="BTCUSDT", page_size=2))
            >>> len(trades), sorted({t.id for t in trades}) == [t.id for t in trades]
            (3, True)
        """
        first_id = _check_id(from_id, "from_id")
        start = to_ms(start_time, "start_time")
        end = to_ms(end_time, "end_time")
        if first_id is not None and start is not None:
            raise InvalidParameterError(
                "from_id", "cannot be combined with start_time (Binance refuses both): give one of them"
            )
        _check_range(start, end)
        size = _check_page_size(page_size)
        wait = None if timeout is None else validate_timeout(timeout)
        bar = _progress_bar(progress, None, "trade")

        def fetch(**window: Any) -> list[AccountTrade]:
            return self.my_trades(symbol=symbol, limit=size, recv_window=recv_window, timeout=wait, **window)

        def pages() -> Iterator[list[AccountTrade]]:
            next_id = first_id if first_id is not None else 0
            if start is not None:
                horizon = end if end is not None else _now_ms(self)
                window = start
                found: list[AccountTrade] = []
                while window <= horizon and not found:
                    found = fetch(start_time=window, end_time=min(window + DAY_MS - 1, horizon))
                    window += DAY_MS
                if not found:
                    return
                found.sort(key=_trade_id)
                yield found
                next_id = _trade_id(found[-1]) + 1
            last_seen = next_id - 1
            while True:
                page = fetch(from_id=next_id)
                fresh = [t for t in page if _trade_id(t) > last_seen]
                fresh.sort(key=_trade_id)
                done = [t for t in fresh if end is not None and t.time is not None and t.time > end]
                if done:
                    fresh = fresh[: fresh.index(done[0])]
                if fresh:
                    yield fresh
                if done or len(page) < size:
                    return
                if not fresh:
                    raise ProtocolError(
                        f"myTrades: a full page held no trade id >= {next_id}; cannot page on"
                    )
                last_seen = _trade_id(fresh[-1])
                next_id = last_seen + 1

        return _with_progress(pages(), bar)

    def all_orders_history(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        start_time: int | dt.datetime | None = None,
        end_time: int | dt.datetime | None = None,
        page_size: int = 1000,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        progress: bool = False,
    ) -> Iterator[Order]:
        """The account's orders on ``symbol``: by order id, or by the time of their last update.

        From order id ``order_id`` (default 0: every order), in id order, by ``orderId``
        pages. With ``start_time`` (and ``end_time``, default now): the orders whose last
        update lies in that range, in 24-hour windows (Binance's limit); a window that
        fills a page is split in halves until each part fits, so none is skipped. An order
        is yielded once even if it is updated while the walk goes on. ``allOrders`` has
        weight 20 per page. ``order_id`` excludes ``start_time`` / ``end_time`` (Binance
        ignores ``orderId`` with times).

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     key = ex.keys.hmac
            ...     with Client(ex.url, api_key=key.api_key, api_secret=key.api_secret) as client:
            ...         for _ in range(3):
            ...             _ = client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
            ...         orders = list(client.all_orders_history(symbol="BTCUSDT", page_size=2))
            >>> [str(o.status) for o in orders]
            ['FILLED', 'FILLED', 'FILLED']
        """
        first_id = _check_id(order_id, "order_id")
        start = to_ms(start_time, "start_time")
        end = to_ms(end_time, "end_time")
        if first_id is not None and (start is not None or end is not None):
            raise InvalidParameterError(
                "order_id",
                "cannot be combined with start_time / end_time (Binance ignores it then): give one",
            )
        if end is not None and start is None:
            raise InvalidParameterError(
                "start_time", "is needed with end_time: the orders updated from start_time to end_time"
            )
        _check_range(start, end)
        size = _check_page_size(page_size)
        wait = None if timeout is None else validate_timeout(timeout)
        bar = _progress_bar(progress, None, "order")

        def fetch(**params: Any) -> list[Order]:
            return self.all_orders(symbol=symbol, limit=size, recv_window=recv_window, timeout=wait, **params)

        def by_id() -> Iterator[list[Order]]:
            next_id = first_id if first_id is not None else 0
            while True:
                page = fetch(order_id=next_id)
                fresh = sorted((o for o in page if _order_id(o) >= next_id), key=_order_id)
                if fresh:
                    yield fresh
                if len(page) < size:
                    return
                if not fresh:
                    raise ProtocolError(
                        f"allOrders: a full page held no order id >= {next_id}; cannot page on"
                    )
                next_id = _order_id(fresh[-1]) + 1

        def by_time(first: int) -> Iterator[list[Order]]:
            horizon = end if end is not None else _now_ms(self)
            seen: set[int] = set()
            # Windows still to read, the earliest last; each at most 24 h wide.
            todo = [(w, min(w + DAY_MS - 1, horizon)) for w in range(first, horizon + 1, DAY_MS)]
            todo.reverse()
            while todo:
                low, high = todo.pop()
                page = fetch(start_time=low, end_time=high)
                if len(page) >= size:
                    if low == high:
                        raise InvalidParameterError(
                            "page_size",
                            f"{len(page)} orders were last updated within one millisecond ({low}); "
                            "use a larger page_size",
                        )
                    middle = (low + high) // 2
                    todo += [(middle + 1, high), (low, middle)]
                    continue
                fresh = sorted((o for o in page if _order_id(o) not in seen), key=_order_id)
                seen.update(_order_id(o) for o in fresh)
                if fresh:
                    yield fresh

        pages = by_id() if start is None else by_time(start)
        return _with_progress(pages, bar)


def _now_ms(client: PagingMixin) -> int:
    return int(time.time() * 1000) + client.time_offset


def _trade_id(trade: AccountTrade) -> int:
    if trade.id is None:
        raise ProtocolError("myTrades: a trade without an id; cannot page on")
    return trade.id


def _order_id(order: Order) -> int:
    if order.order_id is None:
        raise ProtocolError("allOrders: an order without an orderId; cannot page on")
    return order.order_id
