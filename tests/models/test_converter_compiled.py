"""The compiled structure functions (one per model and key order) give what the generic hook gives.

Each case structures the same key order several times, so the second and later objects go
through the function compiled for the first; the generic hook (``__init__`` with keyword
arguments) is the reference.
"""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal
from typing import Any

import attrs
import pytest

from binance_ws import _converter, structure, unstructure
from binance_ws.enums import OrderStatus, OrderType
from binance_ws.models import ExchangeInfo, Order, SymbolFilter, SymbolInfo

_ORDER = {
    "symbol": "BTCUSDT",
    "orderId": 12,
    "orderListId": -1,
    "clientOrderId": "abc",
    "price": "54262.89964823",
    "origQty": "0.51875797",
    "status": "FILLED",
    "type": "LIMIT",
    "time": 1660801715639,
    "isWorking": True,
}
_LOT = {"filterType": "LOT_SIZE", "minQty": "0.00100000", "maxQty": "100.0", "stepSize": "0.001"}


def _generic(doc: dict[str, Any], cls: type[Any]) -> Any:
    hook, _ = _converter._make_generic_structure_hook(_converter._CONVERTER, cls)
    return hook(doc, cls)


def _same(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    fields = attrs.fields(type(a))
    for f in fields:
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert x == y and type(x) is type(y), f.name
    assert a == b and repr(a) == repr(b)


@pytest.mark.parametrize(
    ("cls", "doc"),
    [
        (Order, _ORDER),
        (Order, {**_ORDER, "newKey": {"a": 1}, "other": [1]}),
        (Order, dict(reversed(list(_ORDER.items())))),
        (SymbolFilter, _LOT),
        (SymbolFilter, {"filterType": "ICEBERG_PARTS", "limit": 10}),
        (SymbolFilter, {"filterType": "MAX_ASSET", "limit": "1.50", "asset": "JPY", "x": None}),
        (
            SymbolInfo,
            {"symbol": "B", "status": "TRADING", "orderTypes": ["LIMIT", "NEW_ONE"], "filters": [_LOT]},
        ),
        (SymbolInfo, {"symbol": "B", "permissionSets": [["SPOT", "MARGIN"]], "filters": []}),
    ],
    ids=["order", "order-unknown-keys", "order-reversed", "lot", "iceberg", "max-asset", "symbol", "sets"],
)
def test_compiled_functions_build_what_the_generic_hook_builds(cls: type[Any], doc: dict[str, Any]) -> None:
    reference = _generic(doc, cls)
    for _ in range(3):  # the first compiles the key order, the others reuse it
        model = structure(doc, cls)
        _same(model, reference)
        out = unstructure(model)
        assert out == doc and list(out) == list(doc)
        assert dict(model.extra or {}) == dict(reference.extra or {})


def test_an_odd_value_after_the_shape_is_known_falls_back_losslessly() -> None:
    for _ in range(2):
        assert structure(_ORDER, Order).price == Decimal("54262.89964823")
    odd = {**_ORDER, "price": 5, "status": ["x"], "origQty": None}
    order = structure(odd, Order)
    assert order.price == Decimal(5) and order.status is None and order.orig_qty is None
    assert order.extra == {"price": 5, "status": ["x"]}
    assert unstructure(order) == odd
    assert type(unstructure(order)["price"]) is int


def test_unknown_enum_values_and_nulls_in_a_known_shape() -> None:
    docs = [{**_ORDER, "status": "SOMETHING_NEW", "type": None}, {**_ORDER, "status": "NEW"}]
    for _ in range(2):
        new, known = (structure(d, Order) for d in docs)
        assert isinstance(new.status, OrderStatus) and new.status.value == "SOMETHING_NEW"
        assert new.type is None and known.status is OrderStatus.NEW and known.type is OrderType.LIMIT
        assert [unstructure(new), unstructure(known)] == docs


def test_filters_read_none_for_the_fields_of_other_types() -> None:
    for _ in range(2):
        lot = structure(_LOT, SymbolFilter)
        assert type(lot) is SymbolFilter and lot.step_size == Decimal("0.001")
        assert lot.tick_size is None and lot.limit is None and lot.asset is None and lot.extra is None
    built = SymbolFilter(filter_type="LOT_SIZE", min_qty=Decimal("0.00100000"), max_qty=Decimal("100.0"))
    built = attrs.evolve(built, step_size=Decimal("0.001"))
    assert built == lot and hash(built) == hash(lot) and repr(built) == repr(lot)
    assert pickle.loads(pickle.dumps(lot)) == lot and copy.copy(lot) == lot
    back = pickle.loads(pickle.dumps(structure({**_LOT, "new": 1}, SymbolFilter)))
    assert back.extra == {"new": 1} and list(unstructure(back)) == [*_LOT, "new"]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        lot.tick_size = Decimal(1)  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        lot.extra = {}  # type: ignore[misc]


def test_many_key_orders_stay_correct_past_the_compiled_limit() -> None:
    keys = list(_LOT)
    docs = [{k: _LOT[k] for k in keys[i % 4 :] + keys[: i % 4]} | {f"k{i}": i} for i in range(80)]
    for doc in docs:
        parsed = structure(doc, SymbolFilter)
        assert parsed.min_qty == Decimal("0.00100000") and parsed.extra == {
            f"k{docs.index(doc)}": docs.index(doc)
        }
        assert unstructure(parsed) == doc and list(unstructure(parsed)) == list(doc)


def test_exchange_info_symbols_share_a_key_tuple_and_round_trip() -> None:
    symbol = {
        "symbol": "A",
        "status": "TRADING",
        "filters": [_LOT, {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200}],
    }
    doc = {"timezone": "UTC", "serverTime": 1, "symbols": [symbol, {**symbol, "symbol": "B"}]}
    info = structure(doc, ExchangeInfo)
    assert info.symbols is not None and [s.symbol for s in info.symbols] == ["A", "B"]
    assert info.symbols[1].filter("MAX_NUM_ORDERS") is not None
    assert info.symbols[1].filters is not None and info.symbols[1].filters[1].max_num_orders == 200
    assert unstructure(info) == doc
