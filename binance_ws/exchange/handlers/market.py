"""Market data handlers: trades, klines, tickers and prices, built from the exchange's own tape.

Every number comes from the trades the engine recorded (seeded ones included) and from
the books, read under the engine's lock, so market data stays consistent with what traded.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..engine.validation import enum_param, int_param, limit_param, symbol_param, symbols_param
from ..model import errors as _errors
from ..model.book import Book, Trade
from ..model.clock import now_ms
from ..model.decimals import ZERO, fmt
from ..model.symbols import AVG_PRICE_MINS, PERCENT_DOWN, PERCENT_UP, SymbolInfo
from .table import Table

if TYPE_CHECKING:
    from ..services.session import Session
    from ..services.venue import Venue

__all__ = ["TABLE"]

TABLE = Table()

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
# Kline intervals of fixed length; "1M" (calendar month) is handled apart.
INTERVALS: dict[str, int] = {
    "1s": 1000,
    "1m": MINUTE,
    "3m": 3 * MINUTE,
    "5m": 5 * MINUTE,
    "15m": 15 * MINUTE,
    "30m": 30 * MINUTE,
    "1h": HOUR,
    "2h": 2 * HOUR,
    "4h": 4 * HOUR,
    "6h": 6 * HOUR,
    "8h": 8 * HOUR,
    "12h": 12 * HOUR,
    "1d": DAY,
    "3d": 3 * DAY,
    "1w": 7 * DAY,
}
# Weekly klines open on Monday; the epoch was a Thursday.
WEEK_SHIFT = 4 * DAY
WINDOW_RE = re.compile(r"^(?:([1-9]|[1-5][0-9])m|([1-9]|1[0-9]|2[0-3])h|([1-7])d)$")
TZ_RE = re.compile(r"^([+-]?)(\d{1,2})(?::(\d{2}))?$")
STATUSES = ("TRADING", "HALT", "BREAK")


def _status_mismatch() -> _errors.ExchangeError:
    return _errors.bad_request(-1220, "The symbol's status does not match the requested symbolStatus.")


def _book(venue: Venue, params: dict[str, Any]) -> Book:
    return venue.books[symbol_param(venue.symbols, params).symbol]


# -- trades ----------------------------------------------------------------------------------


@TABLE.handles("trades.recent")
def trades_recent(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    book = _book(venue, params)
    limit = limit_param(params)
    with venue.engine.lock:
        return [t.to_wire() for t in book.trades[-limit:]]


@TABLE.handles("trades.historical")
def trades_historical(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    book = _book(venue, params)
    limit = limit_param(params)
    from_id = int_param(params, "fromId")
    with venue.engine.lock:
        if from_id is None:
            return [t.to_wire() for t in book.trades[-limit:]]
        first = book.trades[0].id if book.trades else 1
        start = max(from_id - first, 0)
        return [t.to_wire() for t in book.trades[start : start + limit]]


@TABLE.handles("blockTrades.historical")
def block_trades_historical(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    symbol_param(venue.symbols, params)
    int_param(params, "fromId")
    limit_param(params)
    return []  # the simulator has no block trades


@TABLE.handles("trades.aggregate")
def trades_aggregate(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    book = _book(venue, params)
    limit = limit_param(params)
    from_id = int_param(params, "fromId")
    start, end = int_param(params, "startTime"), int_param(params, "endTime")
    if from_id is not None and (start is not None or end is not None):
        raise _errors.bad_request(-1128, "Combination of optional parameters invalid.")
    with venue.engine.lock:
        aggs = book.aggs
        if from_id is not None:
            chosen = aggs[max(from_id - 1, 0) : max(from_id - 1, 0) + limit]
        elif start is None and end is None:
            chosen = aggs[-limit:]
        else:
            picked = [
                a for a in aggs if (start is None or a.time >= start) and (end is None or a.time <= end)
            ]
            chosen = picked[:limit] if start is not None else picked[-limit:]
        return [a.to_wire() for a in chosen]


# -- klines ----------------------------------------------------------------------------------


def _tz_offset(params: dict[str, Any]) -> int:
    """``timeZone`` as an offset in ms (hours:minutes or whole hours, -12:00..+14:00)."""
    value = params.get("timeZone")
    if value is None:
        return 0
    match = TZ_RE.match(str(value))
    bad = _errors.bad_request(
        -1100, "Illegal characters found in parameter 'timeZone'; legal range is '[-12:00 to +14:00]'."
    )
    if match is None:
        raise bad
    sign = -1 if match.group(1) == "-" else 1
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    offset = sign * minutes
    if not -12 * 60 <= offset <= 14 * 60 or int(match.group(3) or 0) >= 60:
        raise bad
    return offset * MINUTE


def _month_start(t: int, offset: int) -> int:
    day = dt.datetime.fromtimestamp((t + offset) / 1000, dt.timezone.utc)
    return calendar.timegm((day.year, day.month, 1, 0, 0, 0)) * 1000 - offset


def _next_month(start: int, offset: int) -> int:
    day = dt.datetime.fromtimestamp((start + offset) / 1000, dt.timezone.utc)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return calendar.timegm((year, month, 1, 0, 0, 0)) * 1000 - offset


def _bucketing(interval: str, offset: int) -> tuple[Callable[[int], int], Callable[[int], int]]:
    """(start of the bucket holding t, start of the next bucket) for ``interval``."""
    if interval == "1M":
        return (lambda t: _month_start(t, offset)), (lambda s: _next_month(s, offset))
    length = INTERVALS[interval]
    shift = WEEK_SHIFT if interval == "1w" else 0
    return (lambda t: (t + offset - shift) // length * length + shift - offset), (lambda s: s + length)


def _kline(book: Book, open_time: int, close_time: int, prev_close: Decimal) -> tuple[list[Any], Decimal]:
    trades = book.trades_between(open_time, close_time)
    if not trades:
        p = fmt(prev_close)
        return [
            open_time,
            p,
            p,
            p,
            p,
            fmt(ZERO),
            close_time,
            fmt(ZERO),
            0,
            fmt(ZERO),
            fmt(ZERO),
            "0",
        ], prev_close
    prices = [t.price for t in trades]
    volume = sum((t.qty for t in trades), ZERO)
    quote = sum((t.quote_qty for t in trades), ZERO)
    taker_buys = [t for t in trades if not t.is_buyer_maker]
    row = [
        open_time,
        fmt(prices[0]),
        fmt(max(prices)),
        fmt(min(prices)),
        fmt(prices[-1]),
        fmt(volume),
        close_time,
        fmt(quote),
        len(trades),
        fmt(sum((t.qty for t in taker_buys), ZERO)),
        fmt(sum((t.quote_qty for t in taker_buys), ZERO)),
        "0",
    ]
    return row, prices[-1]


def _klines(venue: Venue, params: dict[str, Any]) -> list[list[Any]]:
    book = _book(venue, params)
    interval = params.get("interval")
    if interval not in INTERVALS and interval != "1M":
        raise _errors.bad_request(-1120, "Invalid interval.")
    limit = limit_param(params)
    start, end = int_param(params, "startTime"), int_param(params, "endTime")
    start_of, next_of = _bucketing(str(interval), _tz_offset(params))
    with venue.engine.lock:
        if not book.trades:
            return []
        first = start_of(book.trades[0].time)
        last = start_of(end if end is not None else now_ms())
        if last < first:
            return []
        if start is not None:
            # Binance gives the klines that open at or after startTime (07:28 -> the 08:00 one).
            begin = start_of(start)
            if begin < start:
                begin = next_of(begin)
            opens = [max(begin, first)]
            while len(opens) < limit and next_of(opens[-1]) <= last:
                opens.append(next_of(opens[-1]))
            if opens[0] > last:
                return []
        else:
            opens = [last]
            cursor = last
            # Step back bucket by bucket (months differ in length), never before the first trade.
            while len(opens) < limit and cursor > first:
                cursor = start_of(cursor - 1)
                opens.append(cursor)
            opens.reverse()
        before = book.trades_between(0, opens[0] - 1)
        prev = before[-1].price if before else book.trades[0].price
        rows = []
        for open_time in opens:
            row, prev = _kline(book, open_time, next_of(open_time) - 1, prev)
            rows.append(row)
        return rows


@TABLE.handles("klines")
def klines(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return _klines(venue, params)


@TABLE.handles("uiKlines")
def ui_klines(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return _klines(venue, params)


# -- prices ----------------------------------------------------------------------------------


@TABLE.handles("avgPrice")
def avg_price(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    book = _book(venue, params)
    with venue.engine.lock:
        return {
            "mins": AVG_PRICE_MINS,
            "price": fmt(book.avg_price(now_ms(), AVG_PRICE_MINS)),
            "closeTime": book.trades[-1].time if book.trades else now_ms(),
        }


@TABLE.handles("referencePrice")
def reference_price(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    book = _book(venue, params)
    with venue.engine.lock:
        price = book.avg_price(now_ms(), AVG_PRICE_MINS)
    return {"symbol": book.info.symbol, "referencePrice": fmt(price), "timestamp": now_ms()}


@TABLE.handles("referencePrice.calculation")
def reference_price_calculation(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    info = symbol_param(venue.symbols, params)
    status = enum_param(params, "symbolStatus", STATUSES, _errors.bad_request(-1122, "Invalid symbolStatus."))
    if status is not None and status != info.status:
        raise _status_mismatch()
    # The simulator's reference price is the arithmetic mean of recent trades.
    return {
        "symbol": info.symbol,
        "calculationType": "ARITHMETIC_MEAN",
        "bucketCount": 10,
        "bucketWidthMs": 1000,
    }


@TABLE.handles("executionRules")
def execution_rules(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    infos = _select(venue, params, required=False)
    return {
        "symbolRules": [
            {
                "symbol": info.symbol,
                "rules": [
                    {
                        "ruleType": "PRICE_RANGE",
                        "bidLimitMultUp": f"{PERCENT_UP:.4f}",
                        "bidLimitMultDown": f"{PERCENT_DOWN:.4f}",
                        "askLimitMultUp": f"{PERCENT_UP:.4f}",
                        "askLimitMultDown": f"{PERCENT_DOWN:.4f}",
                    }
                ],
            }
            for info in infos
        ]
    }


# -- tickers ---------------------------------------------------------------------------------


def _select(venue: Venue, params: dict[str, Any], *, required: bool) -> list[SymbolInfo]:
    """The symbols a ticker request names (``symbol``, ``symbols`` or every symbol)."""
    status = enum_param(params, "symbolStatus", STATUSES, _errors.bad_request(-1122, "Invalid symbolStatus."))
    if "symbol" in params and "symbols" in params:
        raise _errors.bad_request(-1128, "Combination of optional parameters invalid.")
    if "symbol" in params:
        info = symbol_param(venue.symbols, params)
        if status is not None and info.status != status:
            raise _status_mismatch()
        return [info]
    infos = symbols_param(venue.symbols, params)
    if infos is None:
        if required:
            raise _errors.bad_request(
                -1102, "Param 'symbol' or 'symbols' must be sent, but both were empty/null!"
            )
        infos = list(venue.symbols.values())
    return [i for i in infos if status is None or i.status == status]


def _one_or_many(params: dict[str, Any], items: list[dict[str, Any]]) -> Any:
    return items[0] if "symbol" in params else items


def _ticker_type(params: dict[str, Any]) -> str:
    return (
        enum_param(params, "type", ("FULL", "MINI"), _errors.bad_request(-1139, "Invalid ticker type."))
        or "FULL"
    )


def _stats(book: Book, open_time: int, close_time: int, *, mini: bool, day24: bool) -> dict[str, Any]:
    trades: list[Trade] = book.trades_between(open_time, close_time)
    if trades:
        open_p, last_p = trades[0].price, trades[-1].price
        prices = [t.price for t in trades]
        high, low = max(prices), min(prices)
        volume = sum((t.qty for t in trades), ZERO)
        quote = sum((t.quote_qty for t in trades), ZERO)
        first_id, last_id, count = trades[0].id, trades[-1].id, len(trades)
    else:
        open_p = high = low = volume = quote = ZERO
        last_p = book.last_price
        first_id = last_id = -1
        count = 0
    out: dict[str, Any] = {"symbol": book.info.symbol}
    if not mini:
        change = last_p - open_p if trades else ZERO
        percent = (change / open_p * 100) if trades and open_p else ZERO
        out["priceChange"] = fmt(change)
        out["priceChangePercent"] = f"{percent:.3f}"
        out["weightedAvgPrice"] = fmt(quote / volume if volume else ZERO)
        if day24:
            before = book.trades_between(0, open_time - 1)
            out["prevClosePrice"] = fmt(before[-1].price if before else ZERO)
            out["lastPrice"] = fmt(last_p)
            out["lastQty"] = fmt(trades[-1].qty if trades else ZERO)
            bid, ask = book.best("BUY"), book.best("SELL")
            out["bidPrice"] = fmt(bid.price if bid else ZERO)
            out["bidQty"] = fmt(bid.visible if bid else ZERO)
            out["askPrice"] = fmt(ask.price if ask else ZERO)
            out["askQty"] = fmt(ask.visible if ask else ZERO)
    out["openPrice"] = fmt(open_p)
    out["highPrice"] = fmt(high)
    out["lowPrice"] = fmt(low)
    out["lastPrice"] = fmt(last_p)
    out["volume"] = fmt(volume)
    out["quoteVolume"] = fmt(quote)
    out["openTime"] = open_time
    out["closeTime"] = close_time
    out["firstId"] = first_id
    out["lastId"] = last_id
    out["count"] = count
    return out


@TABLE.handles("ticker.24hr")
def ticker_24hr(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    infos = _select(venue, params, required=False)
    mini = _ticker_type(params) == "MINI"
    now = now_ms()
    with venue.engine.lock:
        items = [_stats(venue.books[i.symbol], now - DAY, now, mini=mini, day24=True) for i in infos]
    return _one_or_many(params, items)


@TABLE.handles("ticker.tradingDay")
def ticker_trading_day(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    infos = _select(venue, params, required=True)
    mini = _ticker_type(params) == "MINI"
    offset = _tz_offset(params)
    now = now_ms()
    day_start = (now + offset) // DAY * DAY - offset
    with venue.engine.lock:
        items = [
            _stats(venue.books[i.symbol], day_start, day_start + DAY - 1, mini=mini, day24=False)
            for i in infos
        ]
    return _one_or_many(params, items)


def _window_ms(params: dict[str, Any]) -> int:
    value = params.get("windowSize", "1d")
    match = WINDOW_RE.match(str(value))
    if match is None:
        raise _errors.bad_request(
            -1100,
            "Illegal characters found in parameter 'windowSize'; legal range is '1m-59m, 1h-23h, 1d-7d'.",
        )
    minutes, hours, days = match.groups()
    if minutes:
        return int(minutes) * MINUTE
    if hours:
        return int(hours) * HOUR
    return int(days) * DAY


@TABLE.handles("ticker")
def ticker(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    infos = _select(venue, params, required=True)
    mini = _ticker_type(params) == "MINI"
    window = _window_ms(params)
    now = now_ms()
    # Binance's window precision is one minute: the open time snaps to a minute boundary.
    open_time = (now - window) // MINUTE * MINUTE
    with venue.engine.lock:
        items = [_stats(venue.books[i.symbol], open_time, now, mini=mini, day24=False) for i in infos]
    return _one_or_many(params, items)


@TABLE.handles("ticker.price")
def ticker_price(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    infos = _select(venue, params, required=False)
    with venue.engine.lock:
        items = [{"symbol": i.symbol, "price": fmt(venue.books[i.symbol].last_price)} for i in infos]
    return _one_or_many(params, items)


@TABLE.handles("ticker.book")
def ticker_book(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    infos = _select(venue, params, required=False)
    items = []
    with venue.engine.lock:
        for info in infos:
            book = venue.books[info.symbol]
            bid, ask = book.best("BUY"), book.best("SELL")
            items.append(
                {
                    "symbol": info.symbol,
                    "bidPrice": fmt(bid.price if bid else ZERO),
                    "bidQty": fmt(bid.visible if bid else ZERO),
                    "askPrice": fmt(ask.price if ask else ZERO),
                    "askQty": fmt(ask.visible if ask else ZERO),
                }
            )
    return _one_or_many(params, items)
