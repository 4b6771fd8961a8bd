"""The one cattrs converter that owns the wire mapping of every result model.

Rules (``make_converter`` builds a fresh converter; nothing global is mutated):

- attrs fields are snake_case; their wire keys are ``to_camel(name)`` unless a field declares
  ``metadata={"wire": "E"}`` (user-data events use one-letter keys).
- Every model field is optional: a key the server leaves out becomes ``None``, never an error.
- Keys the model does not know are kept in ``model.extra`` and written back by ``unstructure``,
  in the order they came, so ``unstructure(structure(doc)) == doc`` for any document.
- ``Decimal`` <-> the exact decimal string (trailing zeros kept, never exponent notation).
- Binance enums accept unknown values (see :class:`binance_ws.enums.BinanceEnum`).
- ``list[PriceLevel]`` (order book sides) <-> ``[[price, quantity], ...]`` of decimal
  strings, built with one list comprehension so a 5000-level book stays fast; a level of
  another shape is converted leniently (missing elements ``None``).
- ``Kline`` / ``list[Kline]`` <-> the 12-element kline arrays (ints for times and the trade
  count, decimal strings otherwise); elements past the twelfth go to ``Kline.extra``. A row
  of another shape never fails: missing elements are ``None`` and a row the fields cannot
  rebuild is kept whole in ``Kline.raw``. Both row hooks try the fast comprehension first
  and redo the list leniently only when it fails, so regular rows pay no per-row checks.
- Fields typed ``list[Any]`` keep the JSON as sent: big results (order book sides,
  exchangeInfo symbols) hold their raw lists and convert on first access (see
  ``models._base.lazy``), so a call returns as fast as the JSON decodes.
- Models are structured by a one-pass hook: a loop over the keys sent, str/int/bool values
  kept as sent, Decimal, enums and lists of them converted inline, nested types through
  their hook.
- A value that cannot be converted (e.g. ``"price": "n/a"``) never fails the result: the
  field stays ``None``, the raw value is kept in ``extra`` (and unstructured back) and a
  warning is logged once per model and key. A JSON number where a decimal string belongs
  becomes the Decimal and is kept as sent in ``extra`` too, so it unstructures as a number.
- ``unstructure`` gives JSON types only: enums as their ``str`` value, tuples as lists,
  ``RateLimit`` as its wire record, ``Response`` as its frame (see :func:`unstructure`).
- ``int | Decimal | None`` (a key whose type depends on the object, e.g. a filter's
  ``limit``: an int for ICEBERG_PARTS, a decimal string for MAX_ASSET): JSON ints stay
  ``int``, strings become ``Decimal``.
"""

from __future__ import annotations

import functools
import logging
import types
import typing
from collections.abc import Callable, Sequence
from decimal import Decimal
from itertools import chain, repeat
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._compiled import compiled_hook
from ._display import ResultList
from ._enumbase import BinanceEnum
from ._ratelimits import RateLimit, parse_rate_limit
from ._response import Response
from .models._base import CONVERTER_SEAM, wire_name
from .models.market import Kline, PriceLevel

logger = logging.getLogger(__name__)

__all__ = ["make_converter", "structure", "unstructure", "wire_name"]

T = TypeVar("T")


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # A number sent as JSON float: go through its shortest repr, never binary noise.
        return Decimal(repr(value))
    return Decimal(value)


def _unstructure_decimal(value: Decimal) -> str:
    return format(value, "f")


class _KeepRaw(Exception):
    """A JSON number where a decimal string belongs: converted, and kept as sent too.

    Raised (only off the hot path) so the model hook stores the Decimal in the field and the
    number in ``extra``, which unstructure prefers: the round trip keeps the JSON type.
    """

    def __init__(self, value: Decimal) -> None:
        super().__init__(value)
        self.value = value


_STR_ONLY = frozenset((str,))
_PAIRS_ONLY = frozenset((2,))
_tuple_new = tuple.__new__


