"""``python -m bench.chaos``: many threads share one Client while the local exchange misbehaves.

By default 16 threads share one :class:`binance_ws.Client` (``reconnect=True``) for two
minutes and make mixed calls: ``depth`` with a limit of their own, ``klines`` for a symbol and
interval of their own, signed ``order.place`` with a client order id made per call,
``order.status`` of their earlier orders and ``account.status``. Each result is checked
against its request (symbol by price band, number of levels, interval, client order id), so
an answer handed to the wrong caller shows. Meanwhile a chaos thread (:mod:`bench.chaos_monkey`)
delays answers, answers 5xx (before or after executing), sends stray frames, wrong and
duplicate ids, announces ``serverShutdown``, restarts, goes half-open, refuses connections,
drops them, and (``--rate-limits``, on by default) lowers the rate limits.

The exchange runs in this process: the chaos thread calls its fault methods and reads its
matching engine directly, with no control protocol between processes. Server and client
then share one interpreter (and its GIL), so calls are slower than across processes; no
figure here is a speed, and the resident size printed includes the exchange's.

Every order call that ends in an :class:`~binance_ws.ExecutionUnknownError` is resolved by
its client order id (:func:`resolve`), and the orders the exchange accepted are compared with
what the callers got back or resolved. The figures printed at the end must all be 0; the
command exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any, cast

from binance_ws import BinanceWSError, Client, ExecutionUnknownError, RateLimitedError
from binance_ws.exchange import LocalExchange
from binance_ws.models import Order

from .chaos_monkey import HIGH_ORDERS_10S, HIGH_ORDERS_DAY, HIGH_WEIGHT, ChaosMonkey
from .chaos_tally import (
    ORDERS,
    SYMBOLS,
    Tally,
    Unresolved,
    check_account,
    check_depth,
    check_klines,
    check_order,
    pick_interval,
)
from .memory import rss_bytes

__all__ = ["FIGURES", "main", "resolve", "run_chaos"]

# A call's own timeout is one of these (seconds); it may be exceeded by at most GRACE.
TIMEOUTS = (1.0, 2.0, 3.0)
GRACE = 1.0
# -2013 ("Order does not exist.") counts as "not placed" only this long after the failure:
# Binance's matching engine may still act on a request for about 10 s.
RESOLVE_WINDOW = 10.0
# A worker tries to resolve an order this long; what is left is resolved at the end.
RESOLVE_LIMIT = 20.0
_ORDER_DOES_NOT_EXIST = -2013
# After the chaos ends and the workers are done, this long before the final pass.
SETTLE = 1.0
# The figures, in print order; every one must be 0.
FIGURES = (
    ("overruns", "calls that outlived their timeout by more than 1 s"),
    ("misrouted", "results delivered to the wrong caller"),
    ("foreign", "exceptions that are not binance_ws errors"),
    ("lost_orders", "orders the exchange accepted, neither returned nor resolved"),
    ("phantom_orders", "orders reported placed that the exchange never saw"),
    ("server_limits", "429s and 418s received from the server"),
    ("threads_left", "binance-ws threads left after close"),
    ("pending_left", "pending slots left after close"),
)


def resolve(
    client: Client,
    client_order_id: str,
    symbol: str,
    *,
    failed_at: float,
    tally: Tally,
    stop: threading.Event | None = None,
) -> Order | None:
    """What became of an order whose call gave no usable answer: the order, or None.

    Queries ``order.status`` by the client order id the harness chose. ``-2013`` means "not
    placed" only once :data:`RESOLVE_WINDOW` has passed since ``failed_at`` (the request may
    still be on its way, held by a half-open link or a slow engine); other failures are
    retried. Raises :class:`Unresolved` after :data:`RESOLVE_LIMIT` seconds without an
    answer, or as soon as ``stop`` is set: the run is over and the final pass, on a quiet
    exchange, takes it from there.
    """
    deadline = time.monotonic() + RESOLVE_LIMIT
    while True:
        try:
            order = tally.timed(
                "resolve",
                2.0,
                client.order_status,
                symbol=symbol,
                orig_client_order_id=client_order_id,
            )
            tally.expect(check_order(order, client_order_id, symbol), "order.status (resolve)")
            return order
        except BinanceWSError as exc:
            gone = getattr(exc, "code", None) == _ORDER_DOES_NOT_EXIST
            if gone and time.monotonic() - failed_at >= RESOLVE_WINDOW:
                return None
        if time.monotonic() >= deadline or (stop is not None and stop.is_set()):
            raise Unresolved(client_order_id)
        time.sleep(0.25)


def resolve_error(
    client: Client,
    err: ExecutionUnknownError,
    client_order_id: str,
    symbol: str,
    *,
    tally: Tally,
    stop: threading.Event,
) -> Order | None:
    """Resolve one ExecutionUnknownError with ``client.resolve_unknown`` (queries, never re-sends).

    Asked again while it is undecided (``ResolveTimeoutError``) or its own queries fail,
    for at most :data:`RESOLVE_LIMIT` seconds or until ``stop``; then :class:`Unresolved`,
    and the final pass on a quiet exchange takes it from there.
    """
    deadline = time.monotonic() + RESOLVE_LIMIT
    while True:
        left = deadline - time.monotonic()
        try:
            found = tally.timed(
                "resolve", max(left, 1.0), lambda timeout: client.resolve_unknown(err, timeout=timeout)
            )
        except BinanceWSError:
            pass  # undecided yet, or the lookup itself met a drop or a 5xx
        else:
            if found is None:
                return None
            order = cast(Order, found)
            tally.expect(check_order(order, client_order_id, symbol), "resolve_unknown")
            return order
        if time.monotonic() >= deadline or stop.is_set():
            raise Unresolved(client_order_id)
        time.sleep(0.25)


def _worker(
    client: Client, index: int, *, count: int, seed: int, stop: threading.Event, tally: Tally, run_id: str
) -> None:
    rng = random.Random(seed * 1000 + index)
    names = list(SYMBOLS)
    depth_symbol = names[index % len(names)]
    depth_limit = 1 + index % 100  # a limit of its own: a misrouted book has another length
    kline_symbol = names[(index // len(names) + index) % len(names)]
    interval, kline_limit = pick_interval(index), 2 + index % 50
    order_symbol = names[(index + 1) % len(names)]
    mine: list[str] = []  # client order ids this thread placed, for order.status
    kinds = ("depth", "klines", "order", "status", "account")
    for n in range(count):
        if stop.is_set():
            return
        kind = rng.choices(kinds, weights=(3, 2, 3, 2, 1))[0]
        timeout = rng.choice(TIMEOUTS)
        try:
            if kind == "depth":
                book = tally.timed(kind, timeout, client.depth, symbol=depth_symbol, limit=depth_limit)
                tally.expect(check_depth(book, depth_symbol, depth_limit), kind)
            elif kind == "klines":
                rows = tally.timed(
                    kind, timeout, client.klines, symbol=kline_symbol, interval=interval, limit=kline_limit
                )
                tally.expect(check_klines(rows, kline_symbol, interval, kline_limit), kind)
            elif kind == "order":
                cid = f"{run_id}-{index}-{n}"
                _place(client, tally, cid, order_symbol, timeout, mine=mine, stop=stop)
            elif kind == "status" and mine:
                cid = rng.choice(mine)
                order = tally.timed(
                    kind, timeout, client.order_status, symbol=order_symbol, orig_client_order_id=cid
                )
                tally.expect(check_order(order, cid, order_symbol), kind)
            elif kind == "account":
                info = tally.timed(kind, timeout, client.account_status, omit_zero_balances=True)
                tally.expect(check_account(info), kind)
        except BinanceWSError as exc:
            tally.error(exc)
            if isinstance(exc, RateLimitedError) and exc.local:
                time.sleep(0.05)  # held back by the client: no hot loop meanwhile
        except Exception as exc:
            tally.foreign(exc)


def _place(
    client: Client,
    tally: Tally,
    cid: str,
    symbol: str,
    timeout: float,
    *,
    mine: list[str],
    stop: threading.Event,
) -> None:
    price, quantity = ORDERS[symbol]
    tally.order_sent(cid, symbol)
    try:
        result = tally.timed(
            "order",
            timeout,
            client.order_place,
            symbol=symbol,
            side="BUY",
            type="LIMIT",
            time_in_force="IOC",
            price=price,
            quantity=quantity,
            new_client_order_id=cid,
        )
    except ExecutionUnknownError as err:
        tally.error(err)
        if getattr(err, "sent", True) is False:
            tally.order_refused(cid)  # certainly not sent: nothing to resolve
            return
        try:
            order = resolve_error(client, err, cid, symbol, tally=tally, stop=stop)
        except Unresolved:
            tally.order_unresolved(cid)
            return
        tally.order_resolved(cid, order is not None)
        if order is not None:
            mine.append(cid)
        return
    except BinanceWSError as exc:
        tally.error(exc)
        tally.order_refused(cid)
        return
    tally.expect(check_order(result, cid, symbol), "order.place")
    tally.order_returned(cid)
    mine.append(cid)
    del mine[:-50]


def _final_pass(url: str, keys: Any, tally: Tally) -> None:
    """Resolve what the workers could not, on a fresh client, once the exchange is quiet."""
    left = tally.unresolved_orders()
    if not left:
        return
    with Client(
        url, api_key=keys.api_key, api_secret=keys.api_secret, timeout=5, credentials_from_env=False
    ) as client:
        for cid, symbol in left:
            # Quiet now: a -2013 is final at once (the window is measured from long ago).
            try:
                order = resolve(client, cid, symbol, failed_at=0.0, tally=tally)
            except Unresolved:
                continue
            tally.order_resolved(cid, order is not None)


def _our_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("binance-ws")}


def run_chaos(
    *,
    threads: int = 16,
    count: int = 1_000_000,
    duration: float = 120.0,
    seed: int = 1,
    rate_limits: bool = True,
    progress_every: float = 10.0,
    out: Any = sys.stdout,
) -> dict[str, Any]:
    """Run the chaos; returns the figures (:data:`FIGURES` keys) and the counts beside them."""
    before = _our_threads()
    rss_start = rss_bytes()
    run_id = f"cx{seed % 100000}{random.Random().randrange(1000):03d}"
    tally = Tally(grace=GRACE)
    ex = LocalExchange(
        book_levels=200,
        seed=seed,
        weight_limit=HIGH_WEIGHT,
        order_limit_10s=HIGH_ORDERS_10S,
        order_limit_day=HIGH_ORDERS_DAY,
        balances={"USDT": "100000000", "BTC": "10000", "ETH": "10000", "BNB": "100000"},
    ).start()
    stop = threading.Event()
    monkey = ChaosMonkey(ex, stop, seed=seed, duration=duration, rate_limits=rate_limits)
    keys = ex.keys.hmac
    client = Client(
        ex.url,
        api_key=keys.api_key,
        api_secret=keys.api_secret,
        timeout=3,
        connect_timeout=3,
        ping_interval=1.0,
        ping_timeout=2.0,
        credentials_from_env=False,
    ).connect()
    workers = [
        threading.Thread(
            target=_worker,
            args=(client, i),
            kwargs={"count": count, "seed": seed, "stop": stop, "tally": tally, "run_id": run_id},
            name=f"chaos-worker-{i}",
            daemon=True,
        )
        for i in range(threads)
    ]
    started = time.monotonic()
    for t in workers:
        t.start()
    monkey.start()
    deadline = started + duration
    next_report = started + progress_every
    while any(t.is_alive() for t in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
        if time.monotonic() >= next_report:
            next_report += progress_every
            out.write(
                f"{time.monotonic() - started:6.1f}s  {tally.calls:>7} calls  {tally.error_count:>6} errors  "
                f"reconnects {client.reconnects:3}  pending {client.pending_count:3}  "
                f"RSS {rss_bytes() / 2**20:6.1f} MiB\n"
            )
            out.flush()
    stop.set()
    monkey.join(30)
    # A worker finishes its call (3 s at most) and its resolve (RESOLVE_LIMIT at most).
    join_deadline = time.monotonic() + RESOLVE_LIMIT + 3 * max(TIMEOUTS) + 5
    for t in workers:
        t.join(max(0.0, join_deadline - time.monotonic()))
    stuck = sum(t.is_alive() for t in workers)
    time.sleep(SETTLE)  # what a half-open link held is processed by now
    elapsed = time.monotonic() - started
    reconnects = client.reconnects
    client.close()
    pending_left = client.pending_count
    _final_pass(ex.url, keys, tally)
    with ex.engine.lock:
        accepted = {
            o.client_order_id
            for o in ex.engine.orders.values()
            if o.client_order_id and o.client_order_id.startswith(run_id + "-")
        }
    ex.close()
    wait_end = time.monotonic() + 5
    while _our_threads() - before and time.monotonic() < wait_end:
        time.sleep(0.02)
    left = sorted(t.name for t in _our_threads() - before)
    orders = tally.order_figures(accepted)
    result: dict[str, Any] = {
        "overruns": len(tally.overruns),
        "misrouted": len(tally.misrouted),
        "foreign": len(tally.foreign_errors),
        "lost_orders": len(orders["lost"]),
        "phantom_orders": len(orders["phantom"]),
        "server_limits": tally.server_limits,
        "threads_left": len(left) + stuck,
        "pending_left": pending_left,
        "seconds": round(elapsed, 1),
        "calls": tally.calls,
        "calls_by_kind": dict(tally.by_kind),
        "errors": dict(tally.errors.most_common()),
        "episodes": dict(monkey.episodes.most_common()),
        "chaos_failures": monkey.failures[:5],
        "reconnects": reconnects,
        "orders": {k: len(v) for k, v in orders.items()},
        "examples": {
            "overruns": tally.overruns[:5],
            "misrouted": tally.misrouted[:5],
            "foreign": tally.foreign_errors[:3],
            "lost_orders": sorted(orders["lost"])[:5],
            "phantom_orders": sorted(orders["phantom"])[:5],
            "threads_left": left[:5] + (["chaos workers still running"] if stuck else []),
        },
        "rss_start": rss_start,
        "rss_end": rss_bytes(),
    }
    return result


def print_report(result: dict[str, Any], out: Any = sys.stdout) -> bool:
    """Print the counts and the figures; True when every figure is 0."""
    w = out.write
    w(f"\n{result['calls']} calls in {result['seconds']} s; reconnects: {result['reconnects']}\n")
    w(f"calls by kind: {result['calls_by_kind']}\n")
    w(f"errors (binance_ws types): {result['errors']}\n")
    w(f"chaos episodes: {result['episodes']}\n")
    if result["chaos_failures"]:
        w(f"chaos controls that failed: {result['chaos_failures']}\n")
    w(f"orders: {result['orders']}\n")
    w(f"RSS: {result['rss_start'] / 2**20:.1f} MiB at start, {result['rss_end'] / 2**20:.1f} MiB at end\n")
    w("\nfigures (each must be 0):\n")
    clean = True
    for key, label in FIGURES:
        value = result[key]
        clean = clean and value == 0
        w(f"  {label:<64} {value}\n")
        for example in result["examples"].get(key, []) if value else []:
            w(f"      e.g. {example}\n")
    w("verdict: " + ("clean\n" if clean else "NOT clean\n"))
    out.flush()
    return clean


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("--threads", type=int, default=16, help="threads sharing the client (16)")
    parser.add_argument("--count", type=int, default=1_000_000, help="calls per thread at most")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of chaos (120)")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run's choices (default: random)")
    parser.add_argument(
        "--rate-limits",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="lower the exchange's rate limits now and then (default: on)",
    )
    args = parser.parse_args(argv)
    # The chaos makes the client warn (stray frames, lost connections) and the exchange's
    # websockets log cut connections; only the client's errors are worth a line here.
    logging.getLogger("binance_ws").setLevel(logging.ERROR)
    logging.getLogger("websockets").setLevel(logging.CRITICAL)
    if args.threads < 1 or args.count < 1 or args.duration <= 0:
        parser.error("--threads and --count must be positive, --duration above 0")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)
    print(
        f"chaos: {args.threads} threads on one client for {args.duration:g} s, seed {seed}, "
        f"rate limits {'on' if args.rate_limits else 'off'}"
    )
    result = run_chaos(
        threads=args.threads,
        count=args.count,
        duration=args.duration,
        seed=seed,
        rate_limits=args.rate_limits,
    )
    return 0 if print_report(result) else 1


if __name__ == "__main__":
    raise SystemExit(main())
