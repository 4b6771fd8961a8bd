"""``unstructure`` gives plain JSON, of exactly the types the server sent, for everything.

Every public model (from a generated document and from every documented example), rate
limits, a ``Response``, an error's ``rate_limits`` and ``data``, and kline rows and book
levels of any length: ``unstructure(structure(doc, T))`` equals ``doc`` with the same JSON
type at every node (``type(a) is type(b)``; an enum or a tuple is not JSON).
"""

from __future__ import annotations

import json
import string
import types
import typing
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from methods_support import ScriptedServer, result_types
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection

import binance_ws.models
from binance_ws import (
    APIError,
    BadRequestError,
    Client,
    PartialSuccessError,
    RateLimit,
    Response,
    ResultList,
    structure,
    unstructure,
)
from binance_ws._errors import error_for_response
from binance_ws._ratelimits import parse_rate_limits
from binance_ws.enums import BinanceEnum, OrderStatus, RateLimitInterval, RateLimitType, Side
from binance_ws.models import Kline, OrderFull, PriceLevel, WireModel
from tools import reference

JSON_TYPES = (dict, list, str, int, float, bool, type(None))


def assert_same_json(got: Any, want: Any, path: str = "$") -> None:
    """``got == want`` with ``type(got) is type(want)`` at every node (key order aside)."""
    assert type(got) is type(want), f"{path}: {type(got).__name__} {got!r}, want {type(want).__name__}"
    assert type(got) in JSON_TYPES, f"{path}: {type(got).__name__} is not a JSON type"
    if isinstance(want, dict):
        assert set(got) == set(want), f"{path}: keys {sorted(set(got) ^ set(want))} differ"
        for key, value in want.items():
            assert type(key) is str, f"{path}: key {key!r} is a {type(key).__name__}"
            assert_same_json(got[key], value, f"{path}.{key}")
    elif isinstance(want, list):
        assert len(got) == len(want), f"{path}: {len(got)} elements, want {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same_json(g, w, f"{path}[{i}]")
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def assert_plain_json(value: Any, path: str = "$") -> None:
    """Every node is a JSON type (for values with no document to compare to)."""
    assert type(value) in JSON_TYPES, f"{path}: {type(value).__name__} is not a JSON type"
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str, f"{path}: key {key!r}"
            assert_plain_json(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            assert_plain_json(item, f"{path}[{i}]")


def test_the_helper_tells_an_enum_from_its_string() -> None:
    with pytest.raises(AssertionError, match="OrderStatus"):
        assert_same_json({"status": OrderStatus.NEW}, {"status": "NEW"})
    with pytest.raises(AssertionError, match="tuple"):
        assert_same_json((1,), [1])
    with pytest.raises(AssertionError, match="int"):
        assert_same_json([1], [1.0])


# -- every public model, from a document generated from its fields ----------------------------

# A raw JSON field (order book sides, exchangeInfo symbols, fills) holds whatever was sent.
_RAW_JSON = [{"zzRaw": ["1.00000000", 2, 2.5, True, None, {"zzDeep": []}]}]
_UNKNOWN = {"zzNewKey": {"zzList": [1, 2.5, "x", False, None]}, "zzFloat": 0.25}


def _model_classes() -> list[type[WireModel]]:
    out = []
    for name in binance_ws.models.__all__:
        obj = getattr(binance_ws.models, name)
        if isinstance(obj, type) and attrs.has(obj):
            assert issubclass(obj, WireModel), name
            out.append(obj)
    return out


MODELS = _model_classes()


def _sample(hint: Any, depth: int) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if set(args) == {int, Decimal}:
            return "25.50000000"  # a filter's limit: a decimal string here, an int elsewhere
        (hint,) = args
    if hint is bool:
        return True
    if hint is int:
        return 1700000000123
    if hint is str:
        return "BTCUSDT"
    if hint is Decimal:
        return "0.00100000"
    if hint is Any:
        return _RAW_JSON
    if isinstance(hint, type) and issubclass(hint, BinanceEnum):
        return next(iter(hint)).value
    if typing.get_origin(hint) in (list, ResultList):
        item = _sample(typing.get_args(hint)[0], depth)
        return [] if item is None else [item]
    if attrs.has(hint):
        return _document(hint, depth + 1) if depth < 3 else None
    raise AssertionError(f"no sample for {hint!r}")


def _document(cls: type[Any], depth: int = 0) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    doc = {
        binance_ws._converter.wire_name(f): _sample(hints[f.name], depth) for f in attrs.fields(cls) if f.init
    }
    return {**doc, **_UNKNOWN}


def test_every_model_class_is_covered() -> None:
    names = {cls.__name__ for cls in MODELS}
    assert {"OrderFull", "ExchangeInfo", "OrderBook", "SymbolFilter", "AccountInfo"} <= names
    assert len(MODELS) >= 40


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_every_model_unstructures_to_the_json_it_came_from(cls: type[WireModel]) -> None:
    doc = _document(cls)
    model = structure(doc, cls)
    assert dict(model.extra or {}) == _UNKNOWN  # every generated field parsed
    assert_same_json(unstructure(model), doc)
    assert_same_json(unstructure([model, model]), [doc, doc])
    # With a null and keys in another order.
    first, *rest = doc
    shuffled = {**{k: doc[k] for k in reversed(rest)}, first: None}
    out = unstructure(structure(shuffled, cls))
    assert_same_json(out, shuffled)
    assert list(out) == list(shuffled)


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_a_model_built_in_python_unstructures_to_plain_json(cls: type[WireModel]) -> None:
    doc = _document(cls)
    wire = structure(doc, cls)
    fields = [f for f in attrs.fields(cls) if f.init]
    # The parsed field values (enum members, Decimals, nested models), given to the class.
    built = cls(**{f.alias or f.name: getattr(wire, f.name) for f in fields})
    want = {k: v for k, v in doc.items() if k not in _UNKNOWN}
    assert_same_json(unstructure(built), want)


def test_enum_fields_come_back_as_plain_strings() -> None:
    order = OrderFull(status=OrderStatus.FILLED, side=Side("SOMETHING_NEW"), symbol=Side.BUY)
    out = unstructure(order)
    assert out == {"symbol": "BUY", "side": "SOMETHING_NEW", "status": "FILLED"}
    assert all(type(v) is str for v in out.values()), {k: type(v) for k, v in out.items()}
    assert type(unstructure(OrderStatus.NEW)) is str
    assert unstructure([Side.SELL, (OrderStatus("ANOTHER_NEW"),)]) == ["SELL", ["ANOTHER_NEW"]]
    assert_same_json(unstructure({"s": (Side.BUY, Decimal("1.10"))}), {"s": ["BUY", "1.10"]})


def test_an_enum_sent_as_a_number_comes_back_a_number() -> None:
    doc = {"status": 5, "side": "SOMETHING_NEW", "type": True}
    order = structure(doc, OrderFull)
    assert order.status is None and order.type is None and order.extra == {"status": 5, "type": True}
    assert isinstance(order.side, Side) and order.side.value == "SOMETHING_NEW"
    assert_same_json(unstructure(order), doc)


def test_a_json_number_where_a_decimal_belongs_comes_back_a_number() -> None:
    doc = {"symbol": "BTCUSDT", "price": 0.1, "origQty": 5, "executedQty": "0.50"}
    order = structure(doc, OrderFull)
    assert order.price == Decimal("0.1") and order.orig_qty == Decimal(5)
    assert order.extra == {"price": 0.1, "origQty": 5}
    assert_same_json(unstructure(order), doc)


# -- every documented example --------------------------------------------------------------------


def _variants() -> list[Any]:
    out: list[Any] = []
    for m in reference.methods():
        variants = m.get("example_responses") or [{"label": "example", "response": m["example_response"]}]
        out.extend(
            pytest.param(m["method"], v["response"], id=f"{m['method']}:{v['label']}") for v in variants
        )
    return out


def _round_trip_type(wire: str, result: Any) -> Any:
    """The method's result type that gives the example back (as in test_spec_examples)."""
    for t in result_types(wire):
        if (typing.get_origin(t) in (list, ResultList)) != isinstance(result, list):
            continue
        try:
            if unstructure(structure(result, t)) == result:
                return t
        except Exception:
            continue
    pytest.fail(f"no result type of {wire} round-trips its example")


@pytest.mark.parametrize(("wire", "response"), _variants())
def test_every_documented_example_keeps_its_json_types(wire: str, response: dict[str, Any]) -> None:
    limits = response.get("rateLimits")
    if limits is not None:
        assert_same_json(unstructure(parse_rate_limits(limits)), limits)
    if response["status"] != 200:
        exc = error_for_response(
            response["status"],
            response["error"],
            method=wire,
            request_id=response["id"],
            rate_limits=parse_rate_limits(limits),
        )
        assert_same_json(unstructure(exc.rate_limits), limits or [])
        assert_same_json(unstructure(exc.data), response["error"].get("data"))
        return
    result = response["result"]
    t = _round_trip_type(wire, result)
    assert_same_json(unstructure(structure(result, t)), result)
    resp = Response(id=response["id"], status=200, result=result, raw_rate_limits=limits, method=wire)
    assert_same_json(unstructure(resp), response)


# -- rate limits, Response, error data -----------------------------------------------------------

_LIMIT = {
    "rateLimitType": "REQUEST_WEIGHT",
    "interval": "MINUTE",
    "intervalNum": 1,
    "limit": 6000,
    "count": 12,
}


def test_rate_limits_unstructure_to_their_wire_records() -> None:
    built = RateLimit(
        type=RateLimitType.REQUEST_WEIGHT,
        interval=RateLimitInterval.MINUTE,
        interval_num=1,
        limit=6000,
        count=12,
    )
    assert_same_json(unstructure(built), _LIMIT)
    assert structure(_LIMIT, RateLimit) == built
    config = {k: v for k, v in _LIMIT.items() if k != "count"}  # exchangeInfo has no count
    assert_same_json(unstructure(structure(config, RateLimit)), config)
    odd = {"rateLimitType": "NEW_KIND", "interval": "FORTNIGHT", "intervalNum": 2, "limit": 9}
    assert_same_json(unstructure(parse_rate_limits([_LIMIT, odd])), [_LIMIT, odd])
    assert unstructure(()) == []


def test_response_unstructures_to_its_frame() -> None:
    frame = {"id": 7, "status": 200, "result": {"serverTime": 1, "zz": [0.5]}, "rateLimits": [_LIMIT]}
    resp = Response(id=7, status=200, result=frame["result"], raw_rate_limits=[_LIMIT], method="time")
    assert resp.rate_limits[0].count == 12  # parsed, and still given back as sent
    assert_same_json(unstructure(resp), frame)
    bare = Response(id="a", status=200, result=None, raw_rate_limits=None)
    assert_same_json(unstructure(bare), {"id": "a", "status": 200, "result": None})


def test_error_data_holding_models_unstructures_to_json() -> None:
    order = structure({"symbol": "BTCUSDT", "status": "CANCELED", "price": "1.50"}, OrderFull)
    exc = APIError(
        409,
        -2021,
        "Order cancel-replace partially failed.",
        data={
            "cancelResult": "SUCCESS",
            "cancelResponse": order,
            "limits": (
                RateLimit(
                    type=RateLimitType.ORDERS, interval=RateLimitInterval.SECOND, interval_num=10, limit=50
                ),
            ),
        },
    )
    assert_same_json(
        unstructure(exc.data),
        {
            "cancelResult": "SUCCESS",
            "cancelResponse": {"symbol": "BTCUSDT", "status": "CANCELED", "price": "1.50"},
            "limits": [{"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50}],
        },
    )


# -- through a real client -----------------------------------------------------------------------


class FrameServer(ScriptedServer):
    """Answers every request with ``frame`` verbatim, but for the request's id."""

    def __init__(self) -> None:
        self.frame: dict[str, Any] = {}
        super().__init__()

    def _handle(self, conn: ServerConnection) -> None:
        try:
            for message in conn:
                request = json.loads(message)
                self.requests.append((request["method"], request.get("params", {})))
                conn.send(json.dumps({**self.frame, "id": request["id"]}))
        except ConnectionClosed:
            pass


@pytest.fixture(scope="module")
def frames() -> Iterator[FrameServer]:
    server = FrameServer()
    yield server
    server.close()


@pytest.fixture
def frame_client(frames: FrameServer) -> Iterator[Client]:
    with Client(frames.url, timeout=5) as c:
        yield c


_ROW = [
    1499040000000,
    "0.01634790",
    "0.80000000",
    "0.01575800",
    "0.01577100",
    "148976.11427815",
    1499644799999,
    "2434.19055334",
    308,
    "1756.87402397",
    "28.46694368",
    "0",
]


@pytest.mark.parametrize("method", ["klines", "ui_klines"])
def test_kline_rows_of_any_length_through_the_client(
    scripted: ScriptedServer, scripted_client: Client, method: str
) -> None:
    rows = [[1499040000000], list(_ROW), [*_ROW, "42.5", 7]]
    scripted.answer = rows
    got = getattr(scripted_client, method)(symbol="BNBBTC", interval="1d")
    assert [type(k) for k in got] == [Kline, Kline, Kline]
    short, regular, longer = got
    assert short.open_time == 1499040000000 and short.open is None and short.unused is None
    assert short.raw == (1499040000000,) and short.extra == ()
    assert regular.close == Decimal("0.01577100") and regular.raw is None and regular.extra == ()
    assert longer.number_of_trades == 308 and longer.extra == ("42.5", 7) and longer.raw is None
    assert regular.open_datetime.year == 2017
    with pytest.raises(ValueError, match="close_time"):
        _ = short.close_datetime
    assert_same_json(unstructure(got), rows)
    assert_same_json(unstructure(short), [1499040000000])


def test_odd_kline_values_never_fail_the_call(scripted: ScriptedServer, scripted_client: Client) -> None:
    rows = [
        [*_ROW[:1], None, *_ROW[2:]],  # a null decimal
        [*_ROW[:4], 0.5, *_ROW[5:]],  # a JSON number where a decimal string belongs
        [*_ROW[:5], "n/a", *_ROW[6:], {"zz": 1}],  # not a decimal, and a 13th element
        [],
    ]
    scripted.answer = rows
    got = scripted_client.klines(symbol="BNBBTC", interval="1d")
    assert got[0].open is None and got[0].raw is None  # the fields rebuild a null exactly
    assert got[1].close == Decimal("0.5") and got[1].raw == tuple(rows[1])
    assert got[2].volume is None and got[2].extra == ({"zz": 1},)
    assert got[3] == Kline._make([None] * 12 + [(), ()])
    assert_same_json(unstructure(got), rows)


def test_book_levels_of_any_length_through_the_client(
    scripted: ScriptedServer, scripted_client: Client
) -> None:
    answer = {"lastUpdateId": 3, "bids": [["1.10", "2.00"], ["1.00"]], "asks": [["1.20", "3.0", "x"], []]}
    scripted.answer = answer
    book = scripted_client.depth(symbol="BNBBTC")
    assert book.bids == [PriceLevel(Decimal("1.10"), Decimal("2.00")), PriceLevel(Decimal("1.00"), None)]
    assert book.asks == [PriceLevel(Decimal("1.20"), Decimal("3.0")), PriceLevel(None, None)]
    assert book.best_ask == PriceLevel(Decimal("1.20"), Decimal("3.0"))
    assert_same_json(unstructure(book), answer)  # the sides as sent, every element kept
    assert_same_json(unstructure(book.bids), [["1.10", "2.00"], ["1.00", None]])


def test_request_response_unstructures_to_the_frame(frames: FrameServer, frame_client: Client) -> None:
    frames.frame = {"status": 200, "result": [[*_ROW, 1.5]], "rateLimits": [_LIMIT]}
    resp = frame_client.request("klines", {"symbol": "BNBBTC", "interval": "1d"})
    assert isinstance(resp, Response)
    assert_same_json(unstructure(resp), {**frames.frame, "id": resp.id})
    assert_same_json(unstructure(resp.rate_limits), [_LIMIT])
    assert_same_json(unstructure(frame_client.last_rate_limits), [_LIMIT])


def _cancel_replace_errors() -> list[Any]:
    (record,) = [m for m in reference.methods() if m["method"] == "order.cancelReplace"]
    return [
        pytest.param(v["response"], id=v["label"])
        for v in record["example_responses"]
        if v["response"]["status"] != 200
    ]


@pytest.mark.parametrize("response", _cancel_replace_errors())
def test_error_rate_limits_and_data_through_the_client(
    frames: FrameServer, frame_client: Client, response: dict[str, Any]
) -> None:
    frames.frame = {k: v for k, v in response.items() if k != "id"}
    with pytest.raises(APIError) as raised:
        frame_client.request("order.cancelReplace", {"symbol": "BTCUSDT"})
    exc = raised.value
    assert exc.status == response["status"]
    if exc.status == 409:
        assert isinstance(exc, PartialSuccessError)
    assert_same_json(unstructure(exc.rate_limits), response["rateLimits"])
    assert_same_json(unstructure(exc.data), response["error"].get("data"))


def test_error_from_the_local_exchange_is_plain_json(client: Client) -> None:
    with pytest.raises(BadRequestError) as raised:
        client.depth(symbol="NOSUCHSYMBOL")
    exc = raised.value
    limits = unstructure(exc.rate_limits)
    assert limits and limits == unstructure(client.last_rate_limits)
    assert_plain_json(limits)
    assert {"rateLimitType", "interval", "intervalNum", "limit", "count"} <= set(limits[0])
    assert_plain_json(unstructure(exc.data))


# -- properties ----------------------------------------------------------------------------------

PROPS = settings(max_examples=100, deadline=None)

# JSON values whose strings are never decimal notation ("z..." parses as no Decimal, unlike
# "1e5" or "Infinity"), nor an enum value the SDK knows; keys are never a model's.
_texts = st.text(string.ascii_letters + "_ ", max_size=8).map(lambda s: "z" + s)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _texts,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(_texts.map(lambda s: "z" + s), inner, max_size=3)
    ),
    max_leaves=6,
)
_decimal_strings = st.decimals(allow_nan=False, allow_infinity=False, places=8).map(lambda d: format(d, "f"))
_row_elements = st.one_of(_json, _decimal_strings)


@PROPS
@given(st.lists(st.lists(_row_elements, max_size=15), max_size=4))
def test_any_kline_rows_round_trip_exactly(rows: list[list[Any]]) -> None:
    assert_same_json(unstructure(structure(rows, list[Kline])), rows)


_SLOTS = [(cls, key) for cls in MODELS for key in _document(cls) if key not in _UNKNOWN]


@PROPS
@given(st.sampled_from(_SLOTS), _json)
def test_any_value_in_any_field_round_trips_exactly(slot: tuple[type[Any], str], value: Any) -> None:
    cls, key = slot
    doc = {**_document(cls), key: value}
    assert_same_json(unstructure(structure(doc, cls)), doc)