def _dec(value: Any) -> Decimal:
    # The fast path of the models and rows: Binance sends decimals as strings.
    if type(value) is str:
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    raise _KeepRaw(_structure_decimal(value, Decimal))


def _int_or_dec(value: Any) -> int | Decimal:
    # A field whose JSON type depends on the object: ints stay ints, strings are decimals.
    if type(value) is int:
        return value
    return _dec(value)


def _dec_list(value: Any) -> list[Decimal]:
    try:
        return [_dec(v) for v in _as_list(value)]
    except _KeepRaw:
        # Not one field value to keep beside the raw one: the list stays raw, in extra.
        raise TypeError("a JSON number among decimal strings") from None


def _opt_dec_str(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _structure_levels(level: type[PriceLevel], data: Any) -> list[PriceLevel]:
    # Every step in C (a 5000-level side is 10 000 Decimals): flatten, check that the rows
    # are pairs of strings, convert, pair up; NamedTuple's own __new__ is Python code.
    try:
        flat = list(chain.from_iterable(data))
        if set(map(len, data)) <= _PAIRS_ONLY and set(map(type, flat)) <= _STR_ONLY:
            numbers = list(map(Decimal, flat))
            pairs = zip(numbers[::2], numbers[1::2], strict=True)
            return list(map(_tuple_new, repeat(level, len(data)), pairs))
    except Exception:
        pass
    try:
        return [level(_dec(price), _dec(qty)) for price, qty in data]
    except Exception:
        # One odd level (not two decimal strings) must not fail the book: convert leniently.
        return [_lenient_level(level, row) for row in _as_list(data)]


def _lenient_level(level: type[PriceLevel], row: Any) -> PriceLevel:
    # A level with more than two elements keeps its price and quantity; the book's raw
    # sides (what unstructure gives back) keep every element as sent.
    elements = _as_row(row, "an order book level")
    price, qty = (_lenient_dec("PriceLevel", i, elements) for i in (0, 1))
    return level(price, qty)


def _unstructure_level(level: PriceLevel) -> list[str | None]:
    return [_opt_dec_str(level[0]), _opt_dec_str(level[1])]


def _as_row(row: Any, what: str) -> list[Any] | tuple[Any, ...]:
    if not isinstance(row, (list, tuple)):
        raise TypeError(f"{what} must be a JSON array, got {type(row).__name__}")
    return row


def _lenient_dec(model: str, index: int, row: Sequence[Any]) -> Decimal | None:
    value = row[index] if index < len(row) else None
    if value is None:
        return None
    try:
        return _structure_decimal(value, Decimal)
    except Exception:
        _warn_unparsed(model, f"[{index}]", value)
        return None


# Positions of the decimal strings in a kline row; the others (times, trade count, the
# unused last element) are kept as sent.
_KLINE_DECIMALS = frozenset({1, 2, 3, 4, 5, 7, 9, 10})
_KLINE_SIZE = 12


def _fast_klines(kline: type[Kline], rows: Any) -> list[Kline]:
    # Raises on any row that is not twelve-plus elements with decimal strings in place (a
    # number, a null: ``_dec`` raises for both); tuple.__new__ skips NamedTuple's Python
    # __new__, and the inline ``str`` checks skip a call per Decimal.
    D, S, d, new = Decimal, str, _dec, _tuple_new
    return [
        new(
            kline,
            (
                r[0],
                D(v1) if (v1 := r[1]).__class__ is S else d(v1),
                D(v2) if (v2 := r[2]).__class__ is S else d(v2),
                D(v3) if (v3 := r[3]).__class__ is S else d(v3),
                D(v4) if (v4 := r[4]).__class__ is S else d(v4),
                D(v5) if (v5 := r[5]).__class__ is S else d(v5),
                r[6],
                D(v7) if (v7 := r[7]).__class__ is S else d(v7),
                r[8],
                D(v9) if (v9 := r[9]).__class__ is S else d(v9),
                D(v10) if (v10 := r[10]).__class__ is S else d(v10),
                r[11],
                tuple(r[12:]),
                None,
            ),
        )
        for r in rows
    ]


def _lenient_kline(kline: type[Kline], row: Any) -> Kline:
    """A row that is not twelve elements with decimal strings in place: never an error.

    Missing elements are ``None``, elements past the twelfth go to ``extra``; when the row
    cannot be rebuilt from the fields (shorter than twelve, or an element that is not a
    decimal string where one belongs), it is also kept whole in ``raw`` for unstructure.
    """
    elements = _as_row(row, "a kline row")
    odd = len(elements) < _KLINE_SIZE
    values: list[Any] = []
    for i in range(_KLINE_SIZE):
        value = elements[i] if i < len(elements) else None
        if i in _KLINE_DECIMALS and value is not None:
            odd = odd or type(value) is not str
            value = _lenient_dec("Kline", i, elements)
            odd = odd or value is None
        values.append(value)
    return kline._make([*values, tuple(elements[_KLINE_SIZE:]), tuple(elements) if odd else None])


def _structure_klines(kline: type[Kline], data: Any) -> list[Kline]:
    try:
        return _fast_klines(kline, data)
    except Exception:
        # Rare (a short row, a null or a number where a decimal string belongs): redo the
        # whole list leniently, so the fast path carries no per-row checks.
        return [_lenient_kline(kline, row) for row in _as_list(data)]


def _structure_one_kline(kline: type[Kline], row: Any) -> Kline:
    try:
        return _fast_klines(kline, (row,))[0]
    except Exception:
        return _lenient_kline(kline, row)


def _unstructure_kline(conv: cattrs.Converter, k: Kline) -> list[Any]:
    if k.raw is not None:
        return [conv.unstructure(v) for v in k.raw]
    f = _opt_dec_str
    u = conv.unstructure
    row = [
        u(k.open_time),
        f(k.open),
        f(k.high),
        f(k.low),
        f(k.close),
        f(k.volume),
        u(k.close_time),
        f(k.quote_asset_volume),
        u(k.number_of_trades),
        f(k.taker_buy_base_asset_volume),
        f(k.taker_buy_quote_asset_volume),
        u(k.unused),
    ]
    row.extend(u(v) for v in k.extra)
    return row


def _structure_int_or_decimal(value: Any, _: type) -> int | Decimal | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return _structure_decimal(value, Decimal)


def _model_fields(cls: type) -> list[attrs.Attribute[Any]]:
    return [f for f in attrs.fields(cls) if f.init]


def _make_plain_structure_hook(conv: cattrs.Converter, cls: type) -> Callable[[Any, type], Any]:
    # attrs classes that are not WireModels (no raw-key bookkeeping): cattrs with renames.
    overrides = {f.name: override(rename=wire_name(f)) for f in _model_fields(cls)}
    hook: Callable[[Any, type], Any] = make_dict_structure_fn(cls, conv, **overrides)  # type: ignore[arg-type]
    return hook


_PASSTHROUGH = (str, int, bool)


def _as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a JSON array, got {type(value).__name__}")
    return list(value)


def _array(value: Any) -> list[Any]:
    # A list to read from (the comprehension makes the new one): no copy.
    if type(value) is not list:
        return _as_list(value)
    return value


def _enum_of(cls: type[BinanceEnum], members: dict[Any, Any], value: Any) -> Any:
    member = members.get(value)
    return cls(value) if member is None else member


def _call_hook(hook: Callable[[Any, Any], Any], tp: Any, value: Any) -> Any:
    return hook(value, tp)


def _fast_field_fn(conv: cattrs.Converter, hint: Any) -> Callable[[Any], Any] | None:
    """How the one-pass hook converts a non-null value of a field typed ``hint`` (None: keep)."""
    inner = hint
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = args[0] if len(args) == 1 else hint
    if inner in _PASSTHROUGH or inner is Any:
        return None
    if inner is Decimal:
        return _dec
    if hint == int | Decimal | None:
        return _int_or_dec
    if isinstance(inner, type) and issubclass(inner, BinanceEnum):
        return functools.partial(_enum_of, inner, inner._value2member_map_)
    if typing.get_origin(inner) is list:
        item = typing.get_args(inner)[0]
        simple_item = isinstance(item, type) and issubclass(item, BinanceEnum)
        if item is Decimal:
            return _dec_list
        nested = typing.get_origin(item) is list  # e.g. permissionSets: list[list[Permission]]
        if item in _PASSTHROUGH or item is Any or simple_item or nested or attrs.has(item):
            item_fn = _fast_field_fn(conv, item)
            if item_fn is None:
                return _as_list
            if simple_item:
                get = item._value2member_map_.get
                return lambda value: [get(v) or item_fn(v) for v in _array(value)]
            if attrs.has(item):
                # Thousands of filters in exchangeInfo: the hook called straight, no partial.
                hook = conv.get_structure_hook(item)
                return lambda value: [hook(v, item) for v in _array(value)]
            return lambda value: [item_fn(v) for v in _array(value)]
        # Other lists (order book levels, kline rows) have a hook for the whole list.
    return functools.partial(_call_hook, conv.get_structure_hook(inner), inner)


def _make_fast_structure_hook(conv: cattrs.Converter, cls: type) -> Callable[[Any, type], Any]:
    # A function compiled per key order (see ``_compiled``), the one-pass loop otherwise.
    generic, fns = _make_generic_structure_hook(conv, cls)
    # The compiled functions set attributes, not __init__ arguments: names, not aliases.
    by_name = {wire_name(f): (f.name, fns[f.name]) for f in _model_fields(cls)}
    return compiled_hook(cls, by_name, generic, _dec, _enum_of)


def _make_generic_structure_hook(
    conv: cattrs.Converter, cls: type
) -> tuple[Callable[[Any, type], Any], dict[str, Callable[[Any], Any] | None]]:
    """The one-pass hook of a WireModel, and each field's converter (by attribute name)."""
    # One loop over the keys the server sent instead of one lookup per declared field, and
    # no per-value dispatch: exchangeInfo alone holds thousands of these objects.
    hints = typing.get_type_hints(cls)
    fns = {f.name: _fast_field_fn(conv, hints[f.name]) for f in _model_fields(cls)}
    table = {wire_name(f): (f.alias or f.name, fns[f.name]) for f in _model_fields(cls)}
    name = cls.__name__

    def hook(data: Any, _: type) -> Any:
        kwargs: dict[str, Any] = {}
        extra: dict[str, Any] | None = None
        for key, value in data.items():
            entry = table.get(key)
            if entry is not None:
                alias, fn = entry
                if fn is None or value is None:
                    kwargs[alias] = value
                    continue
                try:
                    kwargs[alias] = fn(value)
                    continue
                except _KeepRaw as kept:
                    kwargs[alias] = kept.value
                except Exception:
                    # Never fail a result over one odd value (the order may have executed):
                    # the field stays None and the raw value is kept, so nothing is lost.
                    _warn_unparsed(name, key, value)
            if extra is None:
                extra = {}
            extra[key] = value
        obj = cls(**kwargs)
        object.__setattr__(obj, "_wire_keys", tuple(data))
        if extra:
            object.__setattr__(obj, "extra", extra)
        return obj

    return hook, fns


_warned: set[tuple[str, str]] = set()


def _warn_unparsed(model: str, key: str, value: Any) -> None:
    if (model, key) not in _warned:
        _warned.add((model, key))
        logger.warning(
            "%s.%s: could not parse a %s value; kept unparsed in .extra", model, key, type(value).__name__
        )


def _make_unstructure_hook(conv: cattrs.Converter, cls: type) -> Callable[[Any], Any]:
    fields = _model_fields(cls)
    if "_wire_keys" not in attrs.fields_dict(cls):
        # attrs classes that are not WireModels: cattrs with renames.
        overrides = {f.name: override(rename=wire_name(f), omit_if_default=True) for f in fields}
        plain: Callable[[Any], Any] = make_dict_unstructure_fn(cls, conv, **overrides)  # type: ignore[arg-type]
        return plain
    by_wire = {wire_name(f): f.name for f in fields}
    unstructure = conv.unstructure

    def hook(obj: Any) -> dict[str, Any]:
        keys = obj._wire_keys
        extra = obj.extra or {}
        out: dict[str, Any] = {}
        if keys is None:
            # Built in Python: every set field, by its runtime type (an enum given to a
            # ``str`` field, a tuple to a list field still come out as JSON).
            for key, field in by_wire.items():
                value = getattr(obj, field)
                if value is not None:
                    out[key] = unstructure(value)
            out.update(extra)
            return out
        for key in keys:
            name = by_wire.get(key)
            if name is None or key in extra:
                out[key] = extra[key]
            else:
                value = getattr(obj, name)
                out[key] = None if value is None else unstructure(value)
        return out

    return hook


def _unstructure_enum(member: BinanceEnum) -> Any:
    # A plain str (or the int the server sent), never the enum: json.dumps of a str
    # subclass works, but a caller comparing types or feeding orjson/msgpack must see JSON.
    value = member._value_
    return value if type(value) is str or type(value) is int else str.__str__(member)


def _unstructure_sequence(conv: cattrs.Converter, seq: Any) -> list[Any]:
    return [conv.unstructure(v) for v in seq]


def _unstructure_rate_limit(limit: RateLimit) -> dict[str, Any]:
    return limit.to_wire()


def _unstructure_response(conv: cattrs.Converter, resp: Response) -> dict[str, Any]:
    out: dict[str, Any] = {"id": conv.unstructure(resp.id), "status": resp.status}
    out["result"] = conv.unstructure(resp.result)
    if resp._raw_rate_limits is not None:
        out["rateLimits"] = conv.unstructure(resp._raw_rate_limits)
    return out


def make_converter() -> cattrs.Converter:
    """A new converter configured with every rule in this module's docstring."""
    conv = cattrs.Converter()
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Decimal, _unstructure_decimal)
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, BinanceEnum), lambda v, t: t(v)
    )
    # By class, not by predicate: cattrs dispatches on classes first, and a BinanceEnum is
    # also a str, whose hook (identity) would win over any predicate.
    conv.register_unstructure_hook(BinanceEnum, _unstructure_enum)
    # Tuples (a tuple of RateLimit, Kline.extra) are JSON arrays.
    conv.register_unstructure_hook(tuple, functools.partial(_unstructure_sequence, conv))
    conv.register_unstructure_hook(ResultList, functools.partial(_unstructure_sequence, conv))
    conv.register_structure_hook(RateLimit, lambda v, _: parse_rate_limit(v))
    conv.register_unstructure_hook(RateLimit, _unstructure_rate_limit)
    conv.register_unstructure_hook(Response, functools.partial(_unstructure_response, conv))
    level_list, kline_list, int_or_decimal = list[PriceLevel], list[Kline], int | Decimal | None
    conv.register_structure_hook_func(
        lambda t: t == level_list, lambda v, _: _structure_levels(PriceLevel, v)
    )
    conv.register_unstructure_hook(PriceLevel, _unstructure_level)
    conv.register_structure_hook(Kline, lambda v, _: _structure_one_kline(Kline, v))
    conv.register_structure_hook_func(lambda t: t == kline_list, lambda v, _: _structure_klines(Kline, v))
    conv.register_unstructure_hook(Kline, functools.partial(_unstructure_kline, conv))
    conv.register_structure_hook_func(lambda t: t == int_or_decimal, _structure_int_or_decimal)
    conv.register_structure_hook_factory(attrs.has, functools.partial(_factory, conv, "s"))
    conv.register_unstructure_hook_factory(attrs.has, functools.partial(_factory, conv, "u"))
    # ``ResultList[X]`` (what the typed methods declare) builds as ``list[X]`` does.
    conv.register_structure_hook_factory(_is_result_list, functools.partial(_result_list_hook, conv))
    return conv


