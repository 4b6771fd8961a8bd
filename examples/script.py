"""A plain script: market data, an order and its fate, the balances.

Against any WebSocket API URL, with keys from the environment::

    BINANCE_WS_URL=ws://127.0.0.1:8765/ws-api/v3 \\
    BINANCE_API_KEY=... BINANCE_API_SECRET=... python examples/script.py

Without ``BINANCE_WS_URL`` it uses the spot testnet. ``--local`` starts an embedded local
exchange (``pip install 'binance-ws[exchange]'``) and uses its demo keys: no setup at all.
The order it places is a small LIMIT buy far below the market, cancelled at once.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

import binance_ws
from binance_ws import Client
from binance_ws.models import Order


def resting_price(client: Client, symbol: str) -> Decimal:
    """A buy price far below the market (so the order rests), on the symbol's tick size."""
    bid = client.depth(symbol=symbol, limit=5).best_bid
    info = client.exchange_info(symbol=symbol).symbol(symbol)
    price_filter = None if info is None else info.filter("PRICE_FILTER")
    tick = None if price_filter is None else price_filter.tick_size
    if bid is None or bid.price is None or not tick:
        raise RuntimeError(f"{symbol} has no bids or no tick size to price an order from")
    return (bid.price * Decimal("0.8") / tick).to_integral_value(ROUND_DOWN) * tick


def run(client: Client, symbol: str) -> None:
    print("server time:", client.time().server_datetime)
    book = client.depth(symbol=symbol, limit=5)
    print("best bid:", book.best_bid, "best ask:", book.best_ask)

    price = resting_price(client, symbol)
    try:
        placed = client.order_place(
            symbol=symbol, side="BUY", type="LIMIT", time_in_force="GTC", price=price, quantity="0.001"
        )
        order_id, status = placed.order_id, placed.status
    except binance_ws.ExecutionUnknownError as err:
        # A timeout, a 5xx or a lost connection: the order may exist. Look, never resend blindly.
        found = client.resolve_unknown(err)
        if found is None:
            print("the order was not placed")
            return
        if not isinstance(found, Order):  # an order.place resolves to an Order
            raise
        order_id, status = found.order_id, found.status
    print("placed:", order_id, status, price)

    cancelled = client.order_cancel(symbol=symbol, order_id=order_id)
    print("cancelled:", cancelled.status)

    account = client.account_status(omit_zero_balances=True)
    for balance in account.balances or ():
        print(f"balance {balance.asset}: free {balance.free:f} locked {balance.locked:f}")
    print("rate limits:", ", ".join(str(usage) for usage in client.rate_limits))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--local", action="store_true", help="start an embedded local exchange")
    parser.add_argument("--symbol", default="BTCUSDT")
    args = parser.parse_args(argv)
    if args.local:
        from binance_ws.exchange import LocalExchange

        with LocalExchange() as ex:
            key = ex.keys.hmac
            with Client(ex.url, api_key=key.api_key, api_secret=key.api_secret) as client:
                run(client, args.symbol)
        return 0
    url = os.environ.get("BINANCE_WS_URL")
    # Keys come from BINANCE_API_KEY with BINANCE_API_SECRET or BINANCE_PRIVATE_KEY.
    with Client(url, testnet=url is None) as client:
        run(client, args.symbol)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
