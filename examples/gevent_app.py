"""The client under gevent: many greenlets, one client, one connection.

``monkey.patch_all()`` must run before anything else is imported, so the client's reader
thread becomes a greenlet and its sockets cooperative. Then a blocking call only blocks its
own greenlet, and keepalive still notices a dead link within ``ping_interval + ping_timeout``.

    BINANCE_WS_URL=ws://127.0.0.1:8765/ws-api/v3 python examples/gevent_app.py --greenlets 50

Without ``BINANCE_WS_URL`` it uses the spot testnet. Only public market data is read, so
no keys are needed.
"""

from gevent import monkey  # type: ignore[import-untyped]  # gevent ships no annotations

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
from collections.abc import Sequence  # noqa: E402

import gevent  # noqa: E402

from binance_ws import Client  # noqa: E402

SYMBOLS = ("BTCUSDT", "ETHUSDT", "BNBUSDT", "BNBBTC")


def fetch(client: Client, n: int) -> str:
    symbol = SYMBOLS[n % len(SYMBOLS)]
    ticker = client.ticker_book(symbol=symbol)
    return f"greenlet {n}: {symbol} bid {ticker.bid_price} ask {ticker.ask_price}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--greenlets", type=int, default=20)
    args = parser.parse_args(argv)
    url = os.environ.get("BINANCE_WS_URL")
    with Client(url, testnet=url is None, credentials_from_env=False) as client:
        jobs = [gevent.spawn(fetch, client, n) for n in range(args.greenlets)]
        gevent.joinall(jobs, timeout=30, raise_error=True)
        for job in jobs:
            print(job.value)
        print(f"{sum(job.successful() for job in jobs)} of {len(jobs)} greenlets done on one client")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
