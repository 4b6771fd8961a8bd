"""One symbol's order book and trade tape on the local exchange.

A price level holds anonymous seeded liquidity (owned by the market-maker account, first
in the queue) followed by real resting orders in time priority. The engine mutates books
under its lock; :meth:`Book.snapshot` is cached per ``limit`` until the book changes, so a
burst of ``depth`` requests costs one sort.
"""

from __future__ import annotations

import bisect
import collections
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .clock import now_ms
from .decimals import ZERO, fmt

if TYPE_CHECKING:
    from .orders import Order
    from .symbols import SymbolInfo

__all__ = ["AggTrade", "Book", "Level", "Trade"]

EIGHT = Decimal("0.00000001")
# Trades seeded at start so trades, klines and tickers are never empty: one every 2.5
# minutes over the last half hour, so the 5-minute average price has trades too.
SEED_TRADES = 12
SEED_TRADE_SPACING_MS = 150_000


class Level:
    """One price level: seeded quantity first, then resting orders in arrival order."""

    __slots__ = ("_price_text", "_qty_text", "orders", "price", "seed", "visible")

    def __init__(self, price: Decimal, seed: Decimal = ZERO) -> None:
        self.price = price
        self.seed = seed
        self.orders: collections.deque[Order] = collections.deque()
        self.visible = seed
        # Formatted once and reused by depth snapshots (formatting dominates their cost).
        self._price_text: str | None = None
        self._qty_text: tuple[Decimal, str] | None = None

    def row(self) -> list[str]:
        """``[price, quantity]`` as the depth answer shows the level."""
        if self._price_text is None:
            self._price_text = fmt(self.price)
        cached = self._qty_text
        if cached is None or cached[0] != self.visible:
            cached = self._qty_text = (self.visible, fmt(self.visible))
        return [self._price_text, cached[1]]

    def refresh(self) -> None:
        self.visible = self.seed + sum((o.visible_qty() for o in self.orders), ZERO)

    def is_empty(self) -> bool:
        return self.seed <= 0 and not self.orders


class Trade:
    """A public trade of the symbol."""

    __slots__ = (
        "buyer_order_id",
        "id",
        "is_buyer_maker",
        "price",
        "qty",
        "quote_qty",
        "seller_order_id",
        "time",
    )

    def __init__(
        self,
        trade_id: int,
        price: Decimal,
        qty: Decimal,
        when: int,
        *,
        is_buyer_maker: bool,
        buyer_order_id: int = -1,
        seller_order_id: int = -1,
    ) -> None:
        self.id = trade_id
        self.price = price
        self.qty = qty
        self.quote_qty = price * qty
        self.time = when
        self.is_buyer_maker = is_buyer_maker
        self.buyer_order_id = buyer_order_id
        self.seller_order_id = seller_order_id

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "price": fmt(self.price),
            "qty": fmt(self.qty),
            "quoteQty": fmt(self.quote_qty),
            "time": self.time,
            "isBuyerMaker": self.is_buyer_maker,
            "isBestMatch": True,
        }


class AggTrade:
    """Consecutive trades of one taker order at one price."""

    __slots__ = ("first_id", "id", "is_buyer_maker", "last_id", "price", "qty", "taker", "time")

    def __init__(self, agg_id: int, trade: Trade, taker: int) -> None:
        self.id = agg_id
        self.price = trade.price
        self.qty = trade.qty
        self.first_id = self.last_id = trade.id
        self.time = trade.time
        self.is_buyer_maker = trade.is_buyer_maker
        self.taker = taker

    def to_wire(self) -> dict[str, Any]:
        return {
            "a": self.id,
            "p": fmt(self.price),
            "q": fmt(self.qty),
            "f": self.first_id,
            "l": self.last_id,
            "T": self.time,
            "m": self.is_buyer_maker,
            "M": True,
        }


