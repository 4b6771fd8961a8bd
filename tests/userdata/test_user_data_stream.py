"""Client.user_data(): typed events through the iterator and handlers, gaps, resubscription."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from exchange_helpers import unique_tag, wait_until

from binance_ws import (
    Client,
    EventsLostError,
    StreamGap,
    UserDataStream,
    unstructure,
)
from binance_ws.enums import ExecutionType, OrderStatus
from binance_ws.exchange import LocalExchange
from binance_ws.exchange.model.accounts import DEMO_ACCOUNT
from binance_ws.models.events import (
    BalanceUpdate,
    EventStreamTerminated,
    ExecutionReport,
    ListStatus,
    OutboundAccountPosition,
    UnknownEvent,
    UserDataEvent,
)

OTHER_KEY = "Uo" * 32
OTHER_SECRET = "u5" * 32
D = Decimal


def publish(ex: LocalExchange, account_id: str, event: dict[str, Any]) -> None:
    """Deliver an event as the engine does (through the exchange's user-data hub)."""
    ex.user_data.publish(account_id, event)


@pytest.fixture(scope="module")
def ex() -> Iterator[LocalExchange]:
    with LocalExchange(enforce_limits=False, order_limit_10s=10**9, weight_limit=10**9) as exchange:
        exchange.keys.add_hmac(OTHER_KEY, OTHER_SECRET, "other")
        exchange.accounts.add("other", {"BTC": "10", "USDT": "1000000"})
        yield exchange


def _client(ex: LocalExchange, url: str | None = None, **kwargs: Any) -> Client:
    key = ex.keys.hmac
    return Client(url or ex.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5, **kwargs)


@pytest.fixture
def client(ex: LocalExchange) -> Iterator[Client]:
    with _client(ex) as c:
        yield c


@pytest.fixture
def other(ex: LocalExchange) -> Iterator[Client]:
    with Client(ex.url, api_key=OTHER_KEY, api_secret=OTHER_SECRET, timeout=5) as c:
        yield c


def _take(stream: UserDataStream, count: int, into: list[Any] | None = None) -> list[Any]:
    out: list[Any] = []
    for _ in range(count):
        item = stream.get(timeout=5)
        assert item is not None, f"only {len(out)} of {count} events arrived: {out}"
        out.append(item)
    if into is not None:
        into.extend(out)
    return out


def _same_through_handlers(seen: list[Any], taken: list[Any]) -> None:
    """The handlers got exactly what the iterator gave, in the same order, with the same types."""
    assert wait_until(lambda: len(seen) >= len(taken))
    assert len(seen) == len(taken)
    assert [type(e) for e in seen] == [type(e) for e in taken]
    assert [unstructure(e) for e in seen] == [unstructure(e) for e in taken]


def _best(client: Client) -> tuple[Decimal, Decimal]:
    depth = client.depth(symbol="BTCUSDT", limit=1)
    assert depth.bids and depth.asks
    return depth.bids[0][0], depth.asks[0][0]


def _shape(events: list[Any]) -> list[tuple[Any, ...]]:
    def one(e: Any) -> tuple[Any, ...]:
        if isinstance(e, ExecutionReport):
            return ("ER", e.execution_type, e.order_status)
        if isinstance(e, ListStatus):
            return ("LS", e.contingency_type, e.list_status_type, e.list_order_status)
        return (type(e).__name__,)

    return [one(e) for e in events]


def _collect(stream: UserDataStream) -> list[UserDataEvent]:
    seen: list[UserDataEvent] = []
    stream.on_any(seen.append)
    return seen


def test_partial_and_full_fill_through_iterator_and_handlers(client: Client, other: Client) -> None:
    bid, ask = _best(client)
    price = (bid + ask) / 2
    price = price.quantize(D("0.01"))
    with client.user_data() as stream:
        seen = _collect(stream)
        reports: list[ExecutionReport] = []
        stream.on(ExecutionReport, reports.append)
        placed = client.order_place(
            symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC", price=price, quantity="0.003"
        )
        other.order_place(
            symbol="BTCUSDT", side="SELL", type="LIMIT", time_in_force="IOC", price=price, quantity="0.001"
        )
        other.order_place(
            symbol="BTCUSDT", side="SELL", type="LIMIT", time_in_force="IOC", price=price, quantity="0.002"
        )
        events = _take(stream, 6)
        assert _shape(events) == [
            ("ER", ExecutionType.NEW, OrderStatus.NEW),
            ("OutboundAccountPosition",),
            ("ER", ExecutionType.TRADE, OrderStatus.PARTIALLY_FILLED),
            ("OutboundAccountPosition",),
            ("ER", ExecutionType.TRADE, OrderStatus.FILLED),
            ("OutboundAccountPosition",),
        ]
        new, _, partial, _, full, position = events
        assert new.order_id == partial.order_id == full.order_id == placed.order_id
        assert new.client_order_id == placed.client_order_id
        assert type(new.quantity) is Decimal and new.quantity == D("0.003")
        assert (partial.last_executed_qty, partial.cumulative_filled_qty) == (D("0.001"), D("0.001"))
        assert (full.last_executed_qty, full.cumulative_filled_qty) == (D("0.002"), D("0.003"))
        assert full.last_executed_price == price and full.is_maker is True
        assert full.cumulative_quote_qty == price * D("0.003")
        assert new.is_on_book is True and full.is_on_book is False
        balances = {b.asset: b for b in position.balances}
        status = {b.asset: b for b in client.account_status().balances or ()}
        for asset in ("BTC", "USDT"):
            assert (balances[asset].free, balances[asset].locked) == (
                status[asset].free,
                status[asset].locked,
            )
        assert wait_until(lambda: len(seen) == 6)
        assert [unstructure(e) for e in seen] == [unstructure(e) for e in events]
        assert [type(e) for e in seen] == [type(e) for e in events]
        assert [r.execution_id for r in reports] == [
            new.execution_id,
            partial.execution_id,
            full.execution_id,
        ]


def test_cancel_reports_the_original_client_id(client: Client) -> None:
    bid, _ = _best(client)
    with client.user_data() as stream:
        seen = _collect(stream)
        placed = client.order_place(
            symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC", price=bid - 100, quantity="0.001"
        )
        canceled = client.order_cancel(symbol="BTCUSDT", order_id=placed.order_id)
        events = _take(stream, 4)
        assert _shape(events) == [
            ("ER", ExecutionType.NEW, OrderStatus.NEW),
            ("OutboundAccountPosition",),
            ("ER", ExecutionType.CANCELED, OrderStatus.CANCELED),
            ("OutboundAccountPosition",),
        ]
        report = events[2]
        assert report.orig_client_order_id == placed.client_order_id
        assert report.client_order_id == canceled.client_order_id
        usdt = next(b for b in events[3].balances if b.asset == "USDT")
        assert usdt.locked == D(0)
        _same_through_handlers(seen, events)


def test_oco_and_oto_events_in_binance_order(client: Client, other: Client) -> None:
    bid, ask = _best(client)
    with client.user_data() as stream:
        seen = _collect(stream)
        taken: list[Any] = []
        oco = client.order_list_place_oco(
            symbol="BTCUSDT",
            side="SELL",
            quantity="0.001",
            above_type="LIMIT_MAKER",
            above_price=ask + 500,
            below_type="STOP_LOSS",
            below_stop_price=bid - 500,
        )
        events = _take(stream, 4, taken)
        assert _shape(events) == [
            ("ER", ExecutionType.NEW, OrderStatus.NEW),
            ("ER", ExecutionType.NEW, OrderStatus.NEW),
            ("LS", "OCO", "EXEC_STARTED", "EXECUTING"),
            ("OutboundAccountPosition",),
        ]
        listed = events[2]
        assert listed.order_list_id == oco.order_list_id and type(listed.order_list_id) is int
        assert [o.order_id for o in listed.orders] == [o.order_id for o in oco.orders or ()]
        assert {e.order_list_id for e in events[:2]} == {oco.order_list_id}
        client.order_list_cancel(symbol="BTCUSDT", order_list_id=oco.order_list_id)
        events = _take(stream, 4, taken)
        assert _shape(events) == [
            ("ER", ExecutionType.CANCELED, OrderStatus.CANCELED),
            ("ER", ExecutionType.CANCELED, OrderStatus.CANCELED),
            ("LS", "OCO", "ALL_DONE", "ALL_DONE"),
            ("OutboundAccountPosition",),
        ]

        price = ((bid + ask) / 2).quantize(D("0.01"))
        oto = client.order_list_place_oto(
            symbol="BTCUSDT",
            working_type="LIMIT",
            working_side="BUY",
            working_price=price,
            working_quantity="0.001",
            working_time_in_force="GTC",
            pending_type="LIMIT_MAKER",
            pending_side="SELL",
            pending_price=ask + 500,
            pending_quantity="0.001",
        )
        events = _take(stream, 4, taken)
        assert _shape(events) == [
            ("ER", ExecutionType.NEW, OrderStatus.NEW),
            ("ER", ExecutionType.NEW, OrderStatus.PENDING_NEW),
            ("LS", "OTO", "EXEC_STARTED", "EXECUTING"),
            ("OutboundAccountPosition",),
        ]
        working, pending = events[0], events[1]
        assert working.is_on_book is True and pending.is_on_book is False
        # The working order fills: its trade, then the pending order goes on the book.
        other.order_place(
            symbol="BTCUSDT", side="SELL", type="LIMIT", time_in_force="IOC", price=price, quantity="0.001"
        )
        events = _take(stream, 4, taken)
        assert _shape(events) == [
            ("ER", ExecutionType.TRADE, OrderStatus.FILLED),
            ("ER", ExecutionType.NEW, OrderStatus.NEW),
            ("LS", "OTO", "EXEC_STARTED", "EXECUTING"),
            ("OutboundAccountPosition",),
        ]
        assert events[0].order_id == working.order_id
        assert events[1].order_id == pending.order_id and events[1].is_on_book is True
        client.order_list_cancel(symbol="BTCUSDT", order_list_id=oto.order_list_id)
        assert _shape(_take(stream, 3, taken)) == [
            ("ER", ExecutionType.CANCELED, OrderStatus.CANCELED),
            ("LS", "OTO", "ALL_DONE", "ALL_DONE"),
            ("OutboundAccountPosition",),
        ]
        _same_through_handlers(seen, taken)


def test_slow_consumer_gets_events_lost_error_at_the_gap(ex: LocalExchange, client: Client) -> None:
    with client.user_data(buffer_size=5) as stream:
        events = [
            {"e": "balanceUpdate", "E": 1000 + i, "a": "BTC", "d": "1.00000000", "T": 1} for i in range(20)
        ]
        for event in events:
            publish(ex, DEMO_ACCOUNT, event)
        assert wait_until(lambda: stream.lost_count == 15)
        first = _take(stream, 5)
        assert [e.event_time for e in first] == [1000, 1001, 1002, 1003, 1004]
        with pytest.raises(EventsLostError) as lost:
            stream.get(timeout=5)
        assert (lost.value.count, lost.value.first_time, lost.value.last_time) == (15, 1005, 1019)
        assert lost.value.first_datetime is not None
        publish(ex, DEMO_ACCOUNT, {"e": "balanceUpdate", "E": 2000, "a": "BTC", "d": "1.00000000", "T": 1})
        after = next(iter(stream))
        assert isinstance(after, BalanceUpdate) and after.event_time == 2000
        assert stream.get(timeout=0.05) is None


def test_a_raising_handler_is_logged_and_the_stream_goes_on(
    ex: LocalExchange, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with client.user_data() as stream:
        seen: list[int] = []

        def handler(event: BalanceUpdate) -> None:
            if event.event_time == 1:
                raise RuntimeError("handler bug")
            seen.append(event.event_time or 0)

        stream.on(BalanceUpdate, handler)
        threads: list[str] = []
        stream.on_any(lambda e: threads.append(threading.current_thread().name))
        with caplog.at_level(logging.ERROR, logger="binance_ws"):
            for t in (1, 2, 3):
                publish(
                    ex, DEMO_ACCOUNT, {"e": "balanceUpdate", "E": t, "a": "BTC", "d": "1.00000000", "T": 1}
                )
            assert wait_until(lambda: seen == [2, 3])
        assert any("a handler raised" in r.message and r.exc_info for r in caplog.records)
        assert len(set(threads)) == 1 and threads[0].startswith("binance-ws-userdata-")
        thread = next(t for t in threading.enumerate() if t.name == threads[0])
    assert wait_until(lambda: not thread.is_alive())


def test_two_accounts_on_one_connection_get_only_their_own(client: Client, other: Client) -> None:
    with client.user_data() as mine, client.user_data(api_key=OTHER_KEY, api_secret=OTHER_SECRET) as theirs:
        assert [s.subscription_id for s in client.session_subscriptions()] == [0, 1]
        bid, _ = _best(client)
        placed = other.order_place(
            symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC", price=bid - 50, quantity="0.001"
        )
        events = _take(theirs, 2)
        assert isinstance(events[0], ExecutionReport) and events[0].order_id == placed.order_id
        assert isinstance(events[1], OutboundAccountPosition)
        assert mine.get(timeout=0.2) is None
        mine_order = client.order_place(
            symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC", price=bid - 50, quantity="0.001"
        )
        assert _take(mine, 1)[0].order_id == mine_order.order_id
        assert theirs.get(timeout=0.2) is None
        other.order_cancel(symbol="BTCUSDT", order_id=placed.order_id)
        client.order_cancel(symbol="BTCUSDT", order_id=mine_order.order_id)


def test_close_unsubscribes_and_ends_the_iterator(ex: LocalExchange, client: Client) -> None:
    stream = client.user_data()
    received: list[Any] = []
    stream.on_any(received.append)
    publish(ex, DEMO_ACCOUNT, {"e": "balanceUpdate", "E": 1, "a": "BTC", "d": "1.00000000", "T": 1})
    assert wait_until(lambda: len(received) == 1)
    stream.close()
    assert client.session_subscriptions() == []
    publish(ex, DEMO_ACCOUNT, {"e": "balanceUpdate", "E": 2, "a": "BTC", "d": "1.00000000", "T": 1})
    client.ping()  # the event would have come before this answer
    assert [getattr(e, "event_time", None) for e in stream] == [1]  # what was buffered, then the end
    # Handlers also see the eventStreamTerminated the unsubscribe caused, and nothing after.
    assert [type(e) for e in received] == [BalanceUpdate, EventStreamTerminated]
    assert stream.get(timeout=0.01) is None


def test_unknown_event_type_passes_through(ex: LocalExchange, client: Client) -> None:
    raw = {"e": "somethingNew", "E": 7, "x": {"nested": [1, "2"]}, "Y": None}
    with client.user_data() as stream:
        seen = _collect(stream)
        by_base: list[UserDataEvent] = []
        stream.on(UserDataEvent, by_base.append)
        assert ex.send_user_event(raw) >= 1
        event = stream.get(timeout=5)
        assert type(event) is UnknownEvent
        assert event.event_type == "somethingNew" and event.raw == raw and unstructure(event) == raw
        assert wait_until(lambda: len(seen) == 1) and type(seen[0]) is UnknownEvent
        assert wait_until(lambda: len(by_base) == 1) and by_base[0] is seen[0]


def test_logout_ends_a_logon_subscription(ex: LocalExchange) -> None:
    key = ex.keys.ed25519
    with Client(
        ex.url, api_key=key.api_key, private_key=key.private_key_pem, timeout=5, auto_logon=True
    ) as c:
        assert c.logged_on
        with c.user_data() as stream:
            terminated: list[Any] = []
            stream.on(EventStreamTerminated, terminated.append)
            c.session_logout()
            assert list(stream) == []  # eventStreamTerminated ends the iteration
            assert wait_until(lambda: len(terminated) == 1)
            assert stream.ended


def test_drop_gives_a_stream_gap_and_events_resume(ex: LocalExchange) -> None:
    tag = unique_tag("ud-drop")
    with _client(ex, ex.url_for(tag)) as c, c.user_data() as stream:
        gaps: list[StreamGap] = []
        stream.on_gap(gaps.append)
        publish(ex, DEMO_ACCOUNT, {"e": "balanceUpdate", "E": 10, "a": "BTC", "d": "1.00000000", "T": 1})
        assert _take(stream, 1)[0].event_time == 10
        reconnects = c.reconnects
        assert ex.drop_all_connections(connection=tag) == 1
        gap = stream.get(timeout=10)
        assert type(gap) is StreamGap and gap.start_time == 10 and gap.end_time >= gap.start_time
        assert c.reconnects == reconnects + 1
        assert wait_until(lambda: len(gaps) == 1) and gaps[0] == gap
        publish(ex, DEMO_ACCOUNT, {"e": "balanceUpdate", "E": 11, "a": "BTC", "d": "1.00000000", "T": 1})
        assert _take(stream, 1)[0].event_time == 11
        assert len(c.session_subscriptions()) == 1


def test_rotation_delivers_every_event_exactly_once(ex: LocalExchange) -> None:
    with _client(ex) as c, c.user_data(buffer_size=100_000) as stream:
        placed: list[int | None] = []
        stop = threading.Event()
        failures: list[BaseException] = []

        def trade() -> None:
            try:
                while not stop.is_set() and len(placed) < 2000:
                    order = c.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.0001")
                    placed.append(order.order_id)
            except BaseException as exc:  # pragma: no cover - reported below
                failures.append(exc)

        worker = threading.Thread(target=trade)
        worker.start()
        try:
            for _ in range(3):
                count = len(placed)
                assert wait_until(lambda: len(placed) >= count + 5, 10)  # noqa: B023
                c.rotate()
            count = len(placed)
            assert wait_until(lambda: len(placed) >= count + 5, 10)
        finally:
            stop.set()
            worker.join(10)
        assert not failures
        reports: list[ExecutionReport] = []
        positions = 0
        deadline_hits = 0
        while len({r.order_id for r in reports if r.order_status is OrderStatus.FILLED}) < len(placed):
            item = stream.get(timeout=5)
            if item is None:
                deadline_hits += 1
                break
            assert not isinstance(item, StreamGap)
            if isinstance(item, ExecutionReport):
                reports.append(item)
            else:
                positions += 1
        assert deadline_hits == 0
        ids = [r.execution_id or 0 for r in reports]
        assert len(ids) == len(set(ids)) == 2 * len(placed)
        assert sorted(ids) == ids  # in the order the exchange sent them
        assert {r.order_id for r in reports} == set(placed)
        while (item := stream.get(timeout=0.3)) is not None:
            assert isinstance(item, OutboundAccountPosition)
            positions += 1
        assert positions == len(placed)  # one per order, none twice


def test_a_failed_resubscription_is_retried_and_the_gap_reported(ex: LocalExchange) -> None:
    tag = unique_tag("ud-retry")
    with _client(ex, ex.url_for(tag)) as c, c.user_data() as stream:
        publish(ex, DEMO_ACCOUNT, {"e": "balanceUpdate", "E": 20, "a": "BTC", "d": "1.00000000", "T": 1})
        assert _take(stream, 1)[0].event_time == 20
        ex.fail_next("userDataStream.subscribe.signature", 503, connection=tag)
        assert ex.drop_all_connections(connection=tag) == 1
        gap = stream.get(timeout=10)  # after the failed restore step, the retry's subscription
        assert type(gap) is StreamGap and gap.start_time == 20
        publish(ex, DEMO_ACCOUNT, {"e": "balanceUpdate", "E": 21, "a": "BTC", "d": "1.00000000", "T": 1})
        assert _take(stream, 1)[0].event_time == 21
        assert len(c.session_subscriptions()) == 1


def test_a_logon_stream_subscribes_by_logon_again_after_a_rotation(ex: LocalExchange) -> None:
    key = ex.keys.ed25519
    with (
        Client(ex.url, api_key=key.api_key, private_key=key.private_key_pem, timeout=5, auto_logon=True) as c,
        c.user_data() as stream,
    ):
        c.rotate()
        assert c.logged_on and len(c.session_subscriptions()) == 1
        # A logon subscription ends with session.logout: proof of how it was made.
        c.session_logout()
        assert list(stream) == [] and stream.ended


def _balance(t: int) -> dict[str, Any]:
    return {"e": "balanceUpdate", "E": t, "a": "BTC", "d": "1.00000000", "T": t}


def test_a_slow_handler_is_told_what_it_lost(ex: LocalExchange, client: Client) -> None:
    with client.user_data(handler_queue_size=3) as stream:
        assert stream.handler_queue_size == 3
        calls: list[Any] = []
        entered = threading.Event()
        go_on = threading.Event()

        def slow(event: UserDataEvent) -> None:
            if event.event_time == 1:
                entered.set()
                assert go_on.wait(10)
            calls.append(("event", event.event_time))

        stream.on_any(slow)
        stream.on_lost(lambda lost: calls.append(("lost", lost)))
        publish(ex, DEMO_ACCOUNT, _balance(1))
        assert entered.wait(5)  # the handler holds the dispatcher on event 1
        for t in range(2, 11):
            publish(ex, DEMO_ACCOUNT, _balance(t))
        assert wait_until(lambda: stream.lost_count == 6)  # 2, 3, 4 wait; 5...10 are dropped
        assert calls == []
        go_on.set()
        assert wait_until(lambda: len(calls) == 5)
        assert calls[:4] == [("event", 1), ("event", 2), ("event", 3), ("event", 4)]
        kind, lost = calls[4]
        assert kind == "lost" and type(lost) is EventsLostError and lost.where == "handlers"
        assert (lost.count, lost.first_time, lost.last_time) == (6, 5, 10)
        assert "handler_queue_size=" in str(lost)
        publish(ex, DEMO_ACCOUNT, _balance(11))
        assert wait_until(lambda: len(calls) == 6) and calls[5] == ("event", 11)
        # The iterator's buffer is bounded on its own: it lost nothing.
        got = _take(stream, 11)
        assert [type(e) for e in got] == [BalanceUpdate] * 11
        assert [e.event_time for e in got] == list(range(1, 12))
        assert stream.lost_count == 6


def test_an_event_lost_by_buffer_and_handlers_counts_once(ex: LocalExchange, client: Client) -> None:
    with client.user_data(buffer_size=2, handler_queue_size=2) as stream:
        entered = threading.Event()
        go_on = threading.Event()
        lost: list[EventsLostError] = []

        def slow(event: UserDataEvent) -> None:
            entered.set()
            assert go_on.wait(10)

        stream.on_any(slow)
        stream.on_lost(lost.append)
        publish(ex, DEMO_ACCOUNT, _balance(1))
        assert entered.wait(5)
        for t in range(2, 6):
            publish(ex, DEMO_ACCOUNT, _balance(t))
        # Buffer: 1, 2 kept, 3...5 lost; handlers: 2, 3 wait, 4, 5 lost. Lost by either: 3, 4, 5.
        assert wait_until(lambda: stream.lost_count == 3)
        go_on.set()
        assert wait_until(lambda: len(lost) == 1)
        assert (lost[0].count, lost[0].first_time, lost[0].last_time, lost[0].where) == (2, 4, 5, "handlers")
        assert [e.event_time for e in _take(stream, 2)] == [1, 2]
        with pytest.raises(EventsLostError) as raised:
            stream.get(timeout=5)
        assert (raised.value.count, raised.value.where) == (3, "buffer")


def test_handler_queue_size_is_checked(client: Client) -> None:
    from binance_ws import InvalidParameterError

    for bad in (0, -1, True, 1.5, "3"):
        with pytest.raises(InvalidParameterError, match="handler_queue_size"):
            client.user_data(handler_queue_size=bad)  # type: ignore[arg-type]
    with client.user_data(buffer_size=20_000) as stream:
        assert stream.handler_queue_size == 20_000
    with client.user_data(buffer_size=0) as stream:
        assert stream.handler_queue_size == 10_000


def test_a_rotation_during_a_rotation_delivers_every_event_once(ex: LocalExchange) -> None:
    """A second rotation while the first one's old connection still delivers: nothing lost or doubled."""
    from binance_ws.exchange.services.connections import close_in_background

    tag = unique_tag("ud-rot2")
    with _client(ex, ex.url_for(tag)) as c, c.user_data(buffer_size=100_000) as stream:
        placed: list[int | None] = []
        stop = threading.Event()
        failures: list[BaseException] = []

        def trade() -> None:
            try:
                while not stop.is_set() and len(placed) < 3000:
                    order = c.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.0001")
                    placed.append(order.order_id)
            except BaseException as exc:  # pragma: no cover - reported below
                failures.append(exc)

        def more_orders() -> None:
            count = len(placed)
            assert wait_until(lambda: len(placed) >= count + 5, 10)

        def subscribed() -> list[Any]:
            return [s for s in ex.sessions() if s.tag == tag and s.subscriptions]

        def quietly(call: Any) -> None:
            try:
                call()
            except Exception as exc:  # the ping's connection is closed under it
                assert "ping" in str(exc) or "closed" in str(exc), exc

        (first,) = subscribed()
        worker = threading.Thread(target=trade)
        worker.start()
        # A ping whose answer the first connection holds back keeps it open while it drains.
        ex.delay_next("ping", 30, connection=tag)
        pinger = threading.Thread(target=quietly, args=(c.ping,))
        pinger.start()
        rotator = threading.Thread(target=quietly, args=(lambda: c.rotate(timeout=30),))
        try:
            assert wait_until(lambda: ex.faults.pending(tag) == 0)  # the ping is on the first one
            more_orders()
            rotator.start()
            assert wait_until(lambda: len(subscribed()) == 2, 10)  # the second one is subscribed
            more_orders()
            c.rotate()  # the third one, while the first still delivers
            live = subscribed()
            assert first in live and len(live) >= 2
            more_orders()
            close_in_background(first.conn, 1001, "going away")  # now the first one ends
            rotator.join(10)
            assert not rotator.is_alive()
            more_orders()
        finally:
            stop.set()
            worker.join(10)
            pinger.join(10)
            rotator.join(10)
        assert not failures
        assert len(subscribed()) == 1 and first not in subscribed()
        reports: list[ExecutionReport] = []
        positions = 0
        while len({r.order_id for r in reports if r.order_status is OrderStatus.FILLED}) < len(placed):
            item = stream.get(timeout=5)
            assert item is not None, f"{len(reports)} reports for {len(placed)} orders"
            assert not isinstance(item, (StreamGap, EventsLostError))
            if isinstance(item, ExecutionReport):
                reports.append(item)
            else:
                assert isinstance(item, OutboundAccountPosition)
                positions += 1
        ids = [r.execution_id or 0 for r in reports]
        assert len(ids) == len(set(ids)) == 2 * len(placed)
        assert sorted(ids) == ids  # in the order the exchange sent them
        assert {r.order_id for r in reports} == set(placed)
        while (item := stream.get(timeout=0.3)) is not None:
            assert isinstance(item, OutboundAccountPosition)
            positions += 1
        assert positions == len(placed)  # one per order, none twice
        assert stream.lost_count == 0
