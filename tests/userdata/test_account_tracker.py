"""AccountTracker: the local view equals the exchange's snapshot after random trading and a drop."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from exchange_helpers import unique_tag, wait_until

from binance_ws import AccountTracker, Client, ConnectionClosedError, TrackedOrder
from binance_ws.enums import OrderStatus
from binance_ws.exchange import LocalExchange

D = Decimal


@pytest.fixture(scope="module")
def ex() -> Iterator[LocalExchange]:
    with LocalExchange(enforce_limits=False, order_limit_10s=10**9, weight_limit=10**9) as exchange:
        yield exchange


def _client(ex: LocalExchange, url: str | None = None) -> Client:
    key = ex.keys.hmac
    return Client(url or ex.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5)


def _mismatch(client: Client, tracker: AccountTracker) -> list[Any]:
    """What differs between the tracker and the exchange's snapshot (empty: nothing)."""
    status = client.account_status()
    theirs = {b.asset: (b.free, b.locked) for b in status.balances or ()}
    ours = {a: (b.free, b.locked) for a, b in tracker.balances.items()}
    orders = {o.order_id: (o.status, o.executed_qty) for o in client.open_orders_status()}
    tracked = {i: (o.status, o.filled_qty) for i, o in tracker.open_orders.items()}
    diff: list[Any] = [(a, ours.get(a or ""), v) for a, v in theirs.items() if ours.get(a or "") != v]
    if orders != tracked:
        diff.append(("orders", set(orders.items()) ^ set(tracked.items())))
    return diff


def test_tracker_follows_random_trading_and_a_drop(ex: LocalExchange) -> None:
    rng = random.Random(20261202)
    tag = unique_tag("tracker")
    with _client(ex, ex.url_for(tag)) as client, client.account_tracker() as tracker:
        assert tracker.snapshots == 1
        assert tracker.balances["USDT"].free == D("100000")
        depth = client.depth(symbol="BTCUSDT", limit=1)
        assert depth.bids and depth.asks
        mid = (depth.bids[0][0] + depth.asks[0][0]) / 2
        open_ids: list[int] = []
        dropped = False
        for n in range(300):
            if n == 150:
                assert ex.drop_all_connections(connection=tag) == 1
                dropped = True
            try:
                roll = rng.random()
                if roll < 0.25 and open_ids:
                    order_id = open_ids.pop(rng.randrange(len(open_ids)))
                    client.order_cancel(symbol="BTCUSDT", order_id=order_id)
                elif roll < 0.4:
                    side = rng.choice(["BUY", "SELL"])
                    client.order_place(symbol="BTCUSDT", side=side, type="MARKET", quantity="0.0005")
                else:
                    side = rng.choice(["BUY", "SELL"])
                    offset = D(rng.randrange(-300, 300)) / 100
                    price = (mid + offset).quantize(D("0.01"))
                    placed = client.order_place(
                        symbol="BTCUSDT",
                        side=side,
                        type="LIMIT",
                        time_in_force="GTC",
                        price=price,
                        quantity=str(D(rng.randrange(1, 20)) / 10000),
                    )
                    open_ids.append(placed.order_id or 0)
            except ConnectionClosedError:
                continue  # in flight when the connection dropped: its outcome shows in the snapshot
            except Exception as exc:  # a cancel of an order that filled meanwhile
                assert "Unknown order" in str(exc) or "-2011" in str(exc), exc
        assert dropped and client.reconnects == 1
        assert wait_until(lambda: tracker.snapshots == 2, 10)
        assert wait_until(lambda: not _mismatch(client, tracker), 10), _mismatch(client, tracker)
        assert tracker.open_orders, "the seed should leave some orders resting"
        # Clean up for the next test: cancel what rests, and the tracker sees it.
        client.open_orders_cancel_all(symbol="BTCUSDT")
        assert wait_until(lambda: not tracker.open_orders, 10)


