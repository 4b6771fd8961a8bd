"""The engine's state: its lock and transactions, lookups, admission checks and funds.

Threading: one lock (:attr:`EngineState.lock`) guards every book, order and balance. An
operation runs inside :meth:`EngineState.transaction`, which collects the user-data events
it causes and hands them to the ``publish`` callback after the engine lock is released; a second lock, taken
before the first is released, keeps events of successive operations in order without
holding the engine lock while anything is sent.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import logging
import random
import string
import threading
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..model import errors as _errors
from ..model.accounts import MARKET_MAKER, MARKET_MAKER_BALANCE, Account, Accounts
from ..model.clock import Clock, now_ms
from ..model.decimals import ZERO
from ..model.errors import ExchangeError
from ..model.events import account_position, execution_report, with_working
from ..model.orders import AccountTrade, Allocation, Order, OrderList, PreventedMatch
from ..model.symbols import AVG_PRICE_MINS, MAX_NUM_ALGO_ORDERS, MAX_NUM_ORDERS, SymbolInfo
from .validation import OrderRequest, filter_failure, floor_step

if TYPE_CHECKING:
    from ..model.book import Book
    from ..model.orders import Amendment

__all__ = ["EngineState", "Publish", "Tx", "insufficient_balance", "rejected"]

#: Where the engine sends each user-data event: ``publish(account_id, event)``.
Publish = Callable[[str, dict[str, Any]], None]

logger = logging.getLogger(__name__)

# Work done after the main step of one operation (stops triggered, lists advanced) is
# bounded, so a pathological chain of stops cannot spin forever under the lock.
MAX_FOLLOW_UPS = 100_000
_ALNUM = string.ascii_letters + string.digits


def rejected(msg: str) -> ExchangeError:
    return _errors.bad_request(-2010, msg)


def insufficient_balance() -> ExchangeError:
    return rejected("Account has insufficient balance for requested action.")


def _discard(account_id: str, event: dict[str, Any]) -> None:
    pass


class Tx:
    """What one engine operation did: its time, its events and the follow-up work it queued."""

    __slots__ = ("events", "later", "now", "prices", "touched")

    def __init__(self, now: int) -> None:
        self.now = now
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.touched: dict[str, set[str]] = {}
        self.later: collections.deque[Callable[[], None]] = collections.deque()
        #: Trade prices per symbol since stops were last checked.
        self.prices: dict[str, list[Decimal]] = {}

    def touch(self, account_id: str, *assets: str) -> None:
        self.touched.setdefault(account_id, set()).update(assets)


class EngineState:
    """Orders, lists, balances and records of one exchange, and the lock that guards them."""

    def __init__(
        self,
        accounts: Accounts,
        symbols: Mapping[str, SymbolInfo],
        books: Mapping[str, Book],
        *,
        publish: Publish | None = None,
        on_fill: Callable[[str], None] | None = None,
        clock: Clock = now_ms,
    ) -> None:
        self.accounts = accounts
        self.symbols = symbols
        self.books = books
        # Events go nowhere until someone listens (an engine built alone, in a test).
        self._publish: Publish = publish if publish is not None else _discard
        # Told the account of every order that fills (the unfilled order count forgets it).
        self._on_fill = on_fill
        self.clock = clock
        self.lock = threading.RLock()
        self._publish_lock = threading.Lock()
        self._rng = random.Random()
        self.orders: dict[int, Order] = {}
        #: Every order of an account on a symbol, oldest first.
        self.account_orders: dict[tuple[str, str], list[Order]] = collections.defaultdict(list)
        #: Open orders of an account on a symbol, by order id.
        self.open_orders: dict[tuple[str, str], dict[int, Order]] = collections.defaultdict(dict)
        #: The latest order of an account and symbol with a given client order id.
        self.by_client_id: dict[tuple[str, str, str], Order] = {}
        self.lists: dict[int, OrderList] = {}
        self.account_lists: dict[str, list[OrderList]] = collections.defaultdict(list)
        self.list_by_client_id: dict[tuple[str, str], OrderList] = {}
        self.account_trades: dict[tuple[str, str], list[AccountTrade]] = collections.defaultdict(list)
        self.allocations: dict[tuple[str, str], list[Allocation]] = collections.defaultdict(list)
        self.amendments: dict[int, list[Amendment]] = collections.defaultdict(list)
        self.prevented: dict[tuple[str, str], list[PreventedMatch]] = collections.defaultdict(list)
        self._order_ids = itertools.count(1)
        self._list_ids = itertools.count(1)
        self._execution_ids = itertools.count(1)
        self._prevented_ids = itertools.count(1)
        self._allocation_ids = itertools.count(1)
        maker = accounts.get(MARKET_MAKER)
        for info in symbols.values():
            for asset in (info.base, info.quote):
                maker.free.setdefault(asset, MARKET_MAKER_BALANCE)

    # -- transactions and events -----------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """Run one operation under the lock; publish its events after releasing it."""
        self.lock.acquire()
        tx = Tx(self.clock())
        try:
            yield tx
        finally:
            try:
                self._follow_up(tx)
                self._positions(tx)
            finally:
                self._publish_lock.acquire()
                self.lock.release()
            try:
                self._deliver(tx.events)
            finally:
                self._publish_lock.release()

    def _deliver(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        for account_id, event in events:
            try:
                self._publish(account_id, event)
            except Exception:
                # The operation has happened; a delivery failure must not turn its answer into an error.
                logger.exception("could not deliver a %s event", event.get("e"))

    def _positions(self, tx: Tx) -> None:
        for account_id, assets in tx.touched.items():
            if account_id == MARKET_MAKER:
                continue
            account = self.account(account_id)
            account.update_time = tx.now
            tx.events.append((account_id, account_position(account, assets, tx.now)))

    def _follow_up(self, tx: Tx) -> None:
        for _ in range(MAX_FOLLOW_UPS):
            if tx.later:
                tx.later.popleft()()
            elif tx.prices:
                symbol, prices = tx.prices.popitem()
                self._check_stops(tx, symbol, prices)
            else:
                return
        logger.warning("stopped following up an operation after %d steps", MAX_FOLLOW_UPS)

    def started(self, tx: Tx, order: Order, index: int) -> None:
        """Complete the NEW report at ``tx.events[index]`` once ``order`` was started."""
        if order.working_time != -1 and order.working_time <= tx.now:
            account_id, event = tx.events[index]
            if event.get("x") == "NEW" and "W" not in event:
                tx.events[index] = (account_id, with_working(event, order.working_time))

    def report(self, tx: Tx, order: Order, exec_type: str, **fields: Any) -> int:
        """Queue an executionReport for ``order``; returns its execution id."""
        execution_id = next(self._execution_ids)
        event = execution_report(order, exec_type=exec_type, now=tx.now, execution_id=execution_id, **fields)
        tx.events.append((order.account_id, event))
        return execution_id

    # -- lookups ---------------------------------------------------------------------------

    def account(self, account_id: str) -> Account:
        return self.accounts.get(account_id)

    def book(self, symbol: str) -> Book:
        return self.books[symbol]

    def client_id(self) -> str:
        return "".join(self._rng.choices(_ALNUM, k=22))

    def avg_price(self, symbol: str, now: int) -> Decimal:
        return self.book(symbol).avg_price(now, AVG_PRICE_MINS)

    def find(self, account_id: str, symbol: str, order_id: int | None, client_id: str | None) -> Order | None:
        """The account's order by id (its client id must then match, if given) or client id."""
        if order_id is not None:
            order = self.orders.get(order_id)
            if order is None or order.account_id != account_id or order.symbol != symbol:
                return None
            if client_id is not None and order.client_order_id != client_id:
                return None
            return order
        if client_id is None:
            return None
        return self.by_client_id.get((account_id, symbol, client_id))

    # -- admission and funds ---------------------------------------------------------------

    def admit(self, account_id: str, reqs: list[OrderRequest]) -> None:
        """Checks that need the account's open orders: duplicate ids, order-count filters."""
        if not reqs:
            return
        symbol = reqs[0].info.symbol
        opened = self.open_orders[(account_id, symbol)]
        for req in reqs:
            if req.client_order_id is not None:
                known = self.by_client_id.get((account_id, symbol, req.client_order_id))
                if known is not None and known.is_open:
                    raise rejected("Duplicate order sent.")
        if len(opened) + len(reqs) > MAX_NUM_ORDERS:
            raise filter_failure("MAX_NUM_ORDERS")
        algos = sum(1 for o in opened.values() if o.is_stop)
        if algos + sum(1 for r in reqs if r.type.startswith(("STOP", "TAKE"))) > MAX_NUM_ALGO_ORDERS:
            raise filter_failure("MAX_NUM_ALGO_ORDERS")

    def resolve_peg(self, req: OrderRequest) -> None:
        """Give a pegged order its price from the book (pegs are fixed at placement here)."""
        if req.peg_price_type is None:
            return
        book = self.book(req.info.symbol)
        own = req.side if req.peg_price_type == "PRIMARY_PEG" else ("SELL" if req.side == "BUY" else "BUY")
        level = book.best(own)
        if level is None:
            raise rejected("Order book liquidity is too low for this pegged order.")
        offset = req.info.tick * (req.peg_offset_value or 0)
        # The offset moves the price away from the spread on the side it pegs to.
        req.price = level.price - offset if own == "BUY" else level.price + offset

    def would_take(self, book: Book, side: str, price: Decimal) -> bool:
        best = book.best("SELL" if side == "BUY" else "BUY")
        if best is None:
            return False
        return best.price <= price if side == "BUY" else best.price >= price

    def sweep(
        self,
        book: Book,
        side: str,
        *,
        qty: Decimal | None = None,
        quote: Decimal | None = None,
        limit: Decimal | None = None,
    ) -> tuple[Decimal, Decimal]:
        """What a ``side`` taker could fill right now: (quantity, quote amount); changes nothing."""
        prices = book.ask_prices if side == "BUY" else reversed(book.bid_prices)
        levels = book.asks if side == "BUY" else book.bids
        filled = cost = ZERO
        for price in prices:
            if limit is not None and (price > limit if side == "BUY" else price < limit):
                break
            level = levels[price]
            available = level.seed + sum((o.remaining for o in level.orders), ZERO)
            if qty is not None:
                take = min(available, qty - filled)
            else:
                take = min(available, floor_step(book.info, ((quote or ZERO) - cost) / price))
            if take <= 0:
                break
            filled += take
            cost += take * price
            if qty is not None and filled >= qty:
                break
        return filled, cost

    def funds(self, req: OrderRequest, book: Book) -> tuple[str, Decimal, Decimal]:
        """(asset to lock, amount, quantity) for a new order; quantity is computed for quoteOrderQty."""
        info = book.info
        qty = req.quantity or ZERO
        if req.type == "MARKET":
            if book.best("SELL" if req.side == "BUY" else "BUY") is None:
                raise rejected("Order book liquidity is less than LOT_SIZE filter minimum quantity.")
            if req.quote_order_qty is not None:
                qty, cost = self.sweep(book, req.side, quote=req.quote_order_qty)
                if qty < info.min_qty:
                    raise filter_failure("LOT_SIZE")
            else:
                filled, cost = self.sweep(book, req.side, qty=qty)
                if filled < info.min_qty:
                    raise rejected("Order book liquidity is less than LOT_SIZE filter minimum quantity.")
            if req.side == "BUY":
                return info.quote, req.quote_order_qty if req.quote_order_qty is not None else cost, qty
            return info.base, qty, qty
        if req.side == "SELL":
            return info.base, qty, qty
        price = req.price if req.price is not None else (req.stop_price or book.last_price)
        return info.quote, price * qty, qty

    def hold(self, tx: Tx, order: Order, asset: str, amount: Decimal) -> None:
        account = self.account(order.account_id)
        account.lock(asset, amount)
        order.locked_asset = asset
        order.locked += amount
        tx.touch(order.account_id, asset)

    def release(self, tx: Tx, order: Order) -> None:
        if order.locked > 0 and order.locked_asset is not None:
            self.account(order.account_id).unlock(order.locked_asset, order.locked)
            tx.touch(order.account_id, order.locked_asset)
        order.locked = ZERO

    def _check_stops(self, tx: Tx, symbol: str, prices: list[Decimal]) -> None:
        """Trigger the stop orders of ``symbol`` that ``prices`` reached (the matching core's)."""
        raise NotImplementedError
