"""Reading a result the way a user does: every value touched, every price and quantity a Decimal.

Lazy conversion makes a typed result cheap to return and pays on first access; a figure taken
without reading would flatter it. In the ``_read`` operations each client's timed call ends
with :func:`read_all` over its result, so the floor and every client pay for the numbers:

- binance-ws models: every field read (a lazy list is read through its property, which
  converts it), nested models and lists walked; their numbers are Decimals already.
- JSON values (the floor's ``orjson`` result, python-binance's dicts) and other libraries'
  models (binance-sdk-spot's pydantic models): walked the same way, and every string that
  holds a number becomes a ``Decimal``, as a user of those libraries has to do.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["read_all"]

_NUMBER_START = frozenset("-0123456789")
_DIGITS = frozenset("0123456789")


def read_all(value: Any) -> int:
    """Touch every value of ``value``; returns how many leaves were read."""
    if isinstance(value, (list, tuple)):
        return sum(read_all(item) for item in value)
    if isinstance(value, dict):
        return sum(read_all(item) for item in value.values())
    if isinstance(value, str):
        if value and value[0] in _NUMBER_START and value[-1] in _DIGITS:
            try:
                Decimal(value)
            except InvalidOperation:  # an id that merely looks numeric at both ends
                pass
        return 1
    if value is None or isinstance(value, _LEAVES):
        return 1
    getter = _getters.get(type(value))
    if getter is None:
        getter = _getters[type(value)] = _getter(type(value))
    if getter is _NOT_A_MODEL:
        return 1
    # None stands for a field the answer did not have: nothing there to read.
    return sum(read_all(item) for item in getter(value) if item is not None)


_LEAVES = (int, float, Decimal, bool)
_NOT_A_MODEL = operator.attrgetter("__class__")
# One C-level getter per model class: the harness's own walking stays cheap and alike for all.
_getters: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _getter(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    fields = getattr(cls, "__attrs_attrs__", None)
    if fields is not None:
        names = []
        for field in fields:
            name = field.name
            if name.startswith("raw_") and hasattr(cls, name[4:]):
                names.append(name[4:])  # a lazy list: users read the converted property
            elif name not in ("extra", "raw") and not name.startswith("_"):
                names.append(name)  # (what the model kept verbatim is not read twice)
    else:
        names = list(getattr(cls, "model_fields", None) or ())  # pydantic
    if not names:
        return _NOT_A_MODEL
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda value: (one(value),)
    return operator.attrgetter(*names)
