"""The commands of ``binance-ws``: each takes the parsed arguments and returns the exit code."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from .. import Client, StreamGap, unstructure
from ..models.market import Kline
from ._call import UsageError, parse_arguments, resolve_method
from ._table import cell, fields_of, render

__all__ = [
    "cmd_call",
    "cmd_demo",
    "cmd_exchange",
    "cmd_klines",
    "cmd_stream",
    "cmd_time_offset",
    "parse_balance",
    "parse_time",
]

DAY_MS = 24 * 3600 * 1000
KLINE_COLUMNS = [name for name in Kline._fields if name not in ("unused", "extra", "raw")]


def _need_exchange() -> None:
    try:
        import websockets  # noqa: F401
    except ImportError:
        raise UsageError(
            "this command needs the local exchange: pip install 'binance-ws[exchange]'"
        ) from None


def _client(args: argparse.Namespace) -> Client:
    # $BINANCE_WS_URL is a default: --testnet chooses over it (only --url with it is a clash).
    url = args.url if args.url is not None or args.testnet else os.environ.get("BINANCE_WS_URL")
    return Client(url, testnet=args.testnet, timeout=args.timeout)


def _json(value: Any) -> str:
    return json.dumps(unstructure(value), default=str)


def parse_balance(text: str) -> tuple[str, Decimal]:
    """``ASSET=AMOUNT`` from the command line, e.g. ``USDT=500``."""
    asset, sep, amount = text.partition("=")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        value = Decimal("NaN")
    if not sep or not asset.strip() or not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"expected ASSET=AMOUNT (e.g. USDT=500), got {text!r}")
    return asset.strip().upper(), value


def parse_time(text: str, option: str) -> int:
    """An ISO 8601 date or date-time (UTC unless it carries an offset), epoch ms, or ``now``."""
    value = text.strip()
    if value.isdigit():
        return int(value)
    if value.lower() == "now":
        return int(time.time() * 1000)
    try:
        when = dt.datetime.fromisoformat(value.removesuffix("Z").removesuffix("z"))
    except ValueError:
        raise UsageError(
            f"{option}: expected an ISO date/time such as 2024-01-01 or 2024-01-01T12:30, "
            f"epoch milliseconds, or now; got {text!r}"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return int(when.timestamp() * 1000)


# -- call -------------------------------------------------------------------------------------


def cmd_call(args: argparse.Namespace) -> int:
    """Call one method and print its result (a table, or JSON with ``--json``)."""
    python, wire = resolve_method(args.method)
    kwargs = parse_arguments(getattr(Client, python), wire, args.params)
    with _client(args) as client:
        result = getattr(client, python)(**kwargs)
    print(json.dumps(unstructure(result), indent=2, default=str) if args.json else render(result))
    return 0


# -- stream -----------------------------------------------------------------------------------


def event_line(event: Any) -> str:
    """One user data event (or gap) as one line: time, type, then the fields that are set."""
    if isinstance(event, StreamGap):
        return f"{event.end_datetime.isoformat()} gap: events since {event.start_datetime.isoformat()} may be missing ({event.reason})"
    stamp = event.event_datetime.isoformat() if event.event_time is not None else "-"
    fields = " ".join(
        f"{name}={cell(value)}"
        for name, value in fields_of(event)
        if value is not None and name not in ("event_type", "event_time")
    )
    return f"{stamp} {event.event_type} {fields}".rstrip()


def cmd_stream(args: argparse.Namespace) -> int:
    """Print user data events until Ctrl-C, ``--count`` events or ``--seconds``."""
    if args.count is not None and args.count < 1:
        raise UsageError(f"--count: must be at least 1, got {args.count}")
    if args.seconds is not None and not args.seconds > 0:
        raise UsageError(f"--seconds: must be positive, got {args.seconds}")
    deadline = None if args.seconds is None else time.monotonic() + args.seconds
    seen = 0
    with _client(args) as client, client.user_data() as stream:
        print("Listening to the user data stream (Ctrl-C to stop)", file=sys.stderr, flush=True)
        try:
            while args.count is None or seen < args.count:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                event = stream.get(timeout=0.5 if left is None else min(left, 0.5))
                if event is None:
                    if stream.ended:
                        break
                    continue
                if isinstance(event, StreamGap):
                    gap = {"gap": {"start_time": event.start_time, "end_time": event.end_time}}
                    print(json.dumps(gap) if args.json else event_line(event), flush=True)
                    continue
                print(_json(event) if args.json else event_line(event), flush=True)
                seen += 1
        except KeyboardInterrupt:
            pass
    return 0


# -- time-offset ------------------------------------------------------------------------------


def cmd_time_offset(args: argparse.Namespace) -> int:
    """Measure the offset of the local clock to the server's, and the round trip."""
    with _client(args) as client:
        trips = []
        for _ in range(5):
            began = time.perf_counter()
            client.time()
            trips.append((time.perf_counter() - began) * 1000)
        offset = client.sync_clock()
    fastest, median = min(trips), statistics.median(trips)
    if args.json:
        print(
            json.dumps(
                {"offset_ms": offset, "round_trip_ms": {"min": round(fastest, 3), "median": round(median, 3)}}
            )
        )
        return 0
    side = "ahead of" if offset > 0 else "behind" if offset < 0 else "in step with"
    print(f"Clock offset: {offset:+d} ms (the server's clock is {side} this machine's)")
    print(f"Round trip:   {fastest:.1f} ms fastest, {median:.1f} ms median of {len(trips)}")
    return 0


