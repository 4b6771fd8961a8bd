"""User Data Stream event models, and the local exchange's events checked against the reference."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import websocket
from exchange_helpers import signed

from binance_ws import Client, unstructure
from binance_ws.enums import ExecutionType, OrderStatus, Side
from binance_ws.exchange import LocalExchange
from binance_ws.models.events import (
    EVENT_TYPES,
    BalanceUpdate,
    EventStreamTerminated,
    ExecutionReport,
    ExternalLockUpdate,
    ListStatus,
    OutboundAccountPosition,
    UnknownEvent,
    decode_event,
)
from tools import reference

SPEC = reference.load("user-data-events.json")
BY_TYPE = {e["event_type"]: e for e in SPEC["events"]}
USER_EVENTS = [e for e in SPEC["events"] if e["event_type"] != "serverShutdown"]
MODELS = {
    "executionReport": ExecutionReport,
    "outboundAccountPosition": OutboundAccountPosition,
    "balanceUpdate": BalanceUpdate,
    "listStatus": ListStatus,
    "externalLockUpdate": ExternalLockUpdate,
    "eventStreamTerminated": EventStreamTerminated,
}


def _same(a: Any, b: Any, path: str = "$") -> None:
    """Equal, with the same JSON type at every node."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            _same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def test_every_documented_type_has_a_model() -> None:
    assert {e["event_type"] for e in USER_EVENTS} == set(EVENT_TYPES) == set(MODELS)
    assert EVENT_TYPES == MODELS


@pytest.mark.parametrize("spec", USER_EVENTS, ids=lambda e: e["event_type"])
def test_examples_round_trip_exactly(spec: dict[str, Any]) -> None:
    raw = copy.deepcopy(spec["example"]["event"])
    event = decode_event(raw)
    assert type(event) is MODELS[spec["event_type"]]
    assert event.extra is None
    _same(unstructure(event), spec["example"]["event"])
    assert raw == spec["example"]["event"]  # the input is not changed
    assert decode_event(raw) == event  # the compiled path and the first decode agree


def test_every_documented_key_has_a_readable_field() -> None:
    import attrs

    from binance_ws.models._base import wire_name

    for kind, model in MODELS.items():
        spec = BY_TYPE[kind]
        keys = {k for k in spec["fields"] if "[" not in k}
        keys |= {c["field"] for c in spec.get("conditional_fields", [])}
        names = {wire_name(f): f.name for f in attrs.fields(model) if f.init}
        assert keys <= set(names), f"{kind}: no field for {keys - set(names)}"
        for key in keys:
            assert len(names[key]) > 3 and names[key].islower(), (kind, key, names[key])


def test_execution_report_fields() -> None:
    event = decode_event(BY_TYPE["executionReport"]["example"]["event"])
    assert isinstance(event, ExecutionReport)
    assert event.client_order_id == "mUvoqJxFIILMdfAW5iGSOW" and event.order_id == 4293153
    assert event.order_status is OrderStatus.NEW and event.execution_type is ExecutionType.NEW
    assert event.side is Side.BUY
    assert type(event.price) is Decimal and str(event.price) == "0.10264410"
    assert type(event.cumulative_filled_qty) is Decimal
    assert event.commission_asset is None and event.trailing_delta is None and event.expiry_reason is None
    assert event.prevented_match_id == 3
    assert event.event_datetime == dt.datetime(2017, 7, 7, 5, 34, 18, 658000, tzinfo=dt.timezone.utc)
    assert event.transaction_datetime is not None and event.transaction_datetime.tzinfo is dt.timezone.utc


def test_conditional_fields_are_decoded() -> None:
    raw = dict(BY_TYPE["executionReport"]["example"]["event"])
    for cond in BY_TYPE["executionReport"]["conditional_fields"]:
        key, value = next(iter(json.loads("{" + cond["example"] + "}").items()))
        raw[key] = value
    event = decode_event(raw)
    assert isinstance(event, ExecutionReport)
    assert event.trailing_delta == 4 and event.trailing_time == 1668680518494
    assert event.prevented_qty == Decimal("3.000000") and event.counter_symbol == "BTCUSDT"
    assert event.prevented_execution_price == Decimal("0.10000001")
    assert str(event.peg_price_type) == "PRIMARY_PEG" and event.pegged_price == Decimal("1.00000000")
    assert str(event.expiry_reason) == "INSUFFICIENT_LIQUIDITY" and event.used_sor is True
    assert event.extra is None
    _same(unstructure(event), raw)


