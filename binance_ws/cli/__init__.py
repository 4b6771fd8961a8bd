"""``binance-ws`` (also ``python -m binance_ws``): the Binance Spot WebSocket API from the shell.

Commands: ``demo`` (a session against an embedded local exchange), ``exchange`` (serve a
local exchange), ``call`` (any API method), ``stream`` (user data events), ``time-offset``
and ``klines`` (history to CSV). ``binance-ws COMMAND --help`` shows each one's options
and an example.

Credentials come from the environment only (never from the command line, where other users
could read them): ``BINANCE_API_KEY`` with ``BINANCE_API_SECRET`` (HMAC) or with
``BINANCE_PRIVATE_KEY`` (path to an Ed25519 or RSA PEM file; ``BINANCE_PRIVATE_KEY_PASSWORD``
if it is encrypted). ``BINANCE_WS_URL`` is the default ``--url``. Secrets are never printed.

Exit codes: 0 success; 1 the API answered with an error; 2 a usage error (bad option or
parameter, unknown method); 3 a connection failure or a timeout; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import (
    APIError,
    BinanceWSError,
    ClientClosedError,
    ConnectError,
    ExecutionUnknownError,
    InsecureTransportError,
    InvalidParameterError,
)
from ._call import UsageError
from ._commands import (
    cmd_call,
    cmd_demo,
    cmd_exchange,
    cmd_klines,
    cmd_stream,
    cmd_time_offset,
    parse_balance,
)

__all__ = ["EXIT_API_ERROR", "EXIT_CONNECTION", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3
EXIT_INTERRUPTED = 130

_EPILOG = """\
environment:
  BINANCE_API_KEY          API key (signed methods, stream)
  BINANCE_API_SECRET       HMAC secret, or:
  BINANCE_PRIVATE_KEY      path to an Ed25519 / RSA private key (PEM)
  BINANCE_PRIVATE_KEY_PASSWORD  password of an encrypted PEM
  BINANCE_WS_URL           default --url

exit codes:
  0  success            1  the API answered with an error
  2  usage error        3  connection failure or timeout
  130 interrupted (Ctrl-C)

examples:
  binance-ws demo
  binance-ws exchange --port 8765
  binance-ws call depth symbol=BTCUSDT limit=5 --url ws://127.0.0.1:8765/ws-api/v3
  binance-ws klines BTCUSDT 1h --start 2024-01-01 --csv btc.csv
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _common(parser: argparse.ArgumentParser) -> None:
    """The connection options of every command that talks to a server."""
    group = parser.add_argument_group("common options")
    group.add_argument(
        "--url",
        default=None,
        help="WebSocket API URL (default: $BINANCE_WS_URL, else production)",
    )
    group.add_argument(
        "--testnet", action="store_true", help="use the Binance spot testnet (over $BINANCE_WS_URL)"
    )
    group.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="wait per request (default 10)"
    )
    group.add_argument("--json", action="store_true", help="print JSON (decimals as strings) for machines")


def _sub(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, summary: str, example: str
) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=f"example:\n  {example}\n\n" + _EPILOG.split("\n\n", 1)[0],
        formatter_class=_Formatter,
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``binance-ws``."""
    parser = argparse.ArgumentParser(
        prog="binance-ws",
        description="The Binance Spot WebSocket API from the command line.",
        epilog=_EPILOG,
        formatter_class=_Formatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = _sub(sub, "demo", "run a demo session against an embedded local exchange", "binance-ws demo")
    demo.set_defaults(func=cmd_demo)

    exchange = _sub(
        sub,
        "exchange",
        "serve a local exchange on 127.0.0.1",
        "binance-ws exchange --port 8765 --balance USDT=500",
    )
    exchange.add_argument("--port", type=int, default=0, help="TCP port (0: any free port)")
    exchange.add_argument(
        "--balance",
        type=parse_balance,
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

    call = _sub(
        sub,
        "call",
        "call any API method by wire name (order.place) or Python name (order_place)",
        "binance-ws call order.place symbol=BTCUSDT side=BUY type=MARKET quantity=0.001",
    )
    call.add_argument("method", help="e.g. depth, ticker.price, order.place, account_status")
    call.add_argument(
        "params",
        nargs="*",
        metavar="key=value",
        help="parameters (Python or wire names), typed from the method's signature; lists: symbols=BTCUSDT,ETHUSDT",
    )
    _common(call)
    call.set_defaults(func=cmd_call)

    stream = _sub(
        sub, "stream", "print the account's user data events as they come", "binance-ws stream --count 10"
    )
    stream.add_argument("--count", type=int, metavar="N", help="stop after N events")
    stream.add_argument("--seconds", type=float, metavar="S", help="stop after S seconds")
    _common(stream)
    stream.set_defaults(func=cmd_stream)

    offset = _sub(
        sub,
        "time-offset",
        "the local clock's offset to the server's, and the round trip",
        "binance-ws time-offset",
    )
    _common(offset)
    offset.set_defaults(func=cmd_time_offset)

    klines = _sub(
        sub,
        "klines",
        "kline history to CSV, paging through as many requests as it takes",
        "binance-ws klines BTCUSDT 1m --start 2024-01-01 --end 2024-01-02T12:00 --csv btc.csv",
    )
    klines.add_argument("symbol", help="e.g. BTCUSDT")
    klines.add_argument("interval", help="1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M")
    klines.add_argument(
        "--start", help="ISO date/time (UTC unless it has an offset) or epoch ms; default: --end - 1 day"
    )
    klines.add_argument("--end", help="ISO date/time or epoch ms; default: now")
    klines.add_argument("--csv", default="-", metavar="FILE", help="output file (default: stdout)")
    klines.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on stderr (default: when stderr is a terminal)",
    )
    _common(klines)
    klines.set_defaults(func=cmd_klines)
    return parser


def _fail(code: int, message: str) -> int:
    print(f"binance-ws: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``binance-ws`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit code.

    Errors go to stderr as one line, and the exit code says which kind they were.

    Example::

        >>> from binance_ws.cli import main
        >>> from binance_ws.exchange import LocalExchange
        >>> with LocalExchange() as ex:
        ...     main(["call", "ping", "--url", ex.url])
        ...     main(["call", "depth", "symbol=NOSUCHPAIR", "--url", ex.url])  # an API error
        OK (empty result)
        0
        1
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        return _fail(EXIT_INTERRUPTED, "interrupted")
    except (UsageError, InvalidParameterError, InsecureTransportError) as exc:
        return _fail(EXIT_USAGE, f"error: {exc}")
    except APIError as exc:
        return _fail(EXIT_API_ERROR, f"{type(exc).__name__}: {exc}")
    except (ConnectError, ClientClosedError, ExecutionUnknownError, TimeoutError) as exc:
        return _fail(EXIT_CONNECTION, f"{type(exc).__name__}: {exc}")
    except BinanceWSError as exc:  # ProtocolError: the server's answer made no sense
        return _fail(EXIT_API_ERROR, f"{type(exc).__name__}: {exc}")
    except OSError as exc:  # a network failure below the client's own errors
        return _fail(EXIT_CONNECTION, f"{type(exc).__name__}: {exc}")
    return result
