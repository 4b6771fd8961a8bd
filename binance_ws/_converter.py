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
  strings, built with one list comprehension so a 5000-level book stays fast.
- ``Kline`` / ``list[Kline]`` <-> the 12-element kline arrays (ints for times and the trade
  count, decimal strings otherwise); elements past the twelfth go to ``Kline.extra``.
- Fields typed ``list[Any]`` keep the JSON as sent: big results (order book sides,
  exchangeInfo symbols) hold their raw lists and convert on first access (see
  ``models._base.lazy``), so a call returns as fast as the JSON decodes.
- Models are structured by a one-pass hook: a loop over the keys sent, str/int/bool values
  kept as sent, Decimal, enums and lists of them converted inline, nested types through
  their hook.
- A value that cannot be converted (e.g. ``"price": "n/a"``) never fails the result: the
  field stays ``None``, the raw value is kept in ``extra`` (and unstructured back) and a
  warning is logged once per model and key.
- ``int | Decimal | None`` (a key whose type depends on the object, e.g. a filter's
  ``limit``: an int for ICEBERG_PARTS, a decimal string for MAX_ASSET): JSON ints stay
  ``int``, strings become ``Decimal``.
"""

from __future__ import annotations

import functools
import logging
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._enumbase import BinanceEnum
from ._naming import to_camel

if typing.TYPE_CHECKING:
    from .models.market import Kline, PriceLevel

logger = logging.getLogger(__name__)

__all__ = ["make_converter", "structure", "unstructure", "wire_name"]

T = TypeVar("T")


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The JSON key of a model field."""
    explicit = field.metadata.get("wire")
    return explicit if isinstance(explicit, str) else to_camel(field.name.lstrip("_"))


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # A number sent as JSON float: go through its shortest repr, never binary noise.
        return Decimal(repr(value))
    return Decimal(value)


def _unstructure_decimal(value: Decimal) -> str:
    return format(value, "f")


def _dec(value: Any) -> Decimal:
    # The fast path of the row hooks: Binance sends decimals as strings.
    return Decimal(value) if type(value) is str else _structure_decimal(value, Decimal)


def _structure_levels(level: type[PriceLevel], data: Any) -> list[PriceLevel]:
    return [level(_dec(price), _dec(qty)) for price, qty in data]


def _unstructure_level(level: PriceLevel) -> list[str]:
    return [format(level[0], "f"), format(level[1], "f")]


def _structure_kline(kline: type[Kline], row: Any) -> Kline:
    return kline(
        row[0],
        _dec(row[1]),
        _dec(row[2]),
        _dec(row[3]),
        _dec(row[4]),
        _dec(row[5]),
        row[6],
        _dec(row[7]),
        row[8],
        _dec(row[9]),
        _dec(row[10]),
        row[11],
        tuple(row[12:]),
    )


def _structure_klines(kline: type[Kline], data: Any) -> list[Kline]:
    return [_structure_kline(kline, row) for row in data]


def _unstructure_kline(k: Kline) -> list[Any]:
    f = _unstructure_decimal
    row = [
        k.open_time,
        f(k.open),
        f(k.high),
        f(k.low),
        f(k.close),
        f(k.volume),
        k.close_time,
        f(k.quote_asset_volume),
        k.number_of_trades,
        f(k.taker_buy_base_asset_volume),
        f(k.taker_buy_quote_asset_volume),
        k.unused,
    ]
    if k.extra:
        row.extend(k.extra)
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
    if isinstance(inner, type) and issubclass(inner, BinanceEnum):
        return functools.partial(_enum_of, inner, inner._value2member_map_)
    if typing.get_origin(inner) is list:
        item = typing.get_args(inner)[0]
        simple_item = item is Decimal or (isinstance(item, type) and issubclass(item, BinanceEnum))
        if item in _PASSTHROUGH or item is Any or simple_item or attrs.has(item):
            item_fn = _fast_field_fn(conv, item)
            if item_fn is None:
                return _as_list
            return lambda value: [item_fn(v) for v in _as_list(value)]
        # Other lists (order book levels, kline rows) have a hook for the whole list.
    return functools.partial(_call_hook, conv.get_structure_hook(inner), inner)


