"""The one cattrs converter that owns the wire mapping of every result model.

Rules (``make_converter`` builds a fresh converter; nothing global is mutated):

- attrs fields are snake_case; their wire keys are ``to_camel(name)`` unless a field declares
  ``metadata={"wire": "E"}`` (user-data events use one-letter keys).
- Every model field is optional: a key the server leaves out becomes ``None``, never an error.
- Keys the model does not know are kept in ``model.extra`` and written back by ``unstructure``,
  in the order they came, so ``unstructure(structure(doc)) == doc`` for any document.
- ``Decimal`` <-> the exact decimal string (trailing zeros kept, never exponent notation).
- Binance enums accept unknown values (see :class:`binance_ws.enums.BinanceEnum`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._enumbase import BinanceEnum
from ._naming import to_camel

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


def _model_fields(cls: type) -> list[attrs.Attribute[Any]]:
    return [f for f in attrs.fields(cls) if f.init]


def _make_structure_hook(conv: cattrs.Converter, cls: type) -> Callable[[Any, type], Any]:
    fields = _model_fields(cls)
    overrides = {f.name: override(rename=wire_name(f)) for f in fields}
    base: Callable[[Any, type], Any] = make_dict_structure_fn(cls, conv, **overrides)  # type: ignore[arg-type]
    known = frozenset(wire_name(f) for f in fields)
    keeps_raw = "_wire_keys" in attrs.fields_dict(cls)

    def hook(data: Any, _: type) -> Any:
        obj = base(data, cls)
        if keeps_raw:
            keys = tuple(data)
            object.__setattr__(obj, "_wire_keys", keys)
            if len(keys) > len(known) or not known.issuperset(keys):
                extra = {k: data[k] for k in keys if k not in known}
                if extra:
                    object.__setattr__(obj, "extra", extra)
        return obj

    return hook


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
            if name is None:
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
    conv.register_structure_hook_factory(attrs.has, functools.partial(_factory, conv, "s"))
    conv.register_unstructure_hook_factory(attrs.has, functools.partial(_factory, conv, "u"))
    return conv


def _factory(conv: cattrs.Converter, direction: str, cls: type) -> Any:
    if direction == "s":
        return _make_structure_hook(conv, cls)
    return _make_unstructure_hook(conv, cls)


# The package's converter: built once, configured only here, never mutated afterwards.
_CONVERTER = make_converter()


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
