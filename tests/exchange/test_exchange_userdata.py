"""User Data Stream of the local exchange: subscriptions, event framing, order, termination."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from wire_support import Wire

from binance_ws._signing import HmacSigner, Signer, signer_for_private_key
from binance_ws.exchange import LocalExchange
from binance_ws.exchange.model.accounts import DEMO_ACCOUNT
from binance_ws.exchange.services.scripted import ScriptedMarket

OTHER_KEY = "Ot" * 32
OTHER_SECRET = "s3" * 32


def publish(ex: LocalExchange, account_id: str, event: dict[str, Any]) -> None:
    """Deliver an event as the engine does (through the exchange's user-data hub)."""
    ex.user_data.publish(account_id, event)


@pytest.fixture(scope="module")
def ex() -> Iterator[LocalExchange]:
    with LocalExchange(book_levels=20) as exchange:
        exchange.keys.add_hmac(OTHER_KEY, OTHER_SECRET, "other")
        yield exchange


@pytest.fixture
def wire(ex: LocalExchange) -> Iterator[Wire]:
    w = Wire(ex.url)
    yield w
    w.close()


def _hmac(ex: LocalExchange) -> Signer:
    return HmacSigner(ex.keys.hmac.api_key, ex.keys.hmac.api_secret)


def test_subscribe_needs_a_logged_on_session(wire: Wire) -> None:
    answer = wire.call("userDataStream.subscribe")
    assert answer["status"] == 400 and answer["error"]["code"] == -1002


def test_subscribe_frames_and_orders_events(ex: LocalExchange, wire: Wire) -> None:
    wire.logon(ex)
    answer = wire.call("userDataStream.subscribe")
    assert answer["status"] == 200 and answer["result"] == {"subscriptionId": 0}
    assert answer["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"
    again = wire.call("userDataStream.subscribe")
    assert again["status"] == 400
    assert again["error"] == {"code": -2035, "msg": "User Data Stream subscription already active."}
    assert wire.call("session.subscriptions")["result"] == [{"subscriptionId": 0}]
    assert wire.call("session.status")["result"]["userDataStream"] is True

    events = [
        {"e": "balanceUpdate", "E": 1000 + i, "a": "BTC", "d": f"{i}.00000000", "T": 999} for i in range(50)
    ]
    for event in events:
        publish(ex, DEMO_ACCOUNT, event)
    received = [wire.next_event() for _ in events]
    assert received == [{"subscriptionId": 0, "event": e} for e in events]
    publish(ex, "other", {"e": "balanceUpdate", "E": 1, "a": "X", "d": "1", "T": 1})  # not ours
    assert wire.call("ping")["status"] == 200
    assert wire.events == []


def test_signature_subscriptions_for_several_accounts(ex: LocalExchange, wire: Wire) -> None:
    first = wire.call("userDataStream.subscribe.signature", signer=_hmac(ex))
    second = wire.call("userDataStream.subscribe.signature", signer=HmacSigner(OTHER_KEY, OTHER_SECRET))
    assert first["result"] == {"subscriptionId": 0} and second["result"] == {"subscriptionId": 1}
    assert wire.call("session.subscriptions")["result"] == [{"subscriptionId": 0}, {"subscriptionId": 1}]
    publish(ex, "other", {"e": "outboundAccountPosition", "E": 5, "u": 5, "B": []})
    assert wire.next_event() == {
        "subscriptionId": 1,
        "event": {"e": "outboundAccountPosition", "E": 5, "u": 5, "B": []},
    }
    bad = wire.call("userDataStream.subscribe.signature", {"signature": "0" * 64, "apiKey": OTHER_KEY})
    assert bad["status"] == 400


def test_every_connection_of_the_account_gets_the_event(ex: LocalExchange, wire: Wire) -> None:
    other = Wire(ex.url)
    try:
        wire.logon(ex)
        assert wire.call("userDataStream.subscribe")["result"] == {"subscriptionId": 0}
        assert other.call("userDataStream.subscribe.signature", signer=_hmac(ex))["status"] == 200
        publish(ex, DEMO_ACCOUNT, {"e": "balanceUpdate", "E": 7, "a": "USDT", "d": "-1.00000000", "T": 7})
        assert wire.next_event()["event"]["E"] == 7
        assert other.next_event() == {
            "subscriptionId": 0,
            "event": {"e": "balanceUpdate", "E": 7, "a": "USDT", "d": "-1.00000000", "T": 7},
        }
    finally:
        other.close()


def test_unsubscribe_one_and_all(ex: LocalExchange, wire: Wire) -> None:
    wire.call("userDataStream.subscribe.signature", signer=_hmac(ex))
    wire.call("userDataStream.subscribe.signature", signer=HmacSigner(OTHER_KEY, OTHER_SECRET))
    answer = wire.call("userDataStream.unsubscribe", {"subscriptionId": 1})
    assert answer["status"] == 200 and answer["result"] == {}
    terminated = wire.events.pop(0)
    assert terminated["subscriptionId"] == 1 and terminated["event"]["e"] == "eventStreamTerminated"
    assert isinstance(terminated["event"]["E"], int)
    assert wire.call("session.subscriptions")["result"] == [{"subscriptionId": 0}]
    missing = wire.call("userDataStream.unsubscribe", {"subscriptionId": 1})
    assert missing["error"] == {"code": -2036, "msg": "User Data Stream subscription not active."}
    assert wire.call("userDataStream.unsubscribe")["result"] == {}
    assert [(e["subscriptionId"], e["event"]["e"]) for e in wire.events] == [(0, "eventStreamTerminated")]
    wire.events.clear()
    assert wire.call("session.subscriptions")["result"] == []
    publish(ex, DEMO_ACCOUNT, {"e": "balanceUpdate", "E": 1, "a": "X", "d": "1", "T": 1})
    assert wire.call("ping")["status"] == 200
    assert wire.events == []


def test_ids_count_up_over_the_connection_life(ex: LocalExchange, wire: Wire) -> None:
    for expected in range(3):
        assert wire.call("userDataStream.subscribe.signature", signer=_hmac(ex))["result"] == {
            "subscriptionId": expected
        }
        wire.call("userDataStream.unsubscribe", {"subscriptionId": expected})


def test_subscription_limits(ex: LocalExchange, wire: Wire) -> None:
    hub = ex.user_data
    hub.max_active, hub.max_lifetime = 1, 2
    try:
        assert wire.call("userDataStream.subscribe.signature", signer=_hmac(ex))["status"] == 200
        busy = wire.call("userDataStream.subscribe.signature", signer=HmacSigner(OTHER_KEY, OTHER_SECRET))
        assert busy["status"] == 400 and busy["error"]["code"] == -1191
        wire.call("userDataStream.unsubscribe")
        assert wire.call("userDataStream.subscribe.signature", signer=_hmac(ex))["status"] == 200
        wire.call("userDataStream.unsubscribe")
        spent = wire.call("userDataStream.subscribe.signature", signer=_hmac(ex))
        assert spent["error"] == {
            "code": -2042,
            "msg": "Maximum subscription ID reached for this connection.",
        }
    finally:
        hub.max_active, hub.max_lifetime = 1000, 65535


def test_logout_ends_only_the_logon_subscription(ex: LocalExchange, wire: Wire) -> None:
    wire.logon(ex)
    assert wire.call("userDataStream.subscribe")["result"] == {"subscriptionId": 0}
    assert wire.call("userDataStream.subscribe.signature", signer=HmacSigner(OTHER_KEY, OTHER_SECRET))[
        "result"
    ] == {"subscriptionId": 1}
    assert wire.call("session.logout")["status"] == 200
    assert [(e["subscriptionId"], e["event"]["e"]) for e in wire.events] == [(0, "eventStreamTerminated")]
    assert wire.call("session.subscriptions")["result"] == [{"subscriptionId": 1}]


def test_closed_connection_leaves_no_subscription(ex: LocalExchange) -> None:
    w = Wire(ex.url)
    w.call("userDataStream.subscribe.signature", signer=_hmac(ex))
    w.close()
    deadline = time.monotonic() + 3
    while ex.user_data.targets(DEMO_ACCOUNT) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ex.user_data.targets(DEMO_ACCOUNT) == []


def test_scripted_market_trades_and_fills_a_resting_demo_order() -> None:
    with LocalExchange(book_levels=20) as exchange:
        wire = Wire(exchange.url)
        market = ScriptedMarket(exchange.engine, interval=0.01, seed=3, symbols=["BTCUSDT"])
        try:
            wire.logon(exchange)
            assert wire.call("userDataStream.subscribe")["result"] == {"subscriptionId": 0}
            best_bid = Decimal(wire.call("depth", {"symbol": "BTCUSDT", "limit": 1})["result"]["bids"][0][0])
            order = {
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "price": str(best_bid + Decimal("0.01")),  # the new best bid: the first to be hit
                "quantity": "0.00010",
            }
            key = exchange.keys.ed25519
            placed = wire.call("order.place", order, signer_for_private_key(key.api_key, key.private_key_pem))
            assert placed["status"] == 200 and placed["result"]["status"] == "NEW", placed
            first_trade = exchange.books["BTCUSDT"].trades[-1].id
            market.start()
            deadline = time.monotonic() + 10
            fills: list[dict[str, Any]] = []
            while not fills and time.monotonic() < deadline:
                wire.ws.settimeout(max(deadline - time.monotonic(), 0.01))
                frame = wire.next_event()
                event = frame["event"]
                if event["e"] == "executionReport" and event["x"] == "TRADE":
                    fills.append(event)
            assert fills, f"no fill within 10 s; scripted actions: {dict(market.actions)}"
            assert fills[0]["i"] == placed["result"]["orderId"] and fills[0]["m"] is True
            # Balances follow right after the fill, as Binance sends them.
            assert wire.next_event()["event"]["e"] == "outboundAccountPosition"
        finally:
            market.stop()
            wire.close()
        assert market.actions["market"] > 0 and market.actions["limit"] > 0
        assert exchange.books["BTCUSDT"].trades[-1].id > first_trade
        assert not any(t.name == "binance-ws-exchange-market" for t in threading.enumerate())


def test_scripted_market_option_runs_until_close() -> None:
    with LocalExchange(book_levels=20, scripted_market=True) as exchange:
        deadline = time.monotonic() + 5
        while exchange.accounts.get("scripted-market").update_time == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert exchange.accounts.get("scripted-market").update_time > 0  # it has traded
    assert not any(t.name == "binance-ws-exchange-market" for t in threading.enumerate())