# -- klines -----------------------------------------------------------------------------------


class _Counter:
    """A one-line progress count on stderr, for when tqdm is not installed."""

    def __init__(self) -> None:
        self.count = 0

    def step(self) -> None:
        self.count += 1
        if self.count % 1000 == 0:
            print(f"\r{self.count} klines", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        print(f"\r{self.count} klines", file=sys.stderr, flush=True)


def cmd_klines(args: argparse.Namespace) -> int:
    """Write the klines of ``--start``..``--end`` as CSV (or JSON lines with ``--json``)."""
    end = parse_time(args.end, "--end") if args.end is not None else int(time.time() * 1000)
    start = parse_time(args.start, "--start") if args.start is not None else end - DAY_MS
    if start > end:
        raise UsageError("--start: is after --end; swap them or move --start earlier")
    show = sys.stderr.isatty() if args.progress is None else args.progress
    with _client(args) as client:
        try:
            rows: Iterator[Kline] = client.klines_history(
                symbol=args.symbol, interval=args.interval, start_time=start, end_time=end, progress=show
            )
            counter = None
        except ImportError:  # no tqdm: a plain count instead
            rows = client.klines_history(
                symbol=args.symbol, interval=args.interval, start_time=start, end_time=end
            )
            counter = _Counter()
        with _output(args.csv) as out:
            count = _write_klines(out, rows, args.json, counter)
    if counter is not None:
        counter.done()
    if args.csv != "-":
        print(f"Wrote {count} klines to {args.csv}", file=sys.stderr)
    return 0


class _output:
    """The --csv file (or stdout for ``-``), opened for writing as a context manager."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.file: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        if self.path == "-":
            return sys.stdout
        try:
            self.file = open(self.path, "w", newline="", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--csv: cannot write {self.path!r}: {exc.strerror}") from None
        return self.file

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()


def _write_klines(out: IO[str], rows: Iterator[Kline], as_json: bool, counter: _Counter | None) -> int:
    writer = None if as_json else csv.writer(out)
    if writer is not None:
        writer.writerow(KLINE_COLUMNS)
    count = 0
    for row in rows:
        if writer is None:
            out.write(_json(row) + "\n")
        else:
            writer.writerow([cell(getattr(row, c)) for c in KLINE_COLUMNS])
        count += 1
        if counter is not None:
            counter.step()
    return count


# -- the local exchange -----------------------------------------------------------------------


def cmd_exchange(args: argparse.Namespace) -> int:
    """Serve a local exchange until interrupted or terminated.

    The first output line is its URL; the demo API keys follow (a local demo exchange's
    keys, printed on purpose so a bot can be pointed at it). The Ed25519 and RSA private
    keys are written as PEM files to a temporary folder that is removed on exit.
    """
    _need_exchange()
    from ..exchange import LocalExchange

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
    """A short session against an embedded local exchange: no keys of yours, no network.

    Market data, a signed order that fills, the user data events it causes, and an error
    caught and handled.
    """
    _need_exchange()
    from .. import BadRequestError
    from ..exchange import LocalExchange

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
            with client.user_data() as stream:
                order = client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01")
                fills = ", ".join(f"{f.qty} @ {f.price}" for f in order.fills or ())
                print(f"Market BUY 0.01 BTC: {order.status} (order {order.order_id}), filled {fills}")
                for _ in range(3):  # NEW, FILLED, then the balance change
                    event = stream.get(timeout=5)
                    if event is None:
                        break
                    status = getattr(event, "order_status", None)
                    print(
                        f"User data event: {getattr(event, 'event_type', 'gap')}"
                        + (f" {status}" if status else "")
                    )
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