def _make_fast_structure_hook(conv: cattrs.Converter, cls: type) -> Callable[[Any, type], Any]:
    # One loop over the keys the server sent instead of one lookup per declared field, and
    # no per-value dispatch: exchangeInfo alone holds thousands of these objects.
    hints = typing.get_type_hints(cls)
    table = {
        wire_name(f): (f.alias or f.name, _fast_field_fn(conv, hints[f.name])) for f in _model_fields(cls)
    }
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

    return hook


_warned: set[tuple[str, str]] = set()


def _warn_unparsed(model: str, key: str, value: Any) -> None:
    if (model, key) not in _warned:
        _warned.add((model, key))
        logger.warning(
            "%s.%s: could not parse a %s value; kept unparsed in .extra", model, key, type(value).__name__
        )


def _make_unstructure_hook(conv: cattrs.Converter, cls: type) -> Callable[[Any], Any]:
    fields = _model_fields(cls)
    by_wire = {wire_name(f): f.name for f in fields}
    overrides = {f.name: override(rename=wire_name(f), omit_if_default=True) for f in fields}
    plain: Callable[[Any], Any] = make_dict_unstructure_fn(cls, conv, **overrides)  # type: ignore[arg-type]
    keeps_raw = "_wire_keys" in attrs.fields_dict(cls)

    def hook(obj: Any) -> dict[str, Any]:
        keys = obj._wire_keys if keeps_raw else None
        if keys is None:
            out: dict[str, Any] = plain(obj)
            if keeps_raw and obj.extra:
                out.update(obj.extra)
            return out
        extra = obj.extra or {}
        out = {}
        for key in keys:
            name = by_wire.get(key)
            if name is None or key in extra:
                out[key] = extra[key]
            else:
                value = getattr(obj, name)
                out[key] = None if value is None else conv.unstructure(value)
        return out

    return hook


def make_converter() -> cattrs.Converter:
    """A new converter configured with every rule in this module's docstring."""
    conv = cattrs.Converter()
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Decimal, _unstructure_decimal)
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, BinanceEnum), lambda v, t: t(v)
    )
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, BinanceEnum), lambda v: v.value
    )
    # Imported here: model modules may import this one (structure/unstructure) at load time.
    from .models.market import Kline, PriceLevel

    level_list, kline_list, int_or_decimal = list[PriceLevel], list[Kline], int | Decimal | None
    conv.register_structure_hook_func(
        lambda t: t == level_list, lambda v, _: _structure_levels(PriceLevel, v)
    )
    conv.register_unstructure_hook(PriceLevel, _unstructure_level)
    conv.register_structure_hook(Kline, lambda v, _: _structure_kline(Kline, v))
    conv.register_structure_hook_func(lambda t: t == kline_list, lambda v, _: _structure_klines(Kline, v))
    conv.register_unstructure_hook(Kline, _unstructure_kline)
    conv.register_structure_hook_func(lambda t: t == int_or_decimal, _structure_int_or_decimal)
    conv.register_structure_hook_factory(attrs.has, functools.partial(_factory, conv, "s"))
    conv.register_unstructure_hook_factory(attrs.has, functools.partial(_factory, conv, "u"))
    return conv


def _factory(conv: cattrs.Converter, direction: str, cls: type) -> Any:
    if direction == "u":
        return _make_unstructure_hook(conv, cls)
    if "_wire_keys" in attrs.fields_dict(cls):
        return _make_fast_structure_hook(conv, cls)
    return _make_plain_structure_hook(conv, cls)


def structure(data: Any, cls: type[T]) -> T:
    """Build a result model from wire JSON (what the typed client methods do)."""
    return _CONVERTER.structure(data, cls)


def unstructure(obj: Any) -> Any:
    """The exact wire JSON of a result model (camelCase keys, decimal strings, extra fields).

    Example::

        >>> from binance_ws import structure, unstructure
        >>> from binance_ws.models import ServerTime
        >>> t = structure({"serverTime": 1700000000000, "newField": 1}, ServerTime)
        >>> t.server_time, t.extra
        (1700000000000, {'newField': 1})
        >>> unstructure(t)
        {'serverTime': 1700000000000, 'newField': 1}
    """
    return _CONVERTER.unstructure(obj)


# The package's converter: built once, configured only here, never mutated afterwards. Built
# after structure/unstructure exist, since building it imports the model modules.
_CONVERTER = make_converter()
