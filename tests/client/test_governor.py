"""The client-side rate governor against the local exchange: no 429, local errors, FIFO, resync.

Windows are calendar minutes and 10-second marks. To keep waits short without waiting for a
real boundary, the exchange (``limits_clock``) and the governor (``clock``) share one clock
shifted so that a boundary is about a second away (or far away, for tests that must not
cross one).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest

import binance_ws as bw
from binance_ws import Client, RateGovernor, RateLimitUsage
from binance_ws.enums import RateLimitInterval, RateLimitType
from binance_ws.exchange import LocalExchange
from binance_ws.models import OrderBook


class Shifted:
    """A clock shifted so that it reads ``into`` seconds past a multiple of ``period`` now."""

    def __init__(self, period: float, into: float) -> None:
        self.shift = 0.0
        self.aim(period, into)

    def aim(self, period: float, into: float) -> None:
        """Jump forward to ``into`` seconds past a multiple of ``period`` (never backwards)."""
        now = self.seconds()
        self.shift += (now // period + 1) * period + into - now

    def seconds(self) -> float:
        return time.time() + self.shift

    def ms(self) -> int:
        return int(self.seconds() * 1000)


def _exchange(clock: Shifted, **limits: int | None) -> LocalExchange:
    return LocalExchange(book_levels=20, limits_clock=clock.ms, **limits)  # type: ignore[arg-type]


def _signed(ex: LocalExchange, **kwargs: object) -> Client:
    key = ex.keys.hmac
    return Client(ex.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5, **kwargs)  # type: ignore[arg-type]


def _wait_for(predicate: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def _run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not any(t.is_alive() for t in threads)
    return errors


def _weight(client: Client) -> RateLimitUsage:
    usage = client.rate_limits[0]
    assert usage.type is RateLimitType.REQUEST_WEIGHT
    return usage


@pytest.fixture
def far() -> Shifted:
    """20 s into a minute (and 0 s into a 10 s window): no minute boundary for 40 s."""
    return Shifted(60, 20.0)


def test_rate_limit_and_rate_governor_are_validated() -> None:
    with pytest.raises(bw.InvalidParameterError) as info:
        Client("ws://127.0.0.1:1", rate_limit="fast")
    assert info.value.param == "rate_limit"
    assert "'wait'" in str(info.value) and "'raise'" in str(info.value) and "None" in str(info.value)
    with pytest.raises(bw.InvalidParameterError) as other:
        Client("ws://127.0.0.1:1", rate_governor=object())  # type: ignore[arg-type]
    assert other.value.param == "rate_governor"
    for mode in ("wait", "raise", None):
        assert type(Client("ws://127.0.0.1:1", rate_limit=mode).rate_governor) is RateGovernor
    budget = bw.AttemptBudget(limit=3)
    assert Client("ws://127.0.0.1:1", connection_budget=budget).rate_governor.connection_budget is budget


def test_threads_waiting_for_the_next_minute_get_no_429() -> None:
    clock = Shifted(60, 20.0)
    with _exchange(clock, weight_limit=60, ban_after=0) as ex:
        governor = RateGovernor(clock=clock.seconds)
        with Client(ex.url, timeout=8, rate_governor=governor) as client:
            clock.aim(60, 59.0)  # the minute boundary about 1 s away
            client.exchange_info(symbol="BTCUSDT")  # learn the limits: 20 weight
            books: list[object] = []

            def work(_i: int) -> None:
                for _ in range(3):
                    books.append(client.depth(symbol="BTCUSDT", limit=5))  # weight 5 each

            # 4 threads x 3 x 5 = 60 weight, more than the 40 left in this minute.
            errors = _run_threads(4, work)
            assert errors == []
            assert len(books) == 12 and all(type(b) is type(books[0]) for b in books)
            assert ex.weights.banned_until("127.0.0.1") is None
            depth_calls = [m for m, _ in ex.requests if m == "depth"]
            assert len(depth_calls) == 12
            # What the server counts now is what the governor counts: nothing got lost.
            assert 0 < ex.weights.used("127.0.0.1") <= 60
            assert _weight(client).usage == ex.weights.used("127.0.0.1")


def test_without_the_governor_the_same_load_gets_429s() -> None:
    clock = Shifted(60, 20.0)
    with (
        _exchange(clock, weight_limit=40, ban_after=None) as ex,
        Client(ex.url, timeout=5, rate_limit=None) as client,
    ):

        def work(_i: int) -> None:
            for _ in range(3):
                client.depth(symbol="BTCUSDT", limit=5)

        errors = _run_threads(4, work)
        assert errors and all(isinstance(e, bw.RateLimitedError) for e in errors)
        assert any(not e.local for e in errors if isinstance(e, bw.RateLimitedError))


def test_raise_mode_refuses_locally_and_sends_nothing(far: Shifted) -> None:
    with (
        _exchange(far, weight_limit=20) as ex,
        Client(ex.url, timeout=5, rate_limit="raise", rate_governor=RateGovernor(clock=far.seconds)) as c,
    ):
        for _ in range(3):
            c.depth(symbol="BTCUSDT", limit=5)  # 2 + 3 x 5 = 17
        seen = len(ex.requests)
        with pytest.raises(bw.RateLimitedError) as info:
            c.depth(symbol="BTCUSDT", limit=5)
        err = info.value
        assert type(err) is bw.RateLimitedError and err.local is True
        assert "REQUEST_WEIGHT 1 MINUTE: 17/20" in str(err) and "resets in" in str(err)
        assert err.retry_after is not None and err.retry_after.tzinfo is dt.timezone.utc
        with pytest.raises(bw.RateLimitedError):
            c.request("depth", {"symbol": "BTCUSDT", "limit": 5})  # raw calls are governed too
        assert len(ex.requests) == seen
        assert c.ping() is not None  # weight 1 still fits: 18/20
        assert ex.weights.used("127.0.0.1") == 18


def test_a_wait_longer_than_the_timeout_raises_at_once(far: Shifted) -> None:
    with (
        _exchange(far, weight_limit=10) as ex,
        Client(ex.url, timeout=5, rate_governor=RateGovernor(clock=far.seconds)) as c,
    ):
        c.depth(symbol="BTCUSDT", limit=5)  # 2 + 5
        seen = len(ex.requests)
        started = time.monotonic()
        with pytest.raises(bw.RateLimitedError) as info:
            c.depth(symbol="BTCUSDT", limit=5, timeout=3)  # the minute ends in ~40 s
        assert time.monotonic() - started < 3  # did not wait out the timeout first
        assert info.value.local is True and "timeout" in str(info.value)
        assert len(ex.requests) == seen


def test_a_request_heavier_than_the_limit_is_refused_at_once(far: Shifted) -> None:
    with (
        _exchange(far, weight_limit=100) as ex,
        Client(ex.url, timeout=5, rate_governor=RateGovernor(clock=far.seconds)) as c,
    ):
        c.ping()
        with pytest.raises(bw.RateLimitedError) as info:
            c.depth(symbol="BTCUSDT", limit=5000)  # 250 > 100, whatever the wait
        assert info.value.local is True and "more than the limit" in str(info.value)


def test_waiters_are_served_first_come_first_served() -> None:
    clock = Shifted(60, 59.0)
    governor = RateGovernor(weight_limit=10, clock=clock.seconds)
    governor.settle(governor.acquire(9, method="first"), True)
    order: list[str] = []

    def take(name: str, weight: int) -> None:
        governor.acquire(weight, method=name, timeout=8)
        order.append(name)

    heavy = threading.Thread(target=take, args=("heavy", 8))
    heavy.start()
    assert _wait_for(lambda: governor.waiting == 1)
    # 9 + 1 fits now, but the light request queues behind the heavy one.
    light = threading.Thread(target=take, args=("light", 1))
    light.start()
    assert _wait_for(lambda: governor.waiting == 2)
    assert order == []
    heavy.join(10)
    light.join(10)
    assert order == ["heavy", "light"]
    assert governor.snapshot()[0].usage == 9


def test_orders_wait_for_the_next_ten_seconds() -> None:
    clock = Shifted(10, 1.0)
    with (
        _exchange(clock, order_limit_10s=2) as ex,
        _signed(ex, rate_governor=RateGovernor(clock=clock.seconds)) as c,
    ):
        c.exchange_info(symbol="BTCUSDT")  # learn the order limits
        ids: list[int] = []
        clock.aim(10, 9.0)  # the 10-second mark about 1 s away

        def place(i: int) -> None:
            order = c.order_place(
                symbol="BTCUSDT",
                side="BUY",
                type="LIMIT",
                time_in_force="GTC",
                price=f"5000{i}",
                quantity="0.001",
            )
            assert order.order_id is not None
            ids.append(order.order_id)

        assert _run_threads(3, place) == []
        assert len(set(ids)) == 3
        orders = [u for u in c.rate_limits if u.type is RateLimitType.ORDERS]
        assert [(u.interval, u.interval_num, u.limit) for u in orders] == [
            (RateLimitInterval.SECOND, 10, 2),
            (RateLimitInterval.DAY, 1, 160_000),
        ]
        assert orders[0].usage == ex.order_limits.snapshot("demo")[0]["count"]
        assert orders[1].usage == 3


def test_a_successful_order_costs_no_weight_and_a_failed_one_pays(far: Shifted) -> None:
    with _exchange(far) as ex, _signed(ex, rate_governor=RateGovernor(clock=far.seconds)) as c:
        c.ping()
        before = ex.weights.used("127.0.0.1")
        assert _weight(c).usage == before
        c.order_place(
            symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC", price="50000", quantity="0.001"
        )
        assert ex.weights.used("127.0.0.1") == before
        assert _weight(c).usage == before
        assert c.last_rate_limits[-1].count == before
        with pytest.raises(bw.BadRequestError):
            c.order_place(
                symbol="NOPE", side="BUY", type="LIMIT", time_in_force="GTC", price="1", quantity="1"
            )
        assert ex.weights.used("127.0.0.1") == before + 1
        assert _weight(c).usage == before + 1


def test_the_governor_learns_the_server_count_from_the_next_response(far: Shifted) -> None:
    with _exchange(far) as ex, Client(ex.url, timeout=5) as a, Client(ex.url, timeout=5) as b:
        a.ping()
        mine = _weight(a).usage
        b.depth(symbol="BTCUSDT", limit=5000)  # 250 that a's governor has not seen
        b.request("depth", {"symbol": "BTCUSDT", "limit": 1000})  # and 50 more, raw
        assert _weight(a).usage == mine
        a.ping()
        assert _weight(a).usage == ex.weights.used("127.0.0.1") >= mine + 300


def test_clients_sharing_a_governor_share_its_counts_and_its_hold(far: Shifted) -> None:
    governor = RateGovernor(clock=far.seconds)
    with (
        _exchange(far, weight_limit=18) as ex,
        Client(ex.url, timeout=5, rate_limit="raise", rate_governor=governor) as a,
        Client(ex.url, timeout=5, rate_limit="raise", rate_governor=governor) as b,
    ):
        assert a.rate_governor is b.rate_governor is governor
        a.depth(symbol="BTCUSDT", limit=5)
        b.depth(symbol="BTCUSDT", limit=5)  # 2 + 2 + 5 + 5 = 14
        assert governor.snapshot()[0].usage == 14 == ex.weights.used("127.0.0.1")
        with pytest.raises(bw.RateLimitedError) as info:
            a.depth(symbol="BTCUSDT", limit=5)
        assert info.value.local is True
        # A 429 seen by one holds the other: a ban is per IP.
        ex.fail_next("ping", 429, data={"retryAfter": far.ms() + 60_000})
        with pytest.raises(bw.RateLimitedError) as first:
            a.ping()
        assert first.value.local is False
        seen = len(ex.requests)
        with pytest.raises(bw.RateLimitedError) as held:
            b.time()
        assert held.value.local is True and len(ex.requests) == seen


def test_exchange_info_teaches_the_configured_limits(far: Shifted) -> None:
    with (
        _exchange(
            far, weight_limit=500, order_limit_10s=7, order_limit_day=70, connection_attempt_limit=77
        ) as ex,
        Client(ex.url, timeout=5, rate_governor=RateGovernor(clock=far.seconds)) as c,
    ):
        c.ping()
        weight, ten_s, day, conns = c.rate_limits
        assert (weight.limit, weight.learnt) == (500, True)
        assert (ten_s.limit, ten_s.learnt, day.limit) == (50, False, 160_000)  # defaults
        assert conns.limit == 300
        c.exchange_info(symbol="BTCUSDT")
        weight, ten_s, day, conns = c.rate_limits
        assert (ten_s.limit, ten_s.learnt, day.limit, day.learnt) == (7, True, 70, True)
        assert (conns.type, conns.limit, conns.interval_num) == (RateLimitType.CONNECTIONS, 77, 5)


def test_rate_limits_is_a_typed_read_only_snapshot(far: Shifted) -> None:
    with _exchange(far) as ex, Client(ex.url, timeout=5, rate_governor=RateGovernor(clock=far.seconds)) as c:
        c.depth(symbol="BTCUSDT", limit=500)
        limits = c.rate_limits
        assert type(limits) is tuple and all(type(u) is RateLimitUsage for u in limits)
        weight = limits[0]
        assert (weight.type, weight.interval, weight.interval_num) == (
            RateLimitType.REQUEST_WEIGHT,
            RateLimitInterval.MINUTE,
            1,
        )
        assert (weight.usage, weight.limit, weight.remaining) == (27, 6000, 5973)
        assert type(weight.usage) is int and type(weight.seconds_to_reset) is float
        assert 39 < weight.seconds_to_reset <= 41  # 20 s into the minute, plus the margin
        assert weight.resets_at.tzinfo is dt.timezone.utc
        assert abs(weight.resets_at.timestamp() - (far.seconds() + weight.seconds_to_reset)) < 2
        assert repr(weight).startswith("<REQUEST_WEIGHT 1 MINUTE: 27/6000, resets in ")
        with pytest.raises(AttributeError):
            weight.usage = 0  # type: ignore[misc]
        assert limits[-1].type is RateLimitType.CONNECTIONS and limits[-1].usage == 1  # this connection


def test_none_counts_without_holding_back(far: Shifted) -> None:
    governor = RateGovernor(weight_limit=5, clock=far.seconds)
    governor.acquire(5, method="a")
    governor.acquire(3, mode=None, method="b")
    assert governor.snapshot()[0].usage == 8
    with pytest.raises(bw.RateLimitedError):
        governor.acquire(1, mode="raise", method="c")


def test_a_wait_on_the_main_thread_is_served_after_the_reset() -> None:
    # On the main thread the governor waits in slices, so Ctrl-C lands; the outcome is the same.
    assert threading.current_thread() is threading.main_thread()
    clock = Shifted(60, 59.0)
    governor = RateGovernor(weight_limit=5, clock=clock.seconds)
    governor.settle(governor.acquire(5, method="a"), True)
    governor.acquire(5, method="b", timeout=5, wait_slice=0.05)
    assert governor.snapshot()[0].usage == 5


def test_odd_rate_limit_reports_change_nothing() -> None:
    governor = RateGovernor()
    token = governor.acquire(3, method="ping")
    odd: list[object] = [
        1,
        "REQUEST_WEIGHT",
        {"rateLimitType": "REQUEST_WEIGHT", "interval": ["MINUTE"], "intervalNum": 1, "limit": 5, "count": 1},
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 0, "count": 1},
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": True, "limit": 5},
    ]
    governor.settle(token, True, odd)
    governor.settle(governor.acquire(1, method="ping"), True, "junk")
    weight = governor.snapshot()[0]
    assert (weight.limit, weight.usage, weight.learnt) == (6000, 4, False)


def test_the_wait_for_the_governor_counts_against_the_call_timeout() -> None:
    clock = Shifted(60, 20.0)
    with _exchange(clock, weight_limit=30, ban_after=0) as ex:
        governor = RateGovernor(clock=clock.seconds)
        with Client(ex.url, timeout=8, rate_governor=governor) as client:
            client.exchange_info(symbol="BTCUSDT")  # learn the limits
            clock.aim(60, 58.5)  # a new minute, its end about 1.5 s away
            client.depth(symbol="BTCUSDT", limit=500)  # 25 of 30
            started = time.monotonic()
            book = client.depth(symbol="BTCUSDT", limit=500, timeout=4)  # waits for the reset
            took = time.monotonic() - started
            assert type(book) is OrderBook
            assert 1.0 < took < 4.0  # the wait and the answer together within the 4 s
            # A reset ~2 s away (1.5 s plus the governor's 0.5 s margin) fits in a 2.6 s
            # timeout, but not with the 1 s kept for the answer: refused at once, unsent.
            clock.aim(60, 58.5)
            client.depth(symbol="BTCUSDT", limit=500)
            seen = len(ex.requests)
            started = time.monotonic()
            with pytest.raises(bw.RateLimitedError) as info:
                client.depth(symbol="BTCUSDT", limit=500, timeout=2.6)
            assert time.monotonic() - started < 1.0
            assert info.value.local is True and len(ex.requests) == seen


def test_orders_answered_after_the_servers_boundary_count_in_the_next_window() -> None:
    # Our windows roll ``margin`` (0.5 s) after the server's boundary. Orders reserved before
    # it but answered after it may be counted by the server in its next window: they carry
    # over, so a third order is held back instead of meeting the server's 429.
    now = [1_000_009.9]
    governor = RateGovernor(orders_10s=2, clock=lambda: now[0])
    first = governor.acquire(1, 1, account="a", method="order.place")
    second = governor.acquire(1, 1, account="a", method="order.place")
    now[0] = 1_000_010.2  # past the server's boundary at :10.0, before ours at :10.5
    governor.settle(first, True)
    governor.settle(second, True)
    now[0] = 1_000_010.8  # our window rolled too
    with pytest.raises(bw.RateLimitedError) as info:
        governor.acquire(1, 1, account="a", mode="raise", method="order.place")
    assert info.value.local is True and "ORDERS" in str(info.value)
    # Answered before the server's boundary, they stay in their window.
    now[0] = 1_000_021.0
    for _ in range(2):
        governor.settle(governor.acquire(1, 1, account="a", mode="raise", method="order.place"), True)
    now[0] = 1_000_030.8
    for _ in range(2):
        governor.settle(governor.acquire(1, 1, account="a", mode="raise", method="order.place"), True)


def test_an_older_answer_settled_last_does_not_lower_the_order_count() -> None:
    # Two callers' answers are settled by their own threads, in any order: the answer of
    # the first order (count 1) may be settled after the second's (count 2).
    now = [1_000_001.0]
    governor = RateGovernor(orders_10s=2, clock=lambda: now[0])

    def report(count: int) -> list[dict[str, object]]:
        entry = {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 2}
        return [{**entry, "count": count}]

    first = governor.acquire(1, 1, account="a", method="order.place")
    second = governor.acquire(1, 1, account="a", method="order.place")
    governor.settle(second, True, report(2))
    governor.settle(first, True, report(1))
    with pytest.raises(bw.RateLimitedError) as info:
        governor.acquire(1, 1, account="a", mode="raise", method="order.place")
    assert info.value.local is True
