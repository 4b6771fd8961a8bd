"""Plain-text tables of results: the one place the command line turns models into rows.

A list of models becomes one row per item (a column per field that any item has set); a
single model becomes ``field  value`` rows, its lists of models following as tables of their
own. Decimals print fixed-point, enums as their wire value, booleans as ``true``/``false``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["cell", "fields_of", "render", "table"]


def cell(value: Any) -> str:
    """One value as table text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)) and not _is_record(value):
        return ",".join(cell(v) for v in value)
    return str(value)


def _is_record(value: Any) -> bool:
    """An attrs model or a NamedTuple row (a Kline)."""
    return attrs.has(type(value)) or (isinstance(value, tuple) and hasattr(type(value), "_fields"))


def fields_of(record: Any) -> list[tuple[str, Any]]:
    """(name, value) of a record's public fields, in declaration order.

    A raw field (``raw_fills``) is read through its converting property (``fills``); the
    bookkeeping fields (``extra``, private slots, a row's ``raw``) are left out.
    """
    kind = type(record)
    if isinstance(record, tuple) and hasattr(kind, "_fields"):
        return [(n, getattr(record, n)) for n in kind._fields if n not in ("extra", "raw", "unused")]
    out = []
    for f in attrs.fields(kind):
        name = f.metadata.get("repr_as", f.name)
        if name == "extra" or name.startswith("_") or not f.init:
            continue
        if name.startswith("raw_") and isinstance(getattr(kind, name[4:], None), property):
            name = name[4:]
        out.append((name, getattr(record, name)))
    return out


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Aligned columns: numbers right-aligned, text left-aligned, two spaces apart."""
    body = [list(r) for r in rows]
    numeric = [
        all(isinstance(r[i], (int, Decimal)) and not isinstance(r[i], bool) for r in body if r[i] is not None)
        for i in range(len(header))
    ]
    texts = [list(header)] + [[cell(v) for v in r] for r in body]
    widths = [max(len(t[i]) for t in texts) for i in range(len(header))]
    lines = []
    for t in texts:
        parts = [t[i].rjust(widths[i]) if numeric[i] else t[i].ljust(widths[i]) for i in range(len(header))]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _records_table(records: Sequence[Any]) -> str:
    columns: list[str] = []
    rows = [dict(fields_of(r)) for r in records]
    for row in rows:
        for name, value in row.items():
            if value is not None and not _nested(value) and name not in columns:
                columns.append(name)
    if not columns:
        return f"({len(records)} items without fields)"
    return table(columns, ([row.get(c) for c in columns] for row in rows))


def _nested(value: Any) -> bool:
    if _is_record(value) or isinstance(value, Mapping):
        return True
    return isinstance(value, (list, tuple)) and any(_is_record(v) or isinstance(v, Mapping) for v in value)


def render(value: Any) -> str:
    """The whole result as text: a table, ``field value`` rows, or the value itself.

    Example::

        >>> from binance_ws import structure
        >>> from binance_ws.models.market import PriceTicker
        >>> rows = [{"symbol": "BTCUSDT", "price": "1.50"}, {"symbol": "ETHUSDT", "price": "20.25"}]
        >>> print(render(structure(rows, list[PriceTicker])))
        symbol   price
        BTCUSDT   1.50
        ETHUSDT  20.25
        >>> print(render(structure(rows[0], PriceTicker)))
        field   value
        symbol  BTCUSDT
        price   1.50
    """
    if value is None:
        return "(no result)"
    if isinstance(value, (list, tuple)) and not _is_record(value):
        if not value:
            return "(none)"
        if all(_is_record(v) for v in value):
            return _records_table(value)
        return "\n".join(render(v) for v in value)
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif _is_record(value):
        pairs = fields_of(value)
    else:
        return cell(value)
    flat: list[tuple[str, Any]] = []
    nested: list[tuple[str, Any]] = []
    _flatten("", pairs, flat, nested)
    parts = []
    if flat:
        parts.append(table(["field", "value"], flat))
    for name, items in nested:
        parts.append(f"\n{name}:\n" + _indent(render(items)))
    return "\n".join(parts) if parts else "OK (empty result)"


def _flatten(
    prefix: str, pairs: list[tuple[str, Any]], flat: list[tuple[str, Any]], nested: list[Any]
) -> None:
    for name, value in pairs:
        if value is None:
            continue
        key = prefix + name
        if _is_record(value):
            _flatten(key + ".", fields_of(value), flat, nested)
        elif isinstance(value, Mapping):
            _flatten(key + ".", list(value.items()), flat, nested)
        elif _nested(value):
            nested.append((key, value))
        else:
            flat.append((key, value))


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())