class Book:
    """Resting liquidity and trades of one symbol.

    Seeded deterministically: ``levels`` price levels per side around the reference price,
    one tick apart, with quantities drawn from ``rng``, plus a few past trades.
    """

    def __init__(self, info: SymbolInfo, levels: int, rng: random.Random) -> None:
        self.info = info
        self.last_update_id = 1_000_000
        self.bids: dict[Decimal, Level] = {}
        self.asks: dict[Decimal, Level] = {}
        tick, step, price = info.tick, info.step, info.price
        # Prices ascending on both sides: best bid is the last, best ask the first.
        self.bid_prices = [price - tick * i for i in range(levels, 0, -1)]
        self.ask_prices = [price + tick * i for i in range(1, levels + 1)]
        draw = rng.random  # randint() is ten times slower; books of many symbols add up
        for p in reversed(self.bid_prices):
            self.bids[p] = Level(p, step * (100 + int(draw() * 49_900)))
        for p in self.ask_prices:
            self.asks[p] = Level(p, step * (100 + int(draw() * 49_900)))
        self._snapshots: dict[int, dict[str, Any]] = {}
        self.trades: list[Trade] = []
        self.trade_times: list[int] = []
        # Running totals of qty and quote qty over the tape, so window sums cost a bisect.
        self.cum_qty: list[Decimal] = []
        self.cum_quote: list[Decimal] = []
        self.aggs: list[AggTrade] = []
        self.next_trade_id = 1
        #: Untriggered stop orders, checked after every trade.
        self.stops: list[Order] = []
        self._seed_trades(rng)

    def _seed_trades(self, rng: random.Random) -> None:
        info = self.info
        now = now_ms()
        start = now - SEED_TRADES * SEED_TRADE_SPACING_MS
        for i in range(SEED_TRADES):
            price = info.price + info.tick * (int(rng.random() * 11) - 5)
            qty = info.step * (100 + int(rng.random() * 1_900))
            self.record_trade(
                price, qty, start + i * SEED_TRADE_SPACING_MS, is_buyer_maker=rng.random() < 0.5
            )

    # -- levels ----------------------------------------------------------------------------

    def changed(self) -> None:
        self.last_update_id += 1
        self._snapshots.clear()

    def best(self, side: str) -> Level | None:
        """The best level of ``side`` ("BUY": the highest bid, "SELL": the lowest ask)."""
        if side == "BUY":
            return self.bids[self.bid_prices[-1]] if self.bid_prices else None
        return self.asks[self.ask_prices[0]] if self.ask_prices else None

    def level_prices(self, side: str) -> list[Decimal]:
        """Prices of ``side`` best first."""
        return self.bid_prices[::-1] if side == "BUY" else list(self.ask_prices)

    def level(self, side: str, price: Decimal) -> Level | None:
        return (self.bids if side == "BUY" else self.asks).get(price)

    def add(self, order: Order) -> None:
        """Rest ``order`` at the back of its price level."""
        levels, prices = self._side(order.side)
        level = levels.get(order.price)
        if level is None:
            level = levels[order.price] = Level(order.price)
            bisect.insort(prices, order.price)
        level.orders.append(order)
        level.refresh()
        self.changed()

    def remove(self, order: Order) -> None:
        """Take ``order`` off the book (it may already be gone)."""
        levels, _ = self._side(order.side)
        level = levels.get(order.price)
        if level is not None and order in level.orders:
            level.orders.remove(order)
            level.refresh()
            self.drop_if_empty(order.side, level)
        self.changed()

    def drop_if_empty(self, side: str, level: Level) -> None:
        if not level.is_empty():
            return
        levels, prices = self._side(side)
        levels.pop(level.price, None)
        i = bisect.bisect_left(prices, level.price)
        if i < len(prices) and prices[i] == level.price:
            del prices[i]

    def _side(self, side: str) -> tuple[dict[Decimal, Level], list[Decimal]]:
        return (self.bids, self.bid_prices) if side == "BUY" else (self.asks, self.ask_prices)

    def snapshot(self, limit: int) -> dict[str, Any]:
        """The ``depth`` result for ``limit`` levels per side (cached until the book changes)."""
        cached = self._snapshots.get(limit)
        if cached is not None:
            return cached
        bids = self.bid_prices[: -limit - 1 : -1] if limit else []
        asks = self.ask_prices[:limit]
        snap = {
            "lastUpdateId": self.last_update_id,
            "bids": [self.bids[p].row() for p in bids],
            "asks": [self.asks[p].row() for p in asks],
        }
        self._snapshots[limit] = snap
        return snap

    # -- trades ----------------------------------------------------------------------------

    def record_trade(
        self,
        price: Decimal,
        qty: Decimal,
        when: int,
        *,
        is_buyer_maker: bool,
        buyer_order_id: int = -1,
        seller_order_id: int = -1,
        taker_order_id: int = -1,
    ) -> Trade:
        if self.trade_times and when < self.trade_times[-1]:
            when = self.trade_times[-1]  # the tape stays in time order even if the clock steps back
        trade = Trade(
            self.next_trade_id,
            price,
            qty,
            when,
            is_buyer_maker=is_buyer_maker,
            buyer_order_id=buyer_order_id,
            seller_order_id=seller_order_id,
        )
        self.next_trade_id += 1
        self.trades.append(trade)
        self.trade_times.append(when)
        self.cum_qty.append((self.cum_qty[-1] if self.cum_qty else ZERO) + qty)
        self.cum_quote.append((self.cum_quote[-1] if self.cum_quote else ZERO) + trade.quote_qty)
        last = self.aggs[-1] if self.aggs else None
        if (
            last is not None
            and taker_order_id != -1
            and last.taker == taker_order_id
            and last.price == price
            and last.time == when
        ):
            last.qty += qty
            last.last_id = trade.id
        else:
            self.aggs.append(AggTrade(len(self.aggs) + 1, trade, taker_order_id))
        return trade

    @property
    def last_price(self) -> Decimal:
        return self.trades[-1].price if self.trades else self.info.price

    def trades_between(self, start: int, end: int) -> list[Trade]:
        """Trades with ``start <= time <= end``, oldest first."""
        lo = bisect.bisect_left(self.trade_times, start)
        hi = bisect.bisect_right(self.trade_times, end)
        return self.trades[lo:hi]

    def volume_since(self, start: int) -> tuple[Decimal, Decimal, int]:
        """(base volume, quote volume, index of the first trade) of trades at or after ``start``."""
        lo = bisect.bisect_left(self.trade_times, start)
        if lo >= len(self.trades):
            return ZERO, ZERO, lo
        before_qty = self.cum_qty[lo - 1] if lo else ZERO
        before_quote = self.cum_quote[lo - 1] if lo else ZERO
        return self.cum_qty[-1] - before_qty, self.cum_quote[-1] - before_quote, lo

    def avg_price(self, now: int, mins: int) -> Decimal:
        """Volume-weighted price of the last ``mins`` minutes (the last price if nothing traded)."""
        qty, quote, _ = self.volume_since(now - mins * 60_000)
        if qty <= 0:
            return self.last_price
        return (quote / qty).quantize(EIGHT)
