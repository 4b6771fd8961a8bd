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
    cls = type(value)
    fields = getattr(cls, "__attrs_attrs__", None)
    if fields is not None:
        return _read_attrs(value, cls, fields)
    names = getattr(cls, "model_fields", None)  # pydantic
    if names is not None:
        return sum(read_all(getattr(value, name)) for name in names)
    return 1


def _read_attrs(value: Any, cls: type, fields: Any) -> int:
    count = 0
    for field in fields:
        name = field.name
        if name.startswith("raw_"):
            # A lazy list: what users read is the converted property beside it.
            lazy = name[4:]
            count += read_all(getattr(value, lazy if hasattr(cls, lazy) else name))
        elif name in ("extra", "raw") or name.startswith("_"):
            continue  # what the model kept verbatim besides its fields
        else:
            count += read_all(getattr(value, name))
    return count
