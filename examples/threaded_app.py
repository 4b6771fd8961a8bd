"""A legacy threaded app: a worker pool sharing one client and one User Data Stream.

Each worker thread places a resting LIMIT order, waits until the account's one User Data
Stream has reported it, and cancels it. The client is shared: one connection, one reader
thread, any number of callers; the stream's handler runs on the stream's own dispatcher
thread and wakes the workers waiting for an order's status.

    BINANCE_WS_URL=ws://127.0.0.1:8765/ws-api/v3 \\
    BINANCE_API_KEY=... BINANCE_API_SECRET=... python examples/threaded_app.py --orders 8

Without ``BINANCE_WS_URL`` it uses the spot testnet; ``--local`` starts an embedded local
exchange with its demo keys.
"""

from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import ROUND_DOWN, Decimal

import binance_ws
from binance_ws import Client
from binance_ws.models import Order
from binance_ws.models.events import ExecutionReport

SYMBOL = "BTCUSDT"


def resting_price(client: Client, symbol: str) -> Decimal:
    """A buy price far below the market (so the order rests), on the symbol's tick size."""
    bid = client.depth(symbol=symbol, limit=5).best_bid
    info = client.exchange_info(symbol=symbol).symbol(symbol)
    price_filter = None if info is None else info.filter("PRICE_FILTER")
    tick = None if price_filter is None else price_filter.tick_size
    if bid is None or bid.price is None or not tick:
        raise RuntimeError(f"{symbol} has no bids or no tick size to price an order from")
    return (bid.price * Decimal("0.8") / tick).to_integral_value(ROUND_DOWN) * tick


class OrderBoard:
    """The last status of every order the stream reported; workers wait on it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._status: dict[str, str] = {}

    def on_report(self, event: ExecutionReport) -> None:  # the stream's dispatcher thread
        # A cancel's report names the cancel request in client_order_id, the order in
        # orig_client_order_id.
        key = event.orig_client_order_id or event.client_order_id
        if key is None or event.order_status is None:
            return
        with self._changed:
            self._status[key] = str(event.order_status)
            self._changed.notify_all()

    def wait_for(self, client_order_id: str, status: str, timeout: float) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._status.get(client_order_id) == status, timeout):
                raise TimeoutError(f"{client_order_id} did not become {status} within {timeout} s")


class Bot:
    """The application: its workers share ``client`` and the stream's ``board``."""

    def __init__(self, client: Client, board: OrderBoard) -> None:
        self.client = client
        self.board = board
        self.lock = threading.Lock()
        self.done: list[int] = []
        self.price = resting_price(client, SYMBOL)

    def work(self, n: int) -> str:
        name = threading.current_thread().name
        client_order_id = f"pool-{os.getpid()}-{n}"
        try:
            placed = self.client.order_place(
                symbol=SYMBOL,
                side="BUY",
                type="LIMIT",
                time_in_force="GTC",
                price=self.price,
                quantity="0.001",
                new_client_order_id=client_order_id,
            )
            order_id = placed.order_id
        except binance_ws.ExecutionUnknownError as err:
            found = self.client.resolve_unknown(err)  # never resend blindly
            if found is None:
                return f"{name}: order {n} was not placed"
            if not isinstance(found, Order):  # an order.place resolves to an Order
                raise
            order_id = found.order_id
        self.board.wait_for(client_order_id, "NEW", timeout=10)
        self.client.order_cancel(symbol=SYMBOL, orig_client_order_id=client_order_id)
        self.board.wait_for(client_order_id, "CANCELED", timeout=10)
        with self.lock:
            self.done.append(n)
        return f"{name}: order {n} ({order_id}) placed and cancelled"


def run(client: Client, orders: int, workers: int) -> None:
    board = OrderBoard()
    with client.user_data() as stream:
        stream.on(ExecutionReport, board.on_report)
        stream.on_gap(lambda gap: print("reconnected; events may be missing since", gap.start_time))
        bot = Bot(client, board)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="worker") as pool:
            for line in pool.map(bot.work, range(orders)):
                print(line)
    print(f"{len(bot.done)} orders placed and cancelled by {workers} workers on one client")
    open_orders = client.open_orders_status(symbol=SYMBOL)
    print(f"open orders left: {len(open_orders)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--local", action="store_true", help="start an embedded local exchange")
    parser.add_argument("--orders", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    if args.local:
        from binance_ws.exchange import LocalExchange

        with LocalExchange(book_levels=50) as ex:
            key = ex.keys.hmac
            with Client(ex.url, api_key=key.api_key, api_secret=key.api_secret) as client:
                run(client, args.orders, args.workers)
        return 0
    url = os.environ.get("BINANCE_WS_URL")
    with Client(url, testnet=url is None) as client:
        run(client, args.orders, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
