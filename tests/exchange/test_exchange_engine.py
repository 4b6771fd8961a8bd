"""The matching engine alone: no server, no sockets, events through the injected callback.

The engine is built from the model (accounts, symbols, books) with a ``publish`` callback,
an ``on_fill`` callback and a frozen clock, then driven with wire parameters as a handler
would. Every fill, balance and event is checked against what the book showed beforehand.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from binance_ws.exchange.engine import wallet
from binance_ws.exchange.engine.core import Engine
from binance_ws.exchange.model.accounts import DEMO_ACCOUNT, Accounts
from binance_ws.exchange.model.book import Book
from binance_ws.exchange.model.clock import now_ms
from binance_ws.exchange.model.errors import ExchangeError
from binance_ws.exchange.model.symbols import SymbolInfo, default_symbols

D = Decimal
BOB = "bob"


class Rig:
    """An engine and what it reported."""

    def __init__(self) -> None:
        # Frozen near the real time: the books' seeded trades (the average price) are recent.
        self.now = now_ms()
        self.symbols: dict[str, SymbolInfo] = {s.symbol: s for s in default_symbols()}
        rng = random.Random(11)
        self.books = {name: Book(info, 20, rng) for name, info in self.symbols.items()}
        self.accounts = Accounts.demo({"USDT": "100000", "BTC": "1"})
        self.accounts.add(BOB, {"USDT": "100000", "BTC": "1"})
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.fills: list[str] = []
        self.engine = Engine(
            self.accounts,
            self.symbols,
            self.books,
            publish=lambda account, event: self.events.append((account, event)),
            on_fill=self.fills.append,
            clock=lambda: self.now,
        )

    def kinds(self, account: str) -> list[tuple[str, str | None]]:
        return [(e["e"], e.get("x")) for a, e in self.events if a == account]


@pytest.fixture
def rig() -> Rig:
    return Rig()


def _fee(amount: Decimal) -> Decimal:
    return (amount * D("0.001")).quantize(D("0.00000001"), rounding=ROUND_HALF_UP)


def test_a_market_buy_fills_against_the_book_and_reports_through_the_callback(rig: Rig) -> None:
    book = rig.books["BTCUSDT"]
    best = book.best("SELL")
    assert best is not None
    ask = best.price
    result = rig.engine.place(
        DEMO_ACCOUNT, {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"}
    )
    assert result["status"] == "FILLED"
    assert result["executedQty"] == "0.01000000"
    assert [f["price"] for f in result["fills"]] == [f"{ask:.8f}"]
    assert result["transactTime"] == rig.now
    cost = ask * D("0.01")
    demo = rig.accounts.get(DEMO_ACCOUNT)
    assert demo.free["USDT"] == D("100000") - cost
    assert demo.free["BTC"] == D("1") + D("0.01") - _fee(D("0.01"))
    assert type(demo.free["BTC"]) is Decimal
    assert rig.kinds(DEMO_ACCOUNT) == [
        ("executionReport", "NEW"),
        ("executionReport", "TRADE"),
        ("outboundAccountPosition", None),
    ]
    assert {e["E"] for _, e in rig.events} == {rig.now}
    assert rig.fills == [DEMO_ACCOUNT]


def test_two_accounts_trade_with_each_other_at_the_resting_price(rig: Rig) -> None:
    info = rig.symbols["BTCUSDT"]
    # The reference price is inside the seeded spread (one tick either side): it rests.
    price = str(info.price)
    rest = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    resting = rig.engine.place(DEMO_ACCOUNT, {**rest, "price": price, "quantity": "0.02"})
    assert resting["status"] == "NEW"
    demo = rig.accounts.get(DEMO_ACCOUNT)
    assert demo.locked["USDT"] == info.price * D("0.02")
    assert rig.fills == []
    taker = rig.engine.place(
        BOB, {**rest, "side": "SELL", "price": price, "quantity": "0.005", "newOrderRespType": "FULL"}
    )
    assert taker["status"] == "FILLED"
    assert [(f["price"], f["qty"]) for f in taker["fills"]] == [(f"{info.price:.8f}", "0.00500000")]
    assert rig.fills == [BOB, DEMO_ACCOUNT]  # the taker is settled first, then the maker
    # Demo's order is partly filled and still rests with the rest of its lock.
    maker_reports = [e for a, e in rig.events if a == DEMO_ACCOUNT and e["e"] == "executionReport"]
    assert [(e["x"], e["X"], e["l"], e["m"]) for e in maker_reports] == [
        ("NEW", "NEW", "0.00000000", False),
        ("TRADE", "PARTIALLY_FILLED", "0.00500000", True),
    ]
    assert demo.locked["USDT"] == info.price * D("0.015")
    assert demo.free["BTC"] == D("1") + D("0.005") - _fee(D("0.005"))
    bob = rig.accounts.get(BOB)
    assert bob.free["USDT"] == D("100000") + info.price * D("0.005") - _fee(info.price * D("0.005"))
    assert rig.kinds(BOB) == [
        ("executionReport", "NEW"),
        ("executionReport", "TRADE"),
        ("outboundAccountPosition", None),
    ]


def test_a_cancel_releases_the_lock_and_reports_it(rig: Rig) -> None:
    info = rig.symbols["BTCUSDT"]
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    placed = rig.engine.place(DEMO_ACCOUNT, {**params, "price": str(info.price), "quantity": "0.01"})
    rig.events.clear()
    rig.now += 5
    cancelled = rig.engine.cancel(DEMO_ACCOUNT, {"symbol": "BTCUSDT", "orderId": placed["orderId"]})
    assert cancelled["status"] == "CANCELED"
    assert rig.accounts.get(DEMO_ACCOUNT).locked["USDT"] == 0
    assert rig.kinds(DEMO_ACCOUNT) == [("executionReport", "CANCELED"), ("outboundAccountPosition", None)]
    assert {e["E"] for _, e in rig.events} == {rig.now}


def test_refusals_raise_binance_errors_and_publish_nothing(rig: Rig) -> None:
    with pytest.raises(ExchangeError) as caught:
        rig.engine.place(
            DEMO_ACCOUNT, {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "5"}
        )
    assert (caught.value.status, caught.value.code) == (400, -2010)
    with pytest.raises(ExchangeError) as caught:
        rig.engine.place(DEMO_ACCOUNT, {"symbol": "NOPE", "side": "BUY", "type": "MARKET", "quantity": "1"})
    assert caught.value.code == -1121
    assert rig.events == []
    assert rig.fills == []


def test_wallet_changes_go_through_the_same_callback_in_order(rig: Rig) -> None:
    event = wallet.deposit(rig.engine, "BTC", "0.5")
    assert event == {"e": "balanceUpdate", "E": rig.now, "a": "BTC", "d": "0.50000000", "T": rig.now}
    locked = wallet.lock_externally(rig.engine, "USDT", "250")
    assert locked["e"] == "externalLockUpdate"
    demo = rig.accounts.get(DEMO_ACCOUNT)
    assert (demo.free["BTC"], demo.locked["USDT"], demo.external["USDT"]) == (D("1.5"), D(250), D(250))
    assert [e["e"] for _, e in rig.events] == [
        "balanceUpdate",
        "outboundAccountPosition",
        "externalLockUpdate",
        "outboundAccountPosition",
    ]
    with pytest.raises(ValueError, match="cannot release"):
        wallet.lock_externally(rig.engine, "USDT", "-251")
    with pytest.raises(ValueError, match="cannot withdraw"):
        wallet.deposit(rig.engine, "BTC", "-2")
    assert len(rig.events) == 4


def test_an_engine_without_listeners_still_trades() -> None:
    symbols = {s.symbol: s for s in default_symbols()}
    books = {name: Book(info, 5, random.Random(1)) for name, info in symbols.items()}
    engine = Engine(Accounts.demo(), symbols, books)
    result = engine.place(
        DEMO_ACCOUNT, {"symbol": "ETHUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.1"}
    )
    assert result["status"] == "FILLED"
    assert result["executedQty"] == "0.10000000"
