"""``python -m binance_ws``: the demo session and the standalone local exchange."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
from collections.abc import Sequence

__all__ = ["main"]


def _need_exchange() -> None:
    try:
        import websockets  # noqa: F401
    except ImportError:
        sys.exit("this command needs the local exchange: pip install 'binance-ws[exchange]'")


def cmd_exchange(args: argparse.Namespace) -> int:
    """Serve a local exchange until interrupted; the first output line is its URL."""
    _need_exchange()
    from .exchange import LocalExchange

    with LocalExchange(port=args.port) as ex:
        print(ex.url, flush=True)
        try:
            threading.Event().wait()  # until Ctrl-C
        except KeyboardInterrupt:
            pass
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """A short session against an embedded local exchange: no keys, no network."""
    _need_exchange()
    from . import BadRequestError, Client
    from .exchange import LocalExchange

    with LocalExchange() as ex, Client(ex.url) as client:
        print(f"Connected to the embedded local exchange at {ex.url}")
        server_ms = client.request("time").result["serverTime"]
        server_time = dt.datetime.fromtimestamp(server_ms / 1000, tz=dt.timezone.utc)
        print(f"Server time: {server_time:%Y-%m-%d %H:%M:%S.%f}"[:-3] + " UTC")
        book = client.request("depth", {"symbol": "BTCUSDT", "limit": 5}).result
        print()
        print("BTCUSDT order book (top 5)")
        print(f"{'bid qty':>14} {'bid':>12} | {'ask':<12} {'ask qty':<14}")
        for (bid, bid_qty), (ask, ask_qty) in zip(book["bids"], book["asks"], strict=False):
            print(f"{bid_qty:>14} {bid:>12} | {ask:<12} {ask_qty:<14}")
        print()
        try:
            client.request("depth", {"symbol": "NOSUCHPAIR"})
        except BadRequestError as exc:
            print(f"Caught {type(exc).__name__}: {exc}")
        limits = ", ".join(
            f"{r.type.value} {r.count}/{r.limit} per {r.interval_num} {r.interval.value}"
            for r in client.last_rate_limits
        )
        print(f"Rate limits used: {limits}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m binance_ws", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run a demo session against an embedded local exchange")
    demo.set_defaults(func=cmd_demo)
    exchange = sub.add_parser("exchange", help="serve a local exchange on 127.0.0.1")
    exchange.add_argument("--port", type=int, default=0, help="TCP port (0: any free port)")
    exchange.set_defaults(func=cmd_exchange)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result