def _is_result_list(tp: Any) -> bool:
    origin: Any = typing.get_origin(tp)
    return origin is ResultList


def _result_list_hook(conv: cattrs.Converter, tp: Any) -> Callable[[Any, type], Any]:
    as_list = conv.get_structure_hook(list[typing.get_args(tp) or Any])  # type: ignore[misc]
    return lambda data, _: ResultList(as_list(data, list))


def _factory(conv: cattrs.Converter, direction: str, cls: type) -> Any:
    if direction == "u":
        return _make_unstructure_hook(conv, cls)
    if "_wire_keys" in attrs.fields_dict(cls):
        return _make_fast_structure_hook(conv, cls)
    return _make_plain_structure_hook(conv, cls)


@typing.overload
def structure(data: Any, cls: type[list[T]]) -> ResultList[T]: ...
@typing.overload
def structure(data: Any, cls: type[T]) -> T: ...
def structure(data: Any, cls: Any) -> Any:
    """Build a result model from wire JSON (what the typed client methods do).

    A ``list[...]`` result is a :class:`~binance_ws.ResultList` (a ``list`` subclass that
    reads well in a notebook and converts to records and DataFrames); lists nested in a
    model stay plain lists.
    """
    out = _CONVERTER.structure(data, cls)
    # One wrap per result (a pointer copy), none per item: the rows are built as before.
    return ResultList(out) if type(out) is list else out


