"""Property tests of the converter: exact decimals, unknown keys and unknown enum values survive.

Covers both structuring paths: the generic model hook and the one-pass hook of the
exchangeInfo models (``SymbolInfo``, ``SymbolFilter``), plus the row hooks (order book
levels, klines).
"""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from binance_ws import structure, unstructure
from binance_ws.enums import OrderType, ReferencePriceCalculationType, SymbolStatus
from binance_ws.models import (
    ExchangeInfo,
    Kline,
    OrderBook,
    ReferencePriceCalculation,
    SymbolFilter,
    SymbolInfo,
    Ticker24hr,
    Trade,
    WireModel,
)
from binance_ws.models.general import RateLimitRule

PROPS = settings(max_examples=100, deadline=None)


@attrs.frozen(kw_only=True)
class _Amount(WireModel):
    value: Decimal | None = None
    note: str | None = None


# Plain notation as Binance writes decimals: an optional minus, no leading zeros, any scale.
_int_part = st.one_of(st.just("0"), st.from_regex(r"[1-9][0-9]{0,20}", fullmatch=True))
_frac_part = st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,30}", fullmatch=True))
decimal_strings = st.builds(
    lambda sign, i, f: sign + i + f, st.sampled_from(["", "-"]), _int_part, _frac_part
)

# JSON values for unknown keys.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
# Keys no model uses: Binance's keys are camelCase ASCII, these start with "zz".
extra_keys = st.dictionaries(
    st.text(string.ascii_letters, min_size=1, max_size=8).map(lambda s: "zz" + s), json_values, max_size=4
)
enum_values = st.text(string.ascii_uppercase + "_", min_size=1, max_size=16)


@PROPS
@given(decimal_strings)
def test_decimal_strings_round_trip_exactly(text: str) -> None:
    model = structure({"value": text, "note": "x"}, _Amount)
    assert model.value == Decimal(text)
    assert unstructure(model) == {"value": text, "note": "x"}
    # A model built in Python writes the same digits.
    assert unstructure(_Amount(value=Decimal(text))) == {"value": text}


@PROPS
@given(decimal_strings, decimal_strings, decimal_strings)
def test_decimals_in_rows_and_fast_models_round_trip(price: str, qty: str, other: str) -> None:
    book = {"lastUpdateId": 1, "bids": [[price, qty]], "asks": [[other, price]]}
    assert unstructure(structure(book, OrderBook)) == book
    row = [1, price, qty, other, price, qty, 2, other, 3, price, qty, "0"]
    assert unstructure(structure([row], list[Kline])) == [row]
    flt = {"filterType": "PRICE_FILTER", "minPrice": price, "maxPrice": qty, "tickSize": other}
    parsed = structure(flt, SymbolFilter)
    assert parsed.tick_size == Decimal(other)
    assert unstructure(parsed) == flt


def _shuffled_merge(doc: dict[str, Any], extra: dict[str, Any], order: list[int]) -> dict[str, Any]:
    items = list(doc.items()) + list(extra.items())
    ranked = sorted(range(len(items)), key=lambda i: (order[i % len(order)] if order else 0, i))
    return {items[i][0]: items[i][1] for i in ranked}


_TRADE = {
    "id": 1,
    "price": "0.01361000",
    "qty": "0.01400000",
    "quoteQty": "0.00019054",
    "time": 1660009530807,
    "isBuyerMaker": True,
}
_TICKER = {
    "symbol": "BNBBTC",
    "priceChange": "0.00013900",
    "lastQty": "1.78800000",
    "count": 5,
    "openTime": 7,
}
_FILTER = {
    "filterType": "LOT_SIZE",
    "minQty": "0.00100000",
    "maxQty": "100.00000000",
    "stepSize": "0.00100000",
}
_SYMBOL = {
    "symbol": "BNBBTC",
    "status": "TRADING",
    "orderTypes": ["LIMIT", "MARKET"],
    "filters": [_FILTER],
    "permissionSets": [["SPOT", "MARGIN"]],
    "icebergAllowed": True,
}
_INFO = {"timezone": "UTC", "serverTime": 1, "rateLimits": [], "symbols": [_SYMBOL]}
_MODELS: list[tuple[type[Any], dict[str, Any]]] = [
    (Trade, _TRADE),
    (Ticker24hr, _TICKER),
    (SymbolFilter, _FILTER),
    (SymbolInfo, _SYMBOL),
    (ExchangeInfo, _INFO),
    (OrderBook, {"lastUpdateId": 3, "bids": [["1.0", "2.0"]], "asks": []}),
]


@PROPS
@given(st.sampled_from(_MODELS), extra_keys, st.lists(st.integers(0, 20), max_size=12))
def test_unknown_keys_are_kept_in_order(
    case: tuple[type[Any], dict[str, Any]], extra: dict[str, Any], order: list[int]
) -> None:
    cls, base = case
    doc = _shuffled_merge(base, extra, order)
    model = structure(doc, cls)
    assert dict(model.extra or {}) == extra
    out = unstructure(model)
    assert out == doc and list(out) == list(doc)


@PROPS
@given(extra_keys)
def test_unknown_keys_deep_inside_exchange_info(extra: dict[str, Any]) -> None:
    doc = {**_INFO, "symbols": [{**_SYMBOL, "filters": [{**_FILTER, **extra}], **extra}], **extra}
    info = structure(doc, ExchangeInfo)
    assert unstructure(info) == doc
    sym = info.symbol("BNBBTC")
    assert sym is not None and dict(sym.extra or {}) == extra
    assert sym.filters is not None and dict(sym.filters[0].extra or {}) == extra


@settings(max_examples=60, deadline=None)
@given(enum_values, enum_values, enum_values)
def test_unknown_enum_values_survive(status: str, order_type: str, calc: str) -> None:
    doc = {"symbol": "XYZ", "status": status, "orderTypes": ["LIMIT", order_type]}
    info = structure(doc, SymbolInfo)
    assert isinstance(info.status, SymbolStatus) and info.status.value == status
    assert info.order_types is not None and info.order_types[0] is OrderType.LIMIT
    assert isinstance(info.order_types[1], OrderType) and info.order_types[1].value == order_type
    assert unstructure(info) == doc
    calc_doc = {"symbol": "XYZ", "calculationType": calc, "bucketCount": 3}
    parsed = structure(calc_doc, ReferencePriceCalculation)
    assert isinstance(parsed.calculation_type, ReferencePriceCalculationType)
    assert parsed.calculation_type == calc
    assert unstructure(parsed) == calc_doc
    limit = {"rateLimitType": status, "interval": order_type, "intervalNum": 1, "limit": 10}
    assert unstructure(structure(limit, RateLimitRule)) == limit


@PROPS
@given(st.integers(-(2**63), 2**63 - 1) | decimal_strings)
def test_filter_limit_keeps_its_json_type(limit: int | str) -> None:
    doc = {"filterType": "ICEBERG_PARTS" if isinstance(limit, int) else "MAX_ASSET", "limit": limit}
    parsed = structure(doc, SymbolFilter)
    assert isinstance(parsed.limit, int if isinstance(limit, int) else Decimal)
    assert unstructure(parsed) == doc