def test_unknown_keys_values_and_types_are_kept() -> None:
    raw = dict(BY_TYPE["executionReport"]["example"]["event"])
    raw["X"] = "SOMETHING_NEW"  # an order status from the future
    raw["q"] = 1.5  # a JSON number where a decimal string belongs
    raw["zz"] = {"new": [1, None]}
    event = decode_event(raw)
    assert isinstance(event, ExecutionReport)
    assert event.order_status is not None and event.order_status.value == "SOMETHING_NEW"
    assert event.quantity == Decimal("1.5") and event.extra == {"q": 1.5, "zz": {"new": [1, None]}}
    _same(unstructure(event), raw)

    unknown = {"e": "brandNewEvent", "E": 5, "k": [1, "2", None], "d": "1.0"}
    other = decode_event(unknown)
    assert type(other) is UnknownEvent and other.event_type == "brandNewEvent" and other.event_time == 5
    _same(other.raw, unknown)
    _same(unstructure(other), unknown)
    assert type(decode_event({"E": 1})) is UnknownEvent


def test_the_fast_path_agrees_with_the_converter_on_many_shapes() -> None:
    from binance_ws import structure

    base = BY_TYPE["executionReport"]["example"]["event"]
    keys = list(base)
    for drop in range(1, len(keys)):  # every key but the type
        raw = {k: v for i, (k, v) in enumerate(base.items()) if i != drop}
        fast = decode_event(raw)
        slow = structure(raw, ExecutionReport)
        assert fast == slow
        _same(unstructure(fast), raw)


# -- the local exchange's events, against the reference --------------------------------------


@pytest.fixture(scope="module")
def ex() -> Iterator[LocalExchange]:
    with LocalExchange(enforce_limits=False) as exchange:
        yield exchange


def _events(ex: LocalExchange, calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every event frame the demo account's subscription got while making ``calls``."""
    ws = websocket.create_connection(ex.url, timeout=5)
    frames: list[dict[str, Any]] = []
    try:
        ws.send(
            json.dumps({"id": 0, "method": "userDataStream.subscribe.signature", "params": signed(ex, {})})
        )
        calls = [*calls, ("userDataStream.unsubscribe", {})]
        for n, (method, params) in enumerate(calls, 1):
            body = signed(ex, params) if method != "userDataStream.unsubscribe" else params
            ws.send(json.dumps({"id": n, "method": method, "params": body}))
        answered = 0
        while answered < len(calls) + 1:
            frame = json.loads(ws.recv())
            if "id" in frame:
                assert frame["status"] == 200, frame
                answered += 1
            else:
                frames.append(frame)
    finally:
        ws.close()
    return frames


def _best(ex: LocalExchange) -> tuple[Decimal, Decimal]:
    with Client(ex.url, timeout=5) as client:
        depth = client.depth(symbol="BTCUSDT", limit=1)
    assert depth.bids and depth.asks
    return depth.bids[0][0], depth.asks[0][0]


def _json_type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _check_against_spec(event: dict[str, Any]) -> None:
    spec = BY_TYPE[event["e"]]
    example = spec["example"]["event"]
    allowed = {k for k in spec["fields"] if "[" not in k} | {
        c["field"] for c in spec.get("conditional_fields", [])
    }
    assert set(event) <= allowed, f"{event['e']}: undocumented keys {set(event) - allowed}"
    # Documented keys come in the example's order.
    in_example = [k for k in event if k in example]
    assert in_example == [k for k in example if k in event], event["e"]
    assert set(example) - {"v", "W"} <= set(event), f"{event['e']}: missing {set(example) - set(event)}"
    for key, value in event.items():
        if key in example and not (key == "N" and value is not None):
            assert _json_type(value) == _json_type(example[key]), (event["e"], key, value)
        for nested in ("B", "O"):
            if key == nested and isinstance(value, list):
                for row in value:
                    assert list(row) == list(example[nested][0])
                    assert all(type(v) is type(example[nested][0][k]) for k, v in row.items())
    assert _json_type(event["E"]) == "int"


def test_the_exchange_sends_documented_events_in_binance_order(ex: LocalExchange) -> None:
    bid, ask = _best(ex)
    frames = _events(
        ex,
        [
            ("order.place", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}),
            (
                "order.place",
                {
                    "symbol": "BTCUSDT",
                    "side": "BUY",
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "price": str(bid - 100),
                    "quantity": "0.001",
                    "newClientOrderId": "resting-1",
                },
            ),
            ("order.cancel", {"symbol": "BTCUSDT", "origClientOrderId": "resting-1"}),
            (
                "orderList.place.oco",
                {
                    "symbol": "BTCUSDT",
                    "side": "SELL",
                    "quantity": "0.001",
                    "aboveType": "LIMIT_MAKER",
                    "abovePrice": str(ask + 500),
                    "belowType": "STOP_LOSS",
                    "belowStopPrice": str(bid - 500),
                    "listClientOrderId": "oco-1",
                },
            ),
            ("orderList.cancel", {"symbol": "BTCUSDT", "listClientOrderId": "oco-1"}),
        ],
    )
    assert all(set(f) == {"subscriptionId", "event"} and f["subscriptionId"] == 0 for f in frames)
    events = [f["event"] for f in frames]
    for event in events:
        _check_against_spec(event)
        decoded = decode_event(event)
        assert type(decoded) is MODELS[event["e"]] and decoded.extra is None
        _same(unstructure(decoded), event)
    kinds = [(e["e"], e.get("x"), e.get("X")) for e in events]
    er, pos, ls = "executionReport", "outboundAccountPosition", "listStatus"
    assert kinds == [
        (er, "NEW", "NEW"),
        (er, "TRADE", "FILLED"),
        (pos, None, None),
        (er, "NEW", "NEW"),
        (pos, None, None),
        (er, "CANCELED", "CANCELED"),
        (pos, None, None),
        (er, "NEW", "NEW"),
        (er, "NEW", "NEW"),
        (ls, None, None),
        (pos, None, None),
        (er, "CANCELED", "CANCELED"),
        (er, "CANCELED", "CANCELED"),
        (ls, None, None),
        (pos, None, None),
        ("eventStreamTerminated", None, None),
    ]
    new_market, trade = events[0], events[1]
    assert new_market["w"] is True and isinstance(new_market["W"], int)
    assert trade["N"] == "BTC" and trade["t"] > 0 and trade["n"] != "0"
    resting_new = events[3]
    assert resting_new["w"] is True and resting_new["W"] == resting_new["T"]
    canceled = events[5]
    assert canceled["C"] == "resting-1" and canceled["c"] != "resting-1" and canceled["w"] is False
    oco_stop = next(e for e in events[7:9] if e["o"] == "STOP_LOSS")
    assert oco_stop["w"] is False and "W" not in oco_stop
    assert (events[9]["l"], events[9]["L"], events[9]["C"]) == ("EXEC_STARTED", "EXECUTING", "oco-1")
    assert (events[13]["l"], events[13]["L"]) == ("ALL_DONE", "ALL_DONE")
    assert [o["i"] for o in events[9]["O"]] == sorted(e["i"] for e in events[7:9])