def unstructure(obj: Any) -> Any:
    """The exact wire JSON of a result model (camelCase keys, decimal strings, extra fields).

    Works on any model, list of models, :class:`~binance_ws.RateLimit` (or a tuple of them,
    e.g. ``APIError.rate_limits``), :class:`~binance_ws.Response` (its frame: ``id``,
    ``status``, ``result`` and ``rateLimits`` as sent) and plain JSON holding any of these
    (e.g. ``APIError.data``). The result holds JSON types only (``dict``, ``list``, ``str``,
    ``int``, ``float``, ``bool``, ``None``), so it can go straight to any JSON encoder:
    decimals are the exact strings the server sent, enums their plain ``str`` value (also
    values the SDK did not know), tuples lists. For a model built from the wire,
    ``unstructure(structure(doc, T)) == doc``, with the same JSON type at every node.

    Example::

        >>> from binance_ws import structure, unstructure
        >>> from binance_ws.models import OrderFull, ServerTime
        >>> t = structure({"serverTime": 1700000000000, "newField": 1}, ServerTime)
        >>> t.server_time, t.extra
        (1700000000000, {'newField': 1})
        >>> unstructure(t)
        {'serverTime': 1700000000000, 'newField': 1}
        >>> order = structure({"status": "NEW", "price": "1.50", "side": "SOMETHING_NEW"}, OrderFull)
        >>> order.status
        <OrderStatus.NEW: 'NEW'>
        >>> doc = unstructure(order)
        >>> doc, type(doc["status"]), type(doc["side"])
        ({'status': 'NEW', 'price': '1.50', 'side': 'SOMETHING_NEW'}, <class 'str'>, <class 'str'>)
    """
    return _CONVERTER.unstructure(obj)


# The package's converter: built once, configured only here, never mutated afterwards.
_CONVERTER = make_converter()
# How the models reach the converter (they sit below it): lazy conversion, raw documents.
CONVERTER_SEAM.update(
    structure=structure, unstructure=unstructure, structure_hook=_CONVERTER.get_structure_hook
)
