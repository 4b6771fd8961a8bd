"""The request pipeline called directly: frame in, frame out, no sockets.

A :class:`Venue` (the exchange without its server) and a :class:`Session` over a plain
sink that records what would go to the client; :func:`pipeline.handle` runs parse ->
request weight -> parameter checks -> security -> unfilled order count -> handler -> the
answer frame. The limits run on a frozen clock, so a window never rolls mid-test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

import pytest

from binance_ws._signing import canonical_payload
from binance_ws.exchange.model.accounts import DEMO_ACCOUNT
from binance_ws.exchange.model.clock import now_ms
from binance_ws.exchange.server import pipeline
from binance_ws.exchange.services.session import Session
from binance_ws.exchange.services.venue import Venue

FROZEN = 1_700_000_005_000  # 5 s into a 10-second window, 5 s into a minute


class Sink:
    """Stands in for the websockets connection: an address and the frames sent to it."""

    remote_address = ("127.0.0.1", 50000)

    def __init__(self) -> None:
        self.sent: list[str | bytes] = []

    def send(self, message: str | bytes) -> None:
        self.sent.append(message)


def _session() -> tuple[Session, Sink]:
    sink = Sink()
    return Session(sink), sink


def _call(
    venue: Venue, session: Session, method: str, params: dict[str, Any] | None = None, rid: Any = 1
) -> Any:
    frame: dict[str, Any] = {"id": rid, "method": method}
    if params is not None:
        frame["params"] = params
    return json.loads(pipeline.handle(venue, session, json.dumps(frame)))


def _signed(venue: Venue, params: dict[str, Any], timestamp: int | None = None) -> dict[str, Any]:
    out = {**params, "apiKey": venue.keys.hmac.api_key, "timestamp": timestamp or now_ms()}
    secret = venue.keys.hmac.api_secret.encode()
    out["signature"] = hmac.new(secret, canonical_payload(out).encode(), hashlib.sha256).hexdigest()
    return out


def _market_buy(qty: str = "0.001") -> dict[str, Any]:
    return {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": qty}


def test_a_ping_is_answered_with_the_weight_it_cost() -> None:
    venue = Venue(limits_clock=lambda: FROZEN)
    session, sink = _session()
    answer = _call(venue, session, "ping", rid="a")
    assert answer["id"] == "a"
    assert answer["status"] == 200
    assert answer["result"] == {}
    weight = answer["rateLimits"][0]
    assert (weight["rateLimitType"], weight["interval"], weight["count"]) == ("REQUEST_WEIGHT", "MINUTE", 1)
    assert type(weight["count"]) is int
    assert _call(venue, session, "ping")["rateLimits"][0]["count"] == 2
    assert sink.sent == []  # the pipeline returns the answer; sending it is the server's


@pytest.mark.parametrize(
    ("message", "status", "code", "rid"),
    [
        ("}{", 400, -1135, None),
        ("[1]", 400, -1135, None),
        ('{"id": 7}', 400, -1102, 7),
        ('{"method": "ping"}', 400, -1102, None),
        ('{"id": 8, "method": "nope"}', 400, -1100, 8),
        ('{"id": 9, "method": "depth", "params": {"symbol": "BTCUSDT", "bogus": 1}}', 400, -1104, 9),
        ('{"id": 10, "method": "depth", "params": {}}', 400, -1102, 10),
    ],
)
def test_malformed_requests_get_binance_errors(message: str, status: int, code: int, rid: Any) -> None:
    venue = Venue()
    session, _ = _session()
    answer = json.loads(pipeline.handle(venue, session, message))
    assert (answer["id"], answer["status"], answer["error"]["code"]) == (rid, status, code)
    assert type(answer["error"]["msg"]) is str


def test_parse_strips_the_v3_prefix_and_keeps_decimals_exact() -> None:
    request = pipeline.parse('{"id": 3, "method": "v3/order.test", "params": {"price": 0.10}}')
    assert isinstance(request, pipeline.Request)
    assert request.method == "order.test"
    assert str(request.params["price"]) == "0.10"
    binary = pipeline.parse(b'{"id": 4, "method": "ping", "params": {"q": 1.50}}')
    assert isinstance(binary, pipeline.Request)
    assert (binary.id, binary.method, str(binary.params["q"])) == (4, "ping", "1.50")
    assert type(binary.params["q"]) is Decimal


def test_a_signed_order_is_placed_for_the_keys_account_with_both_limits_reported() -> None:
    venue = Venue(limits_clock=lambda: FROZEN)
    session, _ = _session()
    before = venue.accounts.get(DEMO_ACCOUNT).free["BTC"]
    answer = _call(venue, session, "order.place", _signed(venue, _market_buy()))
    assert answer["status"] == 200, answer
    assert answer["result"]["status"] == "FILLED"
    assert venue.accounts.get(DEMO_ACCOUNT).free["BTC"] > before
    kinds = [(e["rateLimitType"], e["interval"], e["count"]) for e in answer["rateLimits"]]
    # Orders count 1 each; a placed order's weight is refunded to its weight_on_success (0).
    assert kinds == [("ORDERS", "SECOND", 1), ("ORDERS", "DAY", 1), ("REQUEST_WEIGHT", "MINUTE", 0)]
    assert session.request_key == venue.keys.hmac.api_key


def test_security_refuses_a_bad_signature_and_a_stale_timestamp() -> None:
    venue = Venue()
    session, _ = _session()
    bad = {**_signed(venue, _market_buy()), "signature": "0" * 64}
    assert _call(venue, session, "order.place", bad)["error"]["code"] == -1022
    stale = _signed(venue, _market_buy(), timestamp=now_ms() - 60_000)
    assert _call(venue, session, "order.place", stale)["error"]["code"] == -1021
    unsigned = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}
    assert _call(venue, session, "order.place", unsigned)["error"]["code"] == -1102
    assert venue.engine.orders == {}


def test_the_weight_limit_refuses_with_429_on_a_frozen_clock() -> None:
    venue = Venue(weight_limit=3, ban_after=None, limits_clock=lambda: FROZEN)
    session, _ = _session()
    counts = [_call(venue, session, "ping")["rateLimits"][0]["count"] for _ in range(3)]
    assert counts == [1, 2, 3]
    refused = _call(venue, session, "ping")
    assert (refused["status"], refused["error"]["code"]) == (429, -1003)
    assert refused["error"]["data"]["retryAfter"] == FROZEN - FROZEN % 60_000 + 60_000


def test_the_order_limit_refuses_the_second_order_of_a_window() -> None:
    venue = Venue(order_limit_10s=1, limits_clock=lambda: FROZEN)
    session, _ = _session()
    # A resting order stays unfilled (a filled one would give its count back).
    rest = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "price": "59990",
        "quantity": "0.001",
    }
    assert _call(venue, session, "order.place", _signed(venue, rest))["status"] == 200
    refused = _call(venue, session, "order.place", _signed(venue, rest))
    assert (refused["status"], refused["error"]["code"]) == (429, -1015)
    assert len(venue.engine.orders) == 1


def test_events_of_an_order_reach_the_subscribed_session() -> None:
    venue = Venue()
    session, sink = _session()
    subscribed = _call(venue, session, "userDataStream.subscribe.signature", _signed(venue, {}))
    assert subscribed["result"] == {"subscriptionId": 0}
    assert _call(venue, session, "order.place", _signed(venue, _market_buy()))["status"] == 200
    frames = [json.loads(f) for f in sink.sent]
    assert {f["subscriptionId"] for f in frames} == {0}
    assert [f["event"]["e"] for f in frames] == [
        "executionReport",
        "executionReport",
        "outboundAccountPosition",
    ]
    assert [f["event"].get("x") for f in frames[:2]] == ["NEW", "TRADE"]


def test_return_rate_limits_false_leaves_them_out() -> None:
    venue = Venue()
    session, _ = _session()
    assert "rateLimits" not in _call(venue, session, "time", {"returnRateLimits": False})
    session.return_rate_limits = False
    answer = _call(venue, session, "time")
    assert "rateLimits" not in answer
    assert type(answer["result"]["serverTime"]) is int