def test_self_trade_prevention_reports_the_prevented_fields(ex: LocalExchange) -> None:
    bid, ask = _best(ex)
    price = str(((bid + ask) / 2).quantize(Decimal("0.01")))  # between the book's sides
    frames = _events(
        ex,
        [
            (
                "order.place",
                {
                    "symbol": "BTCUSDT",
                    "side": "BUY",
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "price": price,
                    "quantity": "0.001",
                },
            ),
            (
                "order.place",
                {
                    "symbol": "BTCUSDT",
                    "side": "SELL",
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "price": price,
                    "quantity": "0.001",
                    "selfTradePreventionMode": "EXPIRE_TAKER",
                },
            ),
        ],
    )
    events = [f["event"] for f in frames]
    prevented = [e for e in events if e.get("x") == "TRADE_PREVENTION"]
    assert len(prevented) == 1, [(e["e"], e.get("x"), e.get("X"), e.get("S"), e.get("p")) for e in events]
    event = prevented[0]
    _check_against_spec(event)
    assert event["X"] == "EXPIRED_IN_MATCH" and event["l"] == "0.00000000"
    assert {"v", "A", "B", "u", "U", "Cs", "pl", "pL", "pY"} <= set(event)
    assert event["Cs"] == "BTCUSDT" and event["pL"] == f"{Decimal(price):.8f}"
    report = decode_event(event)
    assert isinstance(report, ExecutionReport) and report.counter_order_id == event["U"]
    _same(unstructure(report), event)
    # Leave nothing resting for other tests.
    rest = [e for e in events if e.get("e") == "executionReport" and e["X"] == "NEW" and e["S"] == "BUY"]
    _events(ex, [("order.cancel", {"symbol": "BTCUSDT", "orderId": rest[0]["i"]})])


# -- deposits, withdrawals and external locks ------------------------------------------------