def test_wait_for_an_order_status(ex: LocalExchange) -> None:
    with _client(ex) as client, client.account_tracker() as tracker:
        depth = client.depth(symbol="BTCUSDT", limit=1)
        assert depth.bids
        placed = client.order_place(
            symbol="BTCUSDT",
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            price=depth.bids[0][0] - 10,
            quantity="0.001",
        )
        assert placed.order_id is not None
        new = tracker.wait_for(placed.order_id, "NEW", timeout=5)
        assert type(new) is TrackedOrder and new.status is OrderStatus.NEW and new.is_open
        locked = (depth.bids[0][0] - 10) * D("0.001")
        # The balances come in the outboundAccountPosition right after the report.
        assert wait_until(lambda: tracker.balances["USDT"].locked == locked)
        client.order_cancel(symbol="BTCUSDT", order_id=placed.order_id)
        done = tracker.wait_for(placed.order_id, [OrderStatus.CANCELED, OrderStatus.FILLED], timeout=5)
        assert done.status is OrderStatus.CANCELED and placed.order_id not in tracker.open_orders
        assert placed.order_id in tracker.orders
        with pytest.raises(TimeoutError, match="timeout="):
            tracker.wait_for(placed.order_id, "FILLED", timeout=0.05)


def test_tracker_for_another_account(ex: LocalExchange) -> None:
    ex.keys.add_hmac("Tr" * 32, "t7" * 32, "tracked")
    ex.accounts.add("tracked", {"USDT": "500"})
    with _client(ex) as client:
        with client.account_tracker(api_key="Tr" * 32, api_secret="t7" * 32) as tracker:
            assert {a: b.free for a, b in tracker.balances.items()} == {"USDT": D("500")}
        assert client.session_subscriptions() == []


def test_tracker_follows_deposits_withdrawals_and_external_locks(ex: LocalExchange) -> None:
    rng = random.Random(7)
    ex.keys.add_hmac("Wa" * 32, "w4" * 32, "wallet")
    ex.accounts.add("wallet", {"USDT": "20000", "BTC": "1"})
    with (
        Client(ex.url, api_key="Wa" * 32, api_secret="w4" * 32, timeout=5) as client,
        client.account_tracker() as tracker,
    ):
        ex.deposit("SOL", "2.5", account="wallet")  # an asset the snapshot did not have
        assert wait_until(lambda: "SOL" in tracker.balances)
        sol = tracker.balances["SOL"]
        assert type(sol.free) is Decimal and (sol.free, sol.locked) == (D("2.5"), D(0))
        depth = client.depth(symbol="BTCUSDT", limit=1)
        assert depth.bids
        open_ids: list[int] = []
        for _ in range(120):
            roll = rng.random()
            free = ex.accounts.get("wallet").free
            external = ex.accounts.get("wallet").external
            if roll < 0.15:
                ex.deposit(
                    rng.choice(["USDT", "BTC", "SOL"]), str(D(rng.randrange(1, 500)) / 100), account="wallet"
                )
            elif roll < 0.3 and free.get("USDT", D(0)) > 10:
                ex.deposit("USDT", "-" + str(D(rng.randrange(1, 1000)) / 100), account="wallet")
            elif roll < 0.45 and free.get("BTC", D(0)) > D("0.01"):
                ex.lock_externally("BTC", "0.01", account="wallet")
            elif roll < 0.55 and external.get("BTC", D(0)) >= D("0.01"):
                ex.lock_externally("BTC", "-0.01", account="wallet")
            elif roll < 0.65 and open_ids:
                client.order_cancel(symbol="BTCUSDT", order_id=open_ids.pop(rng.randrange(len(open_ids))))
            elif roll < 0.75:
                client.order_place(symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.001")
            else:
                placed = client.order_place(
                    symbol="BTCUSDT",
                    side=rng.choice(["BUY", "SELL"]),
                    type="LIMIT",
                    time_in_force="GTC",
                    price=depth.bids[0][0] - rng.randrange(50, 500),
                    quantity="0.001",
                )
                if placed.status is OrderStatus.NEW:
                    open_ids.append(placed.order_id or 0)
        assert ex.accounts.get("wallet").external.get("BTC", D(0)) >= 0
        assert wait_until(lambda: not _mismatch(client, tracker), 10), _mismatch(client, tracker)
        status = {b.asset: (b.free, b.locked) for b in client.account_status().balances or ()}
        assert {a: (b.free, b.locked) for a, b in tracker.balances.items()} == status
        assert all(type(b.free) is Decimal and type(b.locked) is Decimal for b in tracker.balances.values())
        assert tracker.snapshots == 1  # followed by events alone
        if open_ids:
            client.open_orders_cancel_all(symbol="BTCUSDT")
        assert wait_until(lambda: not tracker.open_orders, 10)
