"""The base of every result model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from .._display import Displayable
from .._naming import to_camel

__all__ = ["WireModel", "dict_getstate", "dict_setstate", "lazy", "ms_to_datetime"]

T = TypeVar("T")


def ms_to_datetime(ms: int | None) -> dt.datetime | None:
    """Epoch milliseconds as a timezone-aware UTC datetime (``None`` stays ``None``)."""
    if ms is None:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)


@attrs.frozen(kw_only=True, repr=False)
class WireModel(Displayable):
    """A typed view of a JSON object from the server.

    Every field is optional (``None`` when the server leaves it out). Fields the SDK does not
    know yet are kept in :attr:`extra`, and :func:`binance_ws.unstructure` gives back the
    exact document the server sent.

    Every model shares one text repr and one Jupyter HTML view (see ``binance_ws._display``):
    subclasses are declared with ``repr=False`` so attrs does not generate its own.
    """

    #: Keys the server sent that this model has no field for (``None`` when there are none).
    extra: Mapping[str, Any] | None = attrs.field(default=None, init=False, repr=False, eq=False)
    # The keys as received, in order, so unstructuring reproduces the document exactly.
    _wire_keys: tuple[str, ...] | None = attrs.field(default=None, init=False, repr=False, eq=False)


def dict_getstate(self: WireModel) -> dict[str, Any]:
    """Pickling of a ``slots=False`` model: every field, also the slots of :class:`WireModel`.

    (Inherited, WireModel's own ``__getstate__`` would pickle its two slots only.)
    """
    return {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}


def dict_setstate(self: WireModel, state: Mapping[str, Any]) -> None:
    """The inverse of :func:`dict_getstate` (frozen: set through ``object.__setattr__``)."""
    for name, value in state.items():
        object.__setattr__(self, name, value)


# The converter's functions, filled in by binance_ws._converter when it loads: the converter
# builds these models, so a model converting on first access (a book's side, an order's
# fills) reaches it through this seam instead of importing the module above it.
CONVERTER_SEAM: dict[str, Callable[..., Any]] = {}


def structure_later(data: Any, tp: Any) -> Any:
    """``binance_ws.structure(data, tp)``, for a conversion done on first access."""
    return CONVERTER_SEAM["structure"](data, tp)


def unstructure_later(obj: Any) -> Any:
    """``binance_ws.unstructure(obj)``, for a model that gives back its wire JSON."""
    return CONVERTER_SEAM["unstructure"](obj)


def structure_hook(cls: Any) -> Callable[[Any, Any], Any]:
    """The converter's structure hook for ``cls`` (a decoder compiled on top of it)."""
    hook: Callable[[Any, Any], Any] = CONVERTER_SEAM["structure_hook"](cls)
    return hook


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The JSON key of a model field: its ``wire`` metadata, else its name in camelCase."""
    explicit = field.metadata.get("wire")
    return explicit if isinstance(explicit, str) else to_camel(field.name.lstrip("_"))


def lazy(raw: str, cache: str, convert: Callable[[Any], T]) -> property:
    """A read-only property converting the raw wire value in ``raw`` on first access.

    The result is kept in the ``cache`` slot, so the conversion runs once. Large results use
    it (a 5000-level order book, an exchangeInfo with thousands of symbols): the call returns
    as soon as the JSON is decoded, and only what the caller reads is converted.
    """

    def get(self: Any) -> T | None:
        value = getattr(self, cache)
        if value is None:
            source = getattr(self, raw)
            if source is None:
                return None
            value = convert(source)
            object.__setattr__(self, cache, value)
        return value  # type: ignore[no-any-return]

    return property(get)
