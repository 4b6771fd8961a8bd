"""``python -m binance_ws``: the demo session and the standalone local exchange."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

__all__ = ["main"]


def _need_exchange() -> None:
    try:
        import websockets  # noqa: F401
    except ImportError:
        sys.exit("this command needs the local exchange: pip install 'binance-ws[exchange]'")


def _balance(text: str) -> tuple[str, Decimal]:
    """``ASSET=AMOUNT`` from the command line, e.g. ``USDT=500``."""
    asset, sep, amount = text.partition("=")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        value = Decimal("NaN")
    if not sep or not asset.strip() or not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"expected ASSET=AMOUNT (e.g. USDT=500), got {text!r}")
    return asset.strip().upper(), value


def cmd_exchange(args: argparse.Namespace) -> int:
    """Serve a local exchange until interrupted or terminated.

    The first output line is its URL; the demo API keys follow (a local demo exchange's
    keys, printed on purpose so a bot can be pointed at it). The Ed25519 and RSA private
    keys are written as PEM files to a temporary folder that is removed on exit.
    """
    _need_exchange()
    from .exchange import LocalExchange

    balances = dict(args.balance) if args.balance else None
    # SIGTERM (a supervisor, a test's terminate()) ends the process as Ctrl-C does: cleanly.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_signal)
    with (
        LocalExchange(port=args.port, balances=balances, scripted_market=args.scripted_market) as ex,
        tempfile.TemporaryDirectory(prefix="binance-ws-keys-") as folder,
    ):
        print(ex.url, flush=True)
        hmac_key = ex.keys.hmac
        print(f"HMAC     api_key={hmac_key.api_key} api_secret={hmac_key.api_secret}")
        for name, pair in (("Ed25519", ex.keys.ed25519), ("RSA", ex.keys.rsa)):
            path = Path(folder, f"{name.lower()}.pem")
            path.write_bytes(pair.private_key_pem)
            path.chmod(0o600)
            print(f"{name:<8} api_key={pair.api_key} private_key={path}")
        shown = ", ".join(f"{a}={v}" for a, v in sorted(balances.items())) if balances else "the default set"
        print(f"Demo account balances: {shown}", flush=True)
        if args.scripted_market:
            print("Scripted market: on (an order placed or cancelled every 0.25 s)", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        stop = threading.Event()
        try:
            while not stop.wait(0.5):  # short waits so Ctrl-C lands promptly on every platform
                pass
        except KeyboardInterrupt:
            pass
    return 0


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


def cmd_demo(args: argparse.Namespace) -> int:
    """A short session against an embedded local exchange: no keys of yours, no network."""
    _need_exchange()
    from . import BadRequestError, Client
    from .exchange import LocalExchange

    with LocalExchange(book_levels=200) as ex:
        key = ex.keys.ed25519  # the exchange's own demo key
        with Client(ex.url, api_key=key.api_key, private_key=key.private_key_pem, auto_logon=True) as client:
            print(f"Connected to the embedded local exchange at {ex.url}")
            server_time = client.time().server_datetime
            print(f"Server time: {server_time:%Y-%m-%d %H:%M:%S.%f}"[:-3] + " UTC")
            book = client.depth(symbol="BTCUSDT", limit=5)
            print()
            print("BTCUSDT order book (top 5)")
            print(f"{'bid qty':>12} {'bid':>15} | {'ask':<15} {'ask qty':<12}")
            for bid, ask in zip(book.bids or (), book.asks or (), strict=False):
                print(f"{bid.quantity:>12} {bid.price:>15} | {ask.price:<15} {ask.quantity:<12}")
            print()
            order = client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01")
            fills = ", ".join(f"{f.qty} @ {f.price}" for f in order.fills or ())
            print(f"Market BUY 0.01 BTC: {order.status} (order {order.order_id}), filled {fills}")
            balances = client.account_status(omit_zero_balances=True).balances or ()
            print("Balances: " + ", ".join(f"{b.asset} {b.free}" for b in balances))
            print()
            try:
                client.depth(symbol="NOSUCHPAIR")
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
    exchange.add_argument(
        "--balance",
        type=_balance,
        action="append",
        metavar="ASSET=AMOUNT",
        help="seed the demo account (repeatable), e.g. --balance USDT=500 --balance BTC=0.1",
    )
    exchange.add_argument(
        "--scripted-market",
        action="store_true",
        help="run a participant that places and cancels orders, so prices move and events flow",
    )
    exchange.set_defaults(func=cmd_exchange)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result
