"""What ``python -m bench.chaos`` counts, and how it checks a result against its request.

A check returns ``None`` when the result fits the request, or a line saying what does not:
a book of another symbol (each symbol trades in a price band of its own) or another length,
klines of another interval, an order with another client order id.
"""

from __future__ import annotations

import collections
import threading
import time
import traceback
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from binance_ws import BinanceWSError, RateLimitedError
from binance_ws.models import AccountInfo, Kline, Order, OrderBook, OrderFull

__all__ = [
    "ORDERS",
    "SYMBOLS",
    "Tally",
    "Unresolved",
    "check_account",
    "check_depth",
    "check_klines",
    "check_order",
    "pick_interval",
]

T = TypeVar("T")

D = Decimal
# The local exchange's symbols and a price band each trades in (no two bands overlap).
SYMBOLS: dict[str, tuple[Decimal, Decimal]] = {
    "BTCUSDT": (D(20000), D(200000)),
    "ETHUSDT": (D(1000), D(10000)),
    "BNBUSDT": (D(100), D(999)),
    "BNBBTC": (D("0.001"), D("0.1")),
}
# A buy far enough below the book that it never fills: accepted, then expired (IOC).
ORDERS: dict[str, tuple[str, str]] = {
    "BTCUSDT": ("54000.00", "0.001"),
    "ETHUSDT": ("2700.00", "0.01"),
    "BNBUSDT": ("540.00", "0.1"),
    "BNBBTC": ("0.009000", "1"),
}
INTERVALS: dict[str, int] = {
    "1m": 60_000,
    "3m": 180_000,
    "5m": 300_000,
    "15m": 900_000,
    "30m": 1_800_000,
    "1h": 3_600_000,
    "2h": 7_200_000,
    "4h": 14_400_000,
}


def pick_interval(index: int) -> str:
    names = list(INTERVALS)
    return names[index % len(names)]


class Unresolved(Exception):
    """A worker could not find out within its bound what became of an order."""


def _in_band(symbol: str, price: Decimal | None) -> bool:
    low, high = SYMBOLS[symbol]
    return price is not None and low <= price <= high


def check_depth(book: Any, symbol: str, limit: int) -> str | None:
    if type(book) is not OrderBook:
        return f"depth {symbol} limit={limit}: got a {type(book).__name__}"
    bids, asks = book.bids, book.asks
    if len(bids) != limit or len(asks) != limit:
        return f"depth {symbol} limit={limit}: {len(bids)} bids and {len(asks)} asks"
    if not _in_band(symbol, bids[0].price):
        return f"depth {symbol}: best bid {bids[0].price} is another symbol's price"
    return None


def check_klines(rows: Any, symbol: str, interval: str, limit: int) -> str | None:
    if not isinstance(rows, list) or not rows or len(rows) > limit:
        size = len(rows) if isinstance(rows, list) else "?"
        return f"klines {symbol} {interval} limit={limit}: got a {type(rows).__name__} of {size}"
    for row in rows:
        if type(row) is not Kline or row.open_time is None or row.close_time is None:
            return f"klines {symbol} {interval}: a row of type {type(row).__name__}"
        if row.close_time - row.open_time + 1 != INTERVALS[interval]:
            return f"klines {symbol} {interval}: a row spans {row.close_time - row.open_time + 1} ms"
        if not _in_band(symbol, row.close):
            return f"klines {symbol}: close {row.close} is another symbol's price"
    return None


def check_order(order: Any, client_order_id: str, symbol: str) -> str | None:
    if type(order) not in (Order, OrderFull):
        return f"order {client_order_id}: got a {type(order).__name__}"
    if order.client_order_id != client_order_id or order.symbol != symbol:
        return f"order {client_order_id} {symbol}: got {order.client_order_id} {order.symbol}"
    return None


def check_account(info: Any) -> str | None:
    if type(info) is not AccountInfo or info.balances is None:
        return f"account: got a {type(info).__name__}"
    if not any(b.asset == "USDT" for b in info.balances) or info.can_trade is not True:
        return "account: no USDT balance or cannot trade: another answer"
    return None


class Tally:
    """Counts shared by the workers (one lock; nothing slow is done under it)."""

    def __init__(self, *, grace: float) -> None:
        self.grace = grace
        self._lock = threading.Lock()
        self.calls = 0
        self.by_kind: collections.Counter[str] = collections.Counter()
        self.errors: collections.Counter[str] = collections.Counter()
        self.overruns: list[str] = []
        self.misrouted: list[str] = []
        self.foreign_errors: list[str] = []
        self.server_limits = 0
        self._sent: dict[str, str] = {}
        self._returned: set[str] = set()
        self._found: set[str] = set()
        self._absent: set[str] = set()
        self._refused: set[str] = set()
        self._unresolved: set[str] = set()

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def timed(self, kind: str, timeout: float, call: Callable[..., T], **params: Any) -> T:
        """``call(timeout=timeout, **params)``, noting an overrun and a server 429/418."""
        started = time.monotonic()
        try:
            return call(timeout=timeout, **params)
        except RateLimitedError as exc:
            if not exc.local:
                with self._lock:
                    self.server_limits += 1
            raise
        finally:
            took = time.monotonic() - started
            with self._lock:
                self.calls += 1
                self.by_kind[kind] += 1
                if took > timeout + self.grace:
                    self.overruns.append(f"{kind}: {took:.2f} s with timeout={timeout:g}")

    def expect(self, problem: str | None, what: str) -> None:
        if problem is not None:
            with self._lock:
                self.misrouted.append(f"{what}: {problem}")

    def error(self, exc: BinanceWSError) -> None:
        name = type(exc).__name__
        if isinstance(exc, RateLimitedError) and exc.local:
            name += "(local)"
        with self._lock:
            self.errors[name] += 1

    def foreign(self, exc: BaseException) -> None:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:])
        with self._lock:
            self.foreign_errors.append(f"{type(exc).__name__}: {exc}\n{text}")

    # -- orders ----------------------------------------------------------------------------

    def order_sent(self, cid: str, symbol: str) -> None:
        with self._lock:
            self._sent[cid] = symbol

    def order_returned(self, cid: str) -> None:
        with self._lock:
            self._returned.add(cid)

    def order_refused(self, cid: str) -> None:
        with self._lock:
            self._refused.add(cid)

    def order_unresolved(self, cid: str) -> None:
        with self._lock:
            self._unresolved.add(cid)

    def order_resolved(self, cid: str, found: bool) -> None:
        with self._lock:
            self._unresolved.discard(cid)
            (self._found if found else self._absent).add(cid)

    def unresolved_orders(self) -> list[tuple[str, str]]:
        with self._lock:
            return [(cid, self._sent[cid]) for cid in sorted(self._unresolved)]

    def order_figures(self, accepted: set[str]) -> dict[str, set[str]]:
        """Lost: accepted, yet neither returned nor found. Phantom: returned or found, never accepted."""
        with self._lock:
            known = self._returned | self._found
            return {
                "sent": set(self._sent),
                "accepted": set(accepted),
                "returned": set(self._returned),
                "resolved_found": set(self._found),
                "resolved_absent": set(self._absent),
                "refused": set(self._refused),
                "unresolved": set(self._unresolved),
                "lost": accepted - known,
                "phantom": known - accepted,
            }
