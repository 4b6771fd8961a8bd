"""The matching core of the engine: order life, price-time matching, fills and stops.

Every method here runs under the engine lock, inside one transaction (see
``state.py``); work that must not happen in the middle of a match (a stop that
triggers, a list that places its pending orders) is queued on the transaction instead.
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from ..model.accounts import MARKET_MAKER
from ..model.decimals import EIGHT, ZERO, fmt
from ..model.orders import AccountTrade, Allocation, Order, PreventedMatch
from .state import EngineState, Tx

if TYPE_CHECKING:
    from ..model.book import Book, Level
    from .validation import OrderRequest

__all__ = ["EngineCore"]


class EngineCore(EngineState):
    """Orders, balances and matching for every symbol of one exchange."""

    # -- order life ------------------------------------------------------------------------

    def create(self, tx: Tx, account_id: str, req: OrderRequest, *, order_list_id: int = -1) -> Order:
        order = Order(
            order_id=next(self._order_ids),
            account_id=account_id,
            symbol=req.info.symbol,
            side=req.side,
            type=req.type,
            time_in_force=req.time_in_force or "GTC",
            price=req.price if req.price is not None else ZERO,
            orig_qty=req.quantity if req.quantity is not None else ZERO,
            client_order_id=req.client_order_id or self.client_id(),
            time=tx.now,
            update_time=tx.now,
            stp_mode=req.stp_mode,
            orig_quote_order_qty=req.quote_order_qty if req.quote_order_qty is not None else ZERO,
            stop_price=req.stop_price,
            trailing_delta=req.trailing_delta,
            iceberg_qty=req.iceberg_qty,
            strategy_id=req.strategy_id,
            strategy_type=req.strategy_type,
            order_list_id=order_list_id,
            used_sor=req.sor,
            peg_price_type=req.peg_price_type,
            peg_offset_type=req.peg_offset_type,
            peg_offset_value=req.peg_offset_value,
        )
        key = (account_id, order.symbol)
        self.orders[order.order_id] = order
        self.account_orders[key].append(order)
        self.open_orders[key][order.order_id] = order
        self.by_client_id[(account_id, order.symbol, order.client_order_id)] = order
        return order

    def start(self, tx: Tx, order: Order) -> None:
        """Put a new (or newly activated) order to work: stop, match or rest."""
        book = self.book(order.symbol)
        if order.is_stop:
            if order.trailing_delta is not None and order.stop_price is None:
                order.trail_ref = book.last_price
                order.trailing_time = tx.now
            book.stops.append(order)
            return
        order.working_time = tx.now
        if order.type == "MARKET":
            self.match(tx, order, None)
            if order.is_open:
                self.expire(tx, order, "INSUFFICIENT_LIQUIDITY")
        else:
            self.work_limit(tx, order)

    def work_limit(self, tx: Tx, order: Order) -> None:
        book = self.book(order.symbol)
        if order.type == "LIMIT_MAKER" and self.would_take(book, order.side, order.price):
            self.expire(tx, order, "REJECTED")
            return
        if order.time_in_force == "FOK":
            filled, _ = self.sweep(book, order.side, qty=order.remaining, limit=order.price)
            if filled < order.remaining:
                self.expire(tx, order, "UNFILLED_FOK_ORDER_EXPIRED")
                return
        self.match(tx, order, order.price)
        if not order.is_open:
            return
        if order.time_in_force == "IOC":
            self.expire(tx, order, "UNFILLED_IOC_QUANTITY_EXPIRED")
            return
        book.add(order)
        order.on_book = True

    def take_off(self, order: Order) -> None:
        """Remove the order from wherever it waits: its price level or the stop list."""
        book = self.book(order.symbol)
        if order.on_book:
            book.remove(order)
            order.on_book = False
        if order in book.stops:
            book.stops.remove(order)

    def finish(self, tx: Tx, order: Order) -> None:
        """An order reached a final status: free its funds and tell its list."""
        self.take_off(order)
        self.release(tx, order)
        self.open_orders[(order.account_id, order.symbol)].pop(order.order_id, None)
        if order.order_list_id != -1:
            tx.later.append(functools.partial(self.on_list_order_done, tx, order))

    def expire(
        self, tx: Tx, order: Order, reason: str | None, status: str = "EXPIRED", **fields: Any
    ) -> None:
        """End an order the exchange's rules stop (``reason``: its expiryReason, if any).

        ``fields``: more of the executionReport (``prevention=`` for self-trade prevention).
        """
        order.status = status
        order.expiry_reason = reason
        order.update_time = tx.now
        self.take_off(order)
        self.report(tx, order, "TRADE_PREVENTION" if status == "EXPIRED_IN_MATCH" else "EXPIRED", **fields)
        self.finish(tx, order)

    def cancel_order(self, tx: Tx, order: Order, new_client_id: str | None) -> str:
        """Cancel one open order; returns its client order id from before the cancel."""
        old = order.client_order_id
        self.take_off(order)
        order.status = "CANCELED"
        order.update_time = tx.now
        order.client_order_id = new_client_id or self.client_id()
        self.by_client_id[(order.account_id, order.symbol, order.client_order_id)] = order
        self.report(tx, order, "CANCELED", orig_client_order_id=old)
        self.finish(tx, order)
        return old

    # -- matching --------------------------------------------------------------------------

    def match(self, tx: Tx, taker: Order, limit: Decimal | None) -> None:
        """Fill ``taker`` against the opposite side, best price first, up to ``limit``."""
        book = self.book(taker.symbol)
        side = "SELL" if taker.side == "BUY" else "BUY"
        while taker.is_open and taker.remaining > 0:
            level = book.best(side)
            if level is None:
                break
            price = level.price
            if limit is not None and (price > limit if taker.side == "BUY" else price < limit):
                break
            if level.seed > 0:
                take = min(level.seed, taker.remaining)
                level.seed -= take
                self.fill(tx, book, taker, None, price=price, qty=take)
            while taker.is_open and taker.remaining > 0 and level.orders:
                maker = level.orders[0]
                if maker.account_id == taker.account_id and taker.stp_mode not in ("NONE", "TRANSFER"):
                    self.prevent(tx, level, taker, maker)
                    continue
                # A maker that fills leaves the level through finish() -> take_off().
                self.fill(tx, book, taker, maker, price=price, qty=min(maker.remaining, taker.remaining))
            level.refresh()
            book.drop_if_empty(side, level)
            book.changed()

    def prevent(self, tx: Tx, level: Level, taker: Order, maker: Order) -> None:
        """Self-trade prevention with the taker's mode (DECREMENT expires both, simplified)."""
        mode = taker.stp_mode
        match_id = next(self._prevented_ids)
        qty = min(maker.remaining, taker.remaining)
        self.prevented[(taker.account_id, taker.symbol)].append(
            PreventedMatch(
                taker.symbol,
                match_id,
                taker.order_id,
                maker.order_id,
                match_id,
                mode,
                level.price,
                maker.remaining,
                tx.now,
            )
        )
        if mode in ("EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT"):
            level.orders.popleft()
            maker.on_book = False
            maker.prevented_match_id = match_id
            maker.prevented_quantity = maker.remaining
            prevention = (maker.remaining, match_id, taker.order_id, taker.symbol, level.price)
            self.expire(tx, maker, None, status="EXPIRED_IN_MATCH", prevention=prevention)
        if mode in ("EXPIRE_TAKER", "EXPIRE_BOTH", "DECREMENT"):
            taker.prevented_match_id = match_id
            taker.prevented_quantity = qty
            prevention = (qty, match_id, maker.order_id, maker.symbol, level.price)
            self.expire(tx, taker, None, status="EXPIRED_IN_MATCH", prevention=prevention)

    def fill(
        self, tx: Tx, book: Book, taker: Order, maker: Order | None, *, price: Decimal, qty: Decimal
    ) -> None:
        buyer, seller = (taker, maker) if taker.side == "BUY" else (maker, taker)
        trade = book.record_trade(
            price,
            qty,
            tx.now,
            is_buyer_maker=taker.side == "SELL",
            buyer_order_id=buyer.order_id if buyer is not None else -1,
            seller_order_id=seller.order_id if seller is not None else -1,
            taker_order_id=taker.order_id,
        )
        tx.prices.setdefault(book.info.symbol, []).append(price)
        self.settle(tx, taker, price, qty, trade.id, is_maker=False)
        if maker is not None:
            self.settle(tx, maker, price, qty, trade.id, is_maker=True)
        else:
            info = book.info
            mm = self.account(MARKET_MAKER)
            if taker.side == "BUY":
                mm.debit(info.base, qty)
                mm.credit(info.quote, price * qty)
            else:
                mm.debit(info.quote, price * qty)
                mm.credit(info.base, qty)

    def settle(
        self, tx: Tx, order: Order, price: Decimal, qty: Decimal, trade_id: int, *, is_maker: bool
    ) -> None:
        """Move the balances of one side of a fill, charge its commission, record it."""
        if order.order_list_id != -1:
            self.on_leg_works(tx, order)
        info = self.symbols[order.symbol]
        account = self.account(order.account_id)
        quote = price * qty
        if order.side == "BUY":
            pay_asset, pay, got_asset, got, extra = info.quote, quote, info.base, qty, account.buyer
        else:
            pay_asset, pay, got_asset, got, extra = info.base, qty, info.quote, quote, account.seller
        rate = (account.maker if is_maker else account.taker) + extra
        commission = (got * rate).quantize(EIGHT, rounding=ROUND_HALF_UP)
        from_lock = min(order.locked, pay) if order.locked_asset == pay_asset else ZERO
        if from_lock > 0:
            account.pay_locked(pay_asset, from_lock)
            order.locked -= from_lock
        if pay > from_lock:
            account.debit(pay_asset, pay - from_lock)
        account.credit(got_asset, got - commission)
        if order.executed_qty == 0 and self._on_fill is not None:
            # An order that starts to fill no longer counts as unfilled (the ORDERS limit).
            self._on_fill(order.account_id)
        order.received += got - commission
        order.executed_qty += qty
        order.cum_quote += quote
        order.update_time = tx.now
        order.status = "FILLED" if order.remaining <= 0 else "PARTIALLY_FILLED"
        key = (order.account_id, order.symbol)
        if order.used_sor:
            alloc_id = next(self._allocation_ids)
            self.allocations[key].append(
                Allocation(
                    order.symbol,
                    alloc_id,
                    order.order_id,
                    order.order_list_id,
                    price,
                    qty,
                    commission,
                    got_asset,
                    tx.now,
                    order.side == "BUY",
                )
            )
            fill: dict[str, Any] = {
                "matchType": "ONE_PARTY_TRADE_REPORT",
                "price": fmt(price),
                "qty": fmt(qty),
                "commission": fmt(commission),
                "commissionAsset": got_asset,
                "tradeId": -1,
                "allocId": alloc_id,
            }
        else:
            self.account_trades[key].append(
                AccountTrade(
                    order.symbol,
                    trade_id,
                    order.order_id,
                    order.order_list_id,
                    price,
                    qty,
                    commission,
                    got_asset,
                    tx.now,
                    order.side == "BUY",
                    is_maker,
                )
            )
            fill = {
                "price": fmt(price),
                "qty": fmt(qty),
                "commission": fmt(commission),
                "commissionAsset": got_asset,
                "tradeId": trade_id,
            }
        if not is_maker:
            order.fills.append(fill)
        tx.touch(order.account_id, info.base, info.quote)
        self.report(
            tx,
            order,
            "TRADE",
            last_qty=qty,
            last_price=price,
            commission=commission,
            commission_asset=got_asset,
            trade_id=-1 if order.used_sor else trade_id,
            is_maker=is_maker,
        )
        if order.status == "FILLED":
            self.finish(tx, order)

    # -- stops -----------------------------------------------------------------------------

    @staticmethod
    def stop_hit(order_type: str, side: str, stop: Decimal | None, price: Decimal) -> bool:
        """Whether a last price of ``price`` meets a stop order's trigger condition."""
        if stop is None:
            return True
        if order_type.startswith("STOP_LOSS"):
            return price <= stop if side == "SELL" else price >= stop
        return price >= stop if side == "SELL" else price <= stop

    def _triggers(self, tx: Tx, order: Order, price: Decimal) -> bool:
        hit = self.stop_hit(order.type, order.side, order.stop_price, price)
        if order.trailing_delta is None:
            return hit
        if order.trail_ref is None:
            if hit:
                order.trail_ref = price
                order.trailing_time = tx.now
            return False
        delta = Decimal(order.trailing_delta) / 10_000
        if order.side == "SELL":
            order.trail_ref = max(order.trail_ref, price)
            return price <= order.trail_ref * (1 - delta)
        order.trail_ref = min(order.trail_ref, price)
        return price >= order.trail_ref * (1 + delta)

    def _check_stops(self, tx: Tx, symbol: str, prices: list[Decimal]) -> None:
        book = self.book(symbol)
        for order in list(book.stops):
            if not order.is_open:
                continue
            if any(self._triggers(tx, order, p) for p in prices):
                book.stops.remove(order)
                tx.later.append(functools.partial(self.trigger, tx, order))

    def trigger(self, tx: Tx, order: Order) -> None:
        """A stop order's condition was met: it starts working as a LIMIT or MARKET order."""
        if not order.is_open:
            return
        order.working_time = tx.now
        if order.order_list_id != -1:
            self.on_leg_works(tx, order)
        if order.type.endswith("_LIMIT"):
            self.work_limit(tx, order)
            return
        if order.side == "BUY":
            info = self.symbols[order.symbol]
            _, cost = self.sweep(self.book(order.symbol), "BUY", qty=order.remaining)
            short = cost - order.locked
            if short > 0:
                if self.account(order.account_id).available(info.quote) < short:
                    self.expire(tx, order, "REJECTED")
                    return
                self.hold(tx, order, info.quote, short)
        self.match(tx, order, None)
        if order.is_open:
            self.expire(tx, order, "INSUFFICIENT_LIQUIDITY")

    # -- order-list hooks (the order-list mixin overrides these) ---------------------------

    def on_leg_works(self, tx: Tx, order: Order) -> None:
        """An order of a list starts to work (its first fill, or its stop triggered)."""

    def on_list_order_done(self, tx: Tx, order: Order) -> None:
        """An order of a list reached a final status."""
