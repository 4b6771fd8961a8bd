"""The scripted market: another participant that trades on its own, for demos.

``LocalExchange(scripted_market=True)`` (or ``python -m binance_ws exchange
--scripted-market``) starts one thread that, every ``interval`` seconds, picks a symbol and
either rests a small LIMIT order a few ticks from the touch, sends a small MARKET order (a
trade: prices move, klines and tickers change, resting demo orders may fill), or cancels
one of its older orders. It trades from its own well-funded account, so the demo
account's user-data stream sees fills against it.

Bounded: at most ``max_open`` resting orders (the oldest is cancelled first), and market
orders lean back toward each symbol's reference price once it has drifted more than
``max_drift``, so a long demo does not wander off.
"""

from __future__ import annotations

import collections
import logging
import random
import threading
from decimal import ROUND_UP, Decimal
from typing import TYPE_CHECKING

from ..model.accounts import MARKET_MAKER_BALANCE
from ..model.errors import ExchangeError

if TYPE_CHECKING:
    from ..engine.core import Engine

logger = logging.getLogger(__name__)

__all__ = ["SCRIPTED_ACCOUNT", "ScriptedMarket"]

#: The account the scripted participant trades from.
SCRIPTED_ACCOUNT = "scripted-market"
# Gentle: a few actions per second keep a demo lively without flooding a client.
DEFAULT_INTERVAL = 0.25
DEFAULT_MAX_OPEN = 40
# Beyond this relative distance from the reference price, market orders lean back.
DEFAULT_MAX_DRIFT = Decimal("0.02")
# Order sizes: this many times the symbol's minimum notional.
_SIZES = (1, 2, 3, 5)


class ScriptedMarket:
    """A participant placing and cancelling orders at a gentle pace on a background thread."""

    def __init__(
        self,
        engine: Engine,
        *,
        interval: float = DEFAULT_INTERVAL,
        max_open: int = DEFAULT_MAX_OPEN,
        max_drift: Decimal = DEFAULT_MAX_DRIFT,
        symbols: list[str] | None = None,
        seed: int | None = None,
    ) -> None:
        # It trades through the engine, as a client would (the engine's accounts and books).
        self.engine = engine
        self.interval = interval
        self.max_open = max_open
        self.max_drift = max_drift
        self.symbols = symbols or [s for s in ("BTCUSDT", "ETHUSDT", "BNBUSDT") if s in engine.symbols]
        self._rng = random.Random(seed)
        self._open: collections.deque[tuple[str, int]] = collections.deque()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Actions taken so far, by kind (``limit``, ``market``, ``cancel``, ``rejected``).
        self.actions: collections.Counter[str] = collections.Counter()

    def start(self) -> None:
        """Fund the participant's account and start trading."""
        if self._thread is not None:
            return
        assets = {
            a
            for name in self.symbols
            for a in (self.engine.symbols[name].base, self.engine.symbols[name].quote)
        }
        self.engine.accounts.add(SCRIPTED_ACCOUNT, dict.fromkeys(sorted(assets), MARKET_MAKER_BALANCE))
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="binance-ws-exchange-market", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop trading and join the thread (its resting orders stay on the book)."""
        thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            thread.join(5)
            if thread.is_alive():
                logger.warning("the scripted market thread did not stop within 5 s")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.step()
            except ExchangeError as exc:
                self.actions["rejected"] += 1
                logger.debug("scripted order refused: %s %s", exc.code, exc.msg)
            except Exception:
                # A bug here must not end the demo: log it and carry on.
                logger.exception("scripted market step failed")

    def step(self) -> None:
        """One action: rest an order, trade, or cancel (oldest first when at the cap)."""
        if len(self._open) >= self.max_open or (self._open and self._rng.random() < 0.2):
            symbol, order_id = self._open.popleft()
            self._cancel(symbol, order_id)
            self.actions["cancel"] += 1
            return
        symbol = self._rng.choice(self.symbols)
        info = self.engine.symbols[symbol]
        bid, ask = self._touch(symbol)
        if bid is None or ask is None:
            side = "BUY" if bid is None else "SELL"
            price = info.price
        else:
            mid = (bid + ask) / 2
            drift = (mid - info.price) / info.price
            side = self._rng.choice(("BUY", "SELL"))
            if self._rng.random() < 0.5:
                if abs(drift) > self.max_drift:
                    side = "SELL" if drift > 0 else "BUY"  # lean back toward the reference
                self._market(symbol, side, mid)
                self.actions["market"] += 1
                return
            ticks = info.tick * self._rng.randint(0, 5)
            price = bid - ticks if side == "BUY" else ask + ticks
        placed = self._limit(symbol, side, price)
        if placed is not None:
            self._open.append((symbol, placed))
        self.actions["limit"] += 1

    # -- order entry -----------------------------------------------------------------------

    def _quantity(self, symbol: str, price: Decimal) -> Decimal:
        info = self.engine.symbols[symbol]
        notional = info.min_notional * self._rng.choice(_SIZES) * Decimal("1.1")
        steps = (notional / price / info.step).to_integral_value(ROUND_UP)
        return max(steps * info.step, info.min_qty)

    def _touch(self, symbol: str) -> tuple[Decimal | None, Decimal | None]:
        book = self.engine.books[symbol]
        with self.engine.lock:
            bid, ask = book.best("BUY"), book.best("SELL")
            return (bid.price if bid else None), (ask.price if ask else None)

    def _limit(self, symbol: str, side: str, price: Decimal) -> int | None:
        params = {
            "symbol": symbol,
            "side": side,
            "type": "LIMIT_MAKER",
            "price": _text(price),
            "quantity": _text(self._quantity(symbol, price)),
            "newOrderRespType": "ACK",
        }
        result = self.engine.place(SCRIPTED_ACCOUNT, params)
        order_id = result.get("orderId") if isinstance(result, dict) else None
        return order_id if isinstance(order_id, int) else None

    def _market(self, symbol: str, side: str, mid: Decimal) -> None:
        params = {
            "symbol": symbol,
            "side": side,
            "type": "MARKET",
            "quantity": _text(self._quantity(symbol, mid)),
            "newOrderRespType": "ACK",
        }
        self.engine.place(SCRIPTED_ACCOUNT, params)

    def _cancel(self, symbol: str, order_id: int) -> None:
        try:
            self.engine.cancel(SCRIPTED_ACCOUNT, {"symbol": symbol, "orderId": order_id})
        except ExchangeError as exc:
            # Already filled or cancelled: nothing to do.
            logger.debug("scripted cancel of %d refused: %s", order_id, exc.msg)


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")