def test_deposits_and_external_locks_send_documented_events() -> None:
    from exchange_helpers import read_events, user_data

    with LocalExchange(book_levels=20) as wallet:
        with user_data(wallet) as (ws, sid):
            sent = [
                wallet.deposit("BTC", "0.25"),
                wallet.deposit("SOL", 3),  # an asset the account did not hold
                wallet.deposit("BTC", Decimal("-0.1")),  # a withdrawal
                wallet.lock_externally("USDT", "250.5"),
                wallet.lock_externally("USDT", "-50"),  # a release
            ]
            frames = read_events(ws, 2 * len(sent))
        assert len(frames) == 2 * len(sent)
        assert all(list(f) == ["subscriptionId", "event"] and f["subscriptionId"] == sid for f in frames)
        events = [f["event"] for f in frames]
        for event in events:
            _check_against_spec(event)
            decoded = decode_event(event)
            assert type(decoded) is MODELS[event["e"]] and decoded.extra is None
            _same(unstructure(decoded), event)
        kinds = [e["e"] for e in events]
        bu, el, pos = "balanceUpdate", "externalLockUpdate", "outboundAccountPosition"
        assert kinds == [bu, pos, bu, pos, bu, pos, el, pos, el, pos]
        for returned, event in zip(sent, events[::2], strict=True):
            _same(event, returned)
            assert list(event) == list(BY_TYPE[event["e"]]["example"]["event"])  # every key, in order
            assert type(event["T"]) is int and event["T"] <= event["E"]
        assert [(e["a"], e["d"]) for e in events[::2]] == [
            ("BTC", "0.25000000"),
            ("SOL", "3.00000000"),
            ("BTC", "-0.10000000"),
            ("USDT", "250.50000000"),
            ("USDT", "-50.00000000"),
        ]
        positions = events[1::2]
        assert [p["B"] for p in positions] == [
            [{"a": "BTC", "f": "1.25000000", "l": "0.00000000"}],
            [{"a": "SOL", "f": "3.00000000", "l": "0.00000000"}],
            [{"a": "BTC", "f": "1.15000000", "l": "0.00000000"}],
            [{"a": "USDT", "f": "99749.50000000", "l": "250.50000000"}],
            [{"a": "USDT", "f": "99799.50000000", "l": "200.50000000"}],
        ]
        for change, position in zip(events[::2], positions, strict=True):
            assert position["E"] == position["u"] == change["E"]
        update = decode_event(events[4])
        assert isinstance(update, BalanceUpdate)
        assert type(update.balance_delta) is Decimal and update.balance_delta == Decimal("-0.1")
        lock = decode_event(events[6])
        assert isinstance(lock, ExternalLockUpdate) and lock.delta == Decimal("250.5")
        assert lock.transaction_datetime is not None and lock.transaction_datetime.tzinfo is dt.timezone.utc

        key = wallet.keys.hmac
        with Client(wallet.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5) as client:
            status = client.account_status()
            rows = {b.asset: (b.free, b.locked) for b in status.balances or ()}
            assert rows["BTC"] == (Decimal("1.15"), Decimal(0))
            assert rows["SOL"] == (Decimal(3), Decimal(0))
            assert rows["USDT"] == (Decimal("99799.5"), Decimal("200.5"))
            assert status.update_time == positions[-1]["u"]


def test_wallet_changes_refuse_what_cannot_be_done() -> None:
    from exchange_helpers import read_events, user_data

    with LocalExchange(book_levels=20) as wallet:
        wallet.accounts.add("other", {"BTC": "2"})
        with user_data(wallet) as (ws, _):
            with pytest.raises(ValueError, match=r"amount: cannot withdraw 1\.5 BTC, only 1 is free"):
                wallet.deposit("BTC", "-1.5")
            with pytest.raises(ValueError, match="amount: cannot release 1 USDT, only 0 is locked"):
                wallet.lock_externally("USDT", "-1")
            with pytest.raises(ValueError, match="amount: cannot lock"):
                wallet.lock_externally("ETH", "11")
            with pytest.raises(ValueError, match="at most 8 decimals"):
                wallet.deposit("BTC", "0.000000001")
            with pytest.raises(ValueError, match="non-zero"):
                wallet.deposit("BTC", 0)
            with pytest.raises(TypeError, match="amount must be"):
                wallet.deposit("BTC", 1.5)  # type: ignore[arg-type]
            with pytest.raises(ValueError, match="asset must be"):
                wallet.deposit("btc", 1)
            with pytest.raises(ValueError, match=r"ex\.accounts\.add"):
                wallet.deposit("BTC", 1, account="nobody")
            # Another account's change is not the demo account's event.
            wallet.deposit("BTC", "0.5", account="other")
            assert wallet.accounts.get("other").free["BTC"] == Decimal("2.5")
            # Nothing was sent for any of these: the next event is the next change.
            wallet.deposit("BTC", "0.01")
            frames = read_events(ws, 1)
        assert [f["event"]["d"] for f in frames] == ["0.01000000"]
        assert wallet.accounts.get("demo").free["BTC"] == Decimal("1.01")


def test_every_documented_event_pickles_and_copies_whole() -> None:
    import pickle

    for spec in USER_EVENTS:
        payload = spec["example"]["event"]
        event = decode_event(copy.deepcopy(payload))
        for back in (pickle.loads(pickle.dumps(event)), copy.deepcopy(event)):
            assert type(back) is type(event)
            assert back == event
            _same(unstructure(back), payload)
