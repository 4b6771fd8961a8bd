"""How result models show themselves: short text reprs, HTML for Jupyter, records and DataFrames.

One implementation for every model, driven by the attrs fields (or a named tuple's
``_fields``), with a few per-type hooks (the order book, the account's balances, the
exchangeInfo symbols). Nothing here runs while a result is built: a repr, an HTML table or
a record is computed only when asked for, and the big lazy fields (book sides, symbols) are
summarised from what was sent, not converted for it.

List results are :class:`ResultList` (a ``list`` subclass, one per result, made by
:func:`binance_ws.structure`); :func:`to_records` / :func:`to_pandas` turn results into data.

Text style (``repr``): ``Order(symbol='BTCUSDT', side=BUY, type=LIMIT, status=NEW,
price=30000.00000000, ...)``

- fields that are ``None`` (not sent), empty, or ``-1`` in an ``*_id`` field (Binance's
  "none") are left out; the trading fields (symbol, side, type, status, price, quantities)
  come first, the others in declaration order;
- decimals in fixed-point form, exactly the digits Binance sent (``0.00000000``, never
  ``Decimal('0E-8')``), enums as their wire value, strings quoted;
- a line stays short: past about 240 characters the remaining fields are counted
  (``... +9 fields``); long lists are counted (``balances=<412 balances>``);
- a field declared with a ``repr`` callable (the masked ``SessionStatus.api_key``) is shown
  through it, in the HTML too: no secret reaches a repr.
"""

from __future__ import annotations

import datetime as dt
import enum
import html
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal, TypeVar

import attrs

__all__ = ["Displayable", "ResultList", "model_html", "model_repr", "to_pandas", "to_records"]

T = TypeVar("T")

_BUDGET = 240  # characters of one model's repr before the remaining fields are counted
_BRIEF = 140  # the first and last item of a long list
_INLINE = 90  # a list field shown inline up to this many characters, counted beyond
_SHORT_LIST = 3  # a ResultList shown whole up to this many items
_MAX_ROWS = 20  # rows of an HTML table (levels per book side, list rows)
_LEAD = (
    "symbol",
    "asset",
    "filter_type",
    "event_type",
    "side",
    "type",
    "order_type",
    "status",
    "order_status",
    "execution_type",
    "price",
    "orig_qty",
    "quantity",
    "qty",
    "executed_qty",
    "free",
    "locked",
    "account_type",
    "can_trade",
    "balances",
)
_RANK = {name: n for n, name in enumerate(_LEAD)}
_BOOKKEEPING = frozenset({"extra", "raw"})  # a named tuple's containers of what was sent: no record
# No inline styles: Jupyter's own table style applies (it right-aligns cells), and an
# untrusted notebook strips them anyway.
_TABLE = '<table class="binance-ws">'


class Displayable:
    """The text repr and Jupyter HTML of a result model (a base of every model).

    No state (``__slots__ = ()``): the models' layout is untouched, and both are computed
    only when asked for.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return model_repr(self)

    def _repr_html_(self) -> str:
        return model_html(self)


# -- values ------------------------------------------------------------------------------------


def _hook(table: Mapping[str, T], obj: Any) -> T | None:
    # The per-type hooks are for this package's models only, by class name.
    cls = type(obj)
    return table.get(cls.__name__) if cls.__module__.startswith("binance_ws") else None


def _is_model(value: Any) -> bool:
    return attrs.has(type(value)) or (isinstance(value, tuple) and hasattr(value, "_fields"))


def _is_time(name: str) -> bool:
    # Every epoch-ms field is named so: time, transact_time, open_time, authorized_since, ...
    return name in ("time", "timestamp") or name.endswith(("_time", "_since"))


def _ms_datetime(ms: int) -> dt.datetime | None:
    # Binance sends -1 for "not yet" (working_time of a pending order, trailing_time).
    if ms < 0:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)


def _hidden(name: str, value: Any) -> bool:
    if value is None or value == "" or (isinstance(value, (list, tuple, dict)) and not value):
        return True
    return value == -1 and type(value) is int and name.endswith("_id")


def _scalar_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, str):
        return repr(str(value))
    return repr(value)


def _words(name: str) -> str:
    return name.replace("_", " ")


def _text(name: str, value: Any, budget: int) -> str:
    if _is_model(value):
        return model_repr(value, budget=budget)
    if isinstance(value, (list, tuple)):
        if not any(_is_model(v) or isinstance(v, (list, tuple)) for v in value[:_INLINE]):
            inline = "[" + ", ".join(_scalar_text(v) for v in value[:_INLINE]) + "]"
        else:
            inline = "[" + ", ".join(_text(name, v, _INLINE) for v in value[:3]) + "]"
        return inline if len(inline) <= _INLINE else f"<{len(value)} {_words(name)}>"
    if isinstance(value, dict):
        shown = repr(value)
        return shown if len(shown) <= _INLINE else f"<{len(value)} keys>"
    return _scalar_text(value)


def _fields(obj: Any) -> list[tuple[str, Any, Callable[[Any], str] | None]]:
    """(display name, value, the field's own ``repr`` callable) of every field worth showing."""
    cls = type(obj)
    out: list[tuple[str, Any, Callable[[Any], str] | None]] = []
    if attrs.has(cls):
        for f in attrs.fields(cls):
            if not f.repr or f.name.startswith("_") or f.name == "extra":
                continue
            shown_as = f.metadata.get("repr_as")
            name = shown_as or (f.name[4:] if f.name.startswith("raw_") else f.name)
            value = getattr(obj, shown_as or f.name)
            if not _hidden(name, value):
                out.append((name, value, f.repr if callable(f.repr) else None))
    else:
        # A named tuple row; its bookkeeping (Kline.extra, Kline.raw) shows only when set.
        out.extend(
            (name, value, None)
            for name, value in zip(cls._fields, obj, strict=False)
            if not _hidden(name, value)
        )
    out.sort(key=lambda item: _RANK.get(item[0], len(_LEAD)))  # stable: declaration order after
    return out


# -- text --------------------------------------------------------------------------------------


def model_repr(obj: Any, *, budget: int = _BUDGET) -> str:
    """The short text repr of a model (see this module's docstring for the style).

    Example::

        >>> from binance_ws import structure
        >>> from binance_ws.models import Order
        >>> structure({"symbol": "BTCUSDT", "orderListId": -1, "price": "0.00000000",
        ...            "side": "BUY", "status": "NEW", "stopPrice": None}, Order)
        Order(symbol='BTCUSDT', side=BUY, status=NEW, price=0.00000000)
    """
    name = type(obj).__name__
    hook = _hook(_TEXT_HOOKS, obj)
    parts = hook(obj) if hook is not None else []
    if hook is None:
        for field, value, custom in _fields(obj):
            shown = custom(value) if custom is not None else _text(field, value, budget // 2)
            parts.append(f"{field}={shown}")
    kept: list[str] = []
    used = len(name) + 2
    for n, part in enumerate(parts):
        if kept and used + len(part) + 2 > budget:
            kept.append(f"... +{len(parts) - n} fields")
            break
        kept.append(part)
        used += len(part) + 2
    return f"{name}({', '.join(kept)})"


def _level_summary(raw: Any) -> str:
    # From the side as sent: a 5000-level book is never converted for its repr.
    if not isinstance(raw, list):
        return repr(raw)
    if not raw:
        return "<0 levels>"
    best = raw[0]
    if isinstance(best, (list, tuple)) and len(best) >= 2:
        return f"<{len(raw)} levels, best {best[0]} x {best[1]}>"
    return f"<{len(raw)} levels>"


def _book_text(book: Any) -> list[str]:
    parts = [] if book.last_update_id is None else [f"last_update_id={book.last_update_id!r}"]
    for side in ("bids", "asks"):
        raw = getattr(book, f"raw_{side}")
        if raw is not None:
            parts.append(f"{side}={_level_summary(raw)}")
    return parts


def _account_text(account: Any) -> list[str]:
    parts = []
    for field, value, _ in _fields(account):
        if field == "balances":
            held = sum(1 for b in value if not _zero_balance(b))
            parts.append(f"balances=<{len(value)} balances, {held} non-zero>")
        else:
            parts.append(f"{field}={_text(field, value, _BUDGET // 2)}")
    return parts


_TEXT_HOOKS: dict[str, Callable[[Any], list[str]]] = {"OrderBook": _book_text, "AccountInfo": _account_text}


def _zero_balance(balance: Any) -> bool:
    return not (balance.free or balance.locked)


def list_repr(items: Sequence[Any]) -> str:
    """A list result: whole when short, else its count, first and last item."""
    if len(items) <= _SHORT_LIST:
        whole = "[" + ", ".join(repr(v) for v in items) + "]"
        if len(whole) <= 2 * _BUDGET:
            return whole
    first, last = items[0], items[-1]
    kind = type(first).__name__
    return f"<{len(items)} {kind}: first {_brief(first)}, last {_brief(last)}>"


def _brief(value: Any) -> str:
    return model_repr(value, budget=_BRIEF) if _is_model(value) else repr(value)


# -- HTML --------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _cell(name: str, value: Any, depth: int) -> str:
    """One ``<td>``: escaped text, a time with its ms as a title, or a nested table."""
    if value is None:
        return "<td></td>"
    if type(value) is int and _is_time(name):
        when = _ms_datetime(value)
        if when is not None:
            text = when.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
            return f'<td title="{value}">{text}</td>'
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return f"<td>{_esc(_scalar_text(value))}</td>"
    if isinstance(value, enum.Enum):
        return f"<td>{_esc(str(value.value))}</td>"
    if isinstance(value, str):
        return f"<td>{_esc(value)}</td>"
    if _is_model(value):
        inner = fields_table(value, depth + 1) if depth < 1 else _esc(model_repr(value))
        return f"<td>{inner}</td>"
    if isinstance(value, (list, tuple)) and value and all(_is_model(v) for v in value[:_MAX_ROWS]):
        inner = list_table(value, depth + 1) if depth < 1 else _esc(f"<{len(value)} {_words(name)}>")
        return f"<td>{inner}</td>"
    if isinstance(value, (list, tuple)):
        shown = ", ".join(_text(name, v, _INLINE) for v in value[:_MAX_ROWS])
        more = f" ... {len(value) - _MAX_ROWS} more" if len(value) > _MAX_ROWS else ""
        return f"<td>{_esc(shown + more)}</td>"
    return f"<td>{_esc(_text(name, value, _INLINE))}</td>"


def fields_table(obj: Any, depth: int = 0) -> str:
    """Any model as a two-column field/value table (the fields its repr shows, uncapped)."""
    rows = [f"<caption><b>{_esc(type(obj).__name__)}</b></caption>"]
    field_hooks = _hook(_FIELD_HTML, obj) or {}
    for name, value, custom in _fields(obj):
        if custom is not None:
            cell = f"<td>{_esc(custom(value))}</td>"
        elif name in field_hooks:
            cell = f"<td>{field_hooks[name](value)}</td>"
        else:
            cell = _cell(name, value, depth)
        rows.append(f"<tr><th>{_esc(name)}</th>{cell}</tr>")
    return _TABLE + "".join(rows) + "</table>"


def list_table(items: Sequence[Any], depth: int = 0, caption: str | None = None) -> str:
    """Models as rows of a table: the columns any shown row sets, the first and last rows."""
    n = len(items)
    shown = list(items) if n <= _MAX_ROWS else [*items[: _MAX_ROWS // 2], *items[-(_MAX_ROWS // 2) :]]
    head = f"<caption><b>{_esc(caption)}</b></caption>" if caption else ""
    if not all(_is_model(v) for v in shown):
        rows = [f"<tr>{_cell('value', v, depth + 1)}</tr>" for v in shown]
        columns: list[str] = ["value"]
        by_row: list[dict[str, Any]] = []
    else:
        by_row = [{name: value for name, value, _ in _fields(v)} for v in shown]
        columns = []
        for v in shown:
            for name in _column_names(v):
                if name not in columns and any(name in row for row in by_row):
                    columns.append(name)
        rows = [
            "<tr>" + "".join(_cell(c, row.get(c), depth + 1) for c in columns) + "</tr>" for row in by_row
        ]
    if n > len(shown):
        gap = f"<tr><td colspan='{len(columns)}'>... {n - len(shown)} more</td></tr>"
        rows.insert(_MAX_ROWS // 2, gap)
    header = "<tr>" + "".join(f"<th>{_esc(c)}</th>" for c in columns) + "</tr>"
    return _TABLE + head + header + "".join(rows) + "</table>"


def _column_names(obj: Any) -> list[str]:
    # Declaration order (a table's columns read left to right as the model does), masked
    # fields never (a list table has no room for their callables).
    cls = type(obj)
    if attrs.has(cls):
        return [
            f.metadata.get("repr_as") or (f.name[4:] if f.name.startswith("raw_") else f.name)
            for f in attrs.fields(cls)
            if f.repr is True and not f.name.startswith("_") and f.name != "extra"
        ]
    return [name for name in cls._fields if name not in _BOOKKEEPING]


def _book_html(book: Any) -> str:
    bids, asks = book.raw_bids or [], book.raw_asks or []
    caption = f"OrderBook last_update_id={book.last_update_id} · {len(bids)} bids · {len(asks)} asks"
    rows = [
        f"<caption><b>{_esc(caption)}</b></caption>",
        "<tr><th colspan='2'>bids</th><th colspan='2'>asks</th></tr>",
        "<tr><th>price</th><th>quantity</th><th>price</th><th>quantity</th></tr>",
    ]
    for i in range(min(_MAX_ROWS, max(len(bids), len(asks)))):
        cells = "".join(_level_cells(side[i] if i < len(side) else None) for side in (bids, asks))
        rows.append(f"<tr>{cells}</tr>")
    more = [max(0, len(side) - _MAX_ROWS) for side in (bids, asks)]
    if any(more):
        cells = "".join(f"<td colspan='2'>{f'... {m} more' if m else ''}</td>" for m in more)
        rows.append(f"<tr>{cells}</tr>")
    return _TABLE + "".join(rows) + "</table>"


def _level_cells(level: Any) -> str:
    if level is None:
        return "<td></td><td></td>"
    values = list(level)[:2] if isinstance(level, (list, tuple)) else [level]
    values += [None] * (2 - len(values))
    # The strings as sent: exactly Binance's digits.
    return "".join(f"<td>{'' if v is None else _esc(str(v))}</td>" for v in values)


def _balances_html(balances: Sequence[Any]) -> str:
    # An account lists hundreds of assets it holds none of: those are counted, not shown.
    held = [b for b in balances if not _zero_balance(b)]
    zero = len(balances) - len(held)
    caption = f"{len(held)} non-zero balances" + (f", {zero} zero not shown" if zero else "")
    return list_table(held, 1, caption) if held else _esc(caption)


def _symbols_html(raw: Sequence[Any]) -> str:
    # The names, from the symbols as sent: thousands of them are not converted to show 20.
    names = [str(s.get("symbol")) for s in raw[:_MAX_ROWS] if isinstance(s, dict)]
    more = ", ..." if len(raw) > _MAX_ROWS else ""
    return _esc(f"{len(raw)} symbols: {', '.join(names)}{more}")


_HTML_HOOKS: dict[str, Callable[[Any], str]] = {"OrderBook": _book_html}
_FIELD_HTML: dict[str, dict[str, Callable[[Any], str]]] = {
    "AccountInfo": {"balances": _balances_html},
    "ExchangeInfo": {"symbols": _symbols_html},
}


def model_html(obj: Any) -> str:
    """The Jupyter HTML of a model: a field/value table (an order book: bids beside asks).

    Example::

        >>> from binance_ws import structure
        >>> from binance_ws.models import Balance
        >>> html = structure({"asset": "<BTC>", "free": "1.0"}, Balance)._repr_html_()
        >>> "&lt;BTC&gt;" in html and "<BTC>" not in html
        True
    """
    hook = _hook(_HTML_HOOKS, obj)
    return hook(obj) if hook is not None else fields_table(obj)


# -- records and DataFrames --------------------------------------------------------------------


def _plain(name: str, value: Any) -> Any:
    if value is None:
        return None
    kind = type(value)
    if kind is Decimal or kind is str or kind is bool or kind is float:
        return value
    if kind is int:
        return _ms_datetime(value) if _is_time(name) else value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str):
        return str(value)
    if _is_model(value):
        return record(value)
    if isinstance(value, (list, tuple)):
        return [_plain(name, v) for v in value]
    if isinstance(value, Mapping):
        return dict(value)
    return value


def record(obj: Any) -> dict[str, Any]:
    """One model as a dict of its fields (snake_case names, every field, ``None`` if unset)."""
    cls = type(obj)
    if attrs.has(cls):
        out: dict[str, Any] = {}
        for f in attrs.fields(cls):
            if f.name.startswith("_") or f.name == "extra":
                continue
            name = f.metadata.get("repr_as") or f.name
            out[name] = _plain(name, getattr(obj, name))
        return out
    return {
        name: _plain(name, v) for name, v in zip(cls._fields, obj, strict=False) if name not in _BOOKKEEPING
    }


def _book_records(book: Any) -> list[dict[str, Any]]:
    return [
        {"side": side, "price": level.price, "quantity": level.quantity}
        for side, levels in (("bid", book.bids or ()), ("ask", book.asks or ()))
        for level in levels
    ]


_RECORD_HOOKS: dict[str, Callable[[Any], list[dict[str, Any]]]] = {"OrderBook": _book_records}


def to_records(obj: Any) -> list[dict[str, Any]]:
    """A list result (or one model) as a list of dicts of Python values.

    Keys are the models' snake_case field names, every field in declaration order (``None``
    where not sent), so every record of a list has the same keys. Values: ``Decimal`` stays
    ``Decimal`` (exact), enums become their plain ``str`` value, epoch-ms times (``time``,
    ``*_time``, ``*_since``, ``timestamp``) become aware UTC ``datetime`` (``None`` for
    Binance's ``-1``), nested models dicts, lists lists. Keys the SDK does not know stay in
    each model's ``extra`` (:func:`binance_ws.unstructure` gives the exact wire document).
    An :class:`~binance_ws.models.OrderBook` gives one record per level: ``side`` (``"bid"``
    / ``"ask"``), ``price``, ``quantity``.

    Example::

        >>> from binance_ws import structure, to_records
        >>> from binance_ws.models import Trade
        >>> trades = structure([{"id": 1, "price": "0.00000000", "time": 1700000000000}], list[Trade])
        >>> row = to_records(trades)[0]
        >>> row["price"], row["time"].isoformat(), row["qty"]
        (Decimal('0E-8'), '2023-11-14T22:13:20+00:00', None)
    """
    hook = _hook(_RECORD_HOOKS, obj)
    if hook is not None:
        return hook(obj)
    if _is_model(obj):
        return [record(obj)]
    if isinstance(obj, (list, tuple)):
        bad = next((v for v in obj if not _is_model(v)), None)
        if bad is not None:
            raise TypeError(
                f"to_records: obj must hold result models (binance_ws.models), got an item of "
                f"type {type(bad).__name__}"
            )
        return [record(v) for v in obj]
    raise TypeError(f"to_records: obj must be a result model or a list of them, got {type(obj).__name__}")


def _pandas() -> Any:
    try:
        return importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError(
            "to_pandas needs pandas, an optional extra: pip install 'binance-ws[pandas]'"
        ) from exc


def to_pandas(obj: Any, *, decimals: Literal["decimal", "float"] = "decimal") -> Any:
    """A list result (or one model) as a ``pandas.DataFrame``, one row per record.

    The columns are :func:`to_records`' keys. Times are ``datetime64`` columns in UTC; ints
    with gaps are pandas' nullable ``Int64``; decimals stay exact ``Decimal`` objects unless
    ``decimals="float"`` (``float64``, for plotting and arithmetic at float precision).
    pandas is an optional extra: ``pip install 'binance-ws[pandas]'``.

    Example::

        >>> from binance_ws import structure, to_pandas
        >>> from binance_ws.models import Kline
        >>> rows = [[1700000000000, "1.5", "2", "1", "1.75", "10", 1700000059999, "17", 3, "5", "8", "0"]]
        >>> df = to_pandas(structure(rows, list[Kline]), decimals="float")
        >>> float(df.loc[0, "close"]), str(df["open_time"].dt.tz), str(df["close"].dtype)
        (1.75, 'UTC', 'float64')
    """
    if decimals not in ("decimal", "float"):
        raise ValueError(f"to_pandas: decimals must be 'decimal' or 'float', got {decimals!r}")
    pd = _pandas()
    records = to_records(obj)
    names: dict[str, None] = {}
    for row in records:
        names.update(dict.fromkeys(row))
    columns = {name: _column(pd, [row.get(name) for row in records], decimals) for name in names}
    return pd.DataFrame(columns, index=range(len(records)))


def _column(pd: Any, values: list[Any], decimals: str) -> Any:
    present = [v for v in values if v is not None]
    if present and all(type(v) is int for v in present) and len(present) < len(values):
        return pd.Series(values, dtype="Int64")
    if decimals == "float" and present and all(type(v) is Decimal for v in present):
        return pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")
    if present and all(isinstance(v, dt.datetime) for v in present):
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True)
    return pd.Series(values, dtype=object if not present or _mixed(present) else None)


def _mixed(values: Iterable[Any]) -> bool:
    # Decimals, dicts and lists stay Python objects; pandas would otherwise guess per column.
    return any(not isinstance(v, (str, bool, int, float)) for v in values)


class ResultList(list[T]):
    """A list result of the client (klines, trades, orders, tickers, book levels, ...).

    A plain ``list`` in every way (``isinstance(x, list)``, ``==``, JSON, pickling;
    :func:`binance_ws.unstructure` gives a plain list), which also reads well: its repr
    summarises a long list (count, first and last item), Jupyter shows it as a table, and
    :meth:`to_records` / :meth:`to_pandas` turn it into data. The typed methods return it
    where they declare ``list[...]``; nested lists inside a model (``AccountInfo.balances``)
    are plain lists: pass them to :func:`binance_ws.to_records` / :func:`binance_ws.to_pandas`.

    Example::

        >>> from binance_ws import structure
        >>> from binance_ws.models import PriceLevel
        >>> levels = structure([["1.5", "2"], ["1.4", "0.00000000"]], list[PriceLevel])
        >>> type(levels).__name__, levels
        ('ResultList', [PriceLevel(price=1.5, quantity=2), PriceLevel(price=1.4, quantity=0.00000000)])
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return list_repr(self)

    def _repr_html_(self) -> str:
        kind = type(self[0]).__name__ if self else "items"
        return list_table(self, caption=f"{len(self)} {kind}")

    def to_records(self) -> list[dict[str, Any]]:
        """The items as dicts of Python values (see :func:`binance_ws.to_records`).

        Example::

            >>> from binance_ws import structure
            >>> from binance_ws.models import Balance
            >>> structure([{"asset": "BTC", "free": "1.5"}], list[Balance]).to_records()
            [{'asset': 'BTC', 'free': Decimal('1.5'), 'locked': None}]
        """
        return to_records(self)

    def to_pandas(self, *, decimals: Literal["decimal", "float"] = "decimal") -> Any:
        """The items as a ``pandas.DataFrame`` (see :func:`binance_ws.to_pandas`).

        Example::

            >>> from binance_ws import structure
            >>> from binance_ws.models import Balance
            >>> structure([{"asset": "BTC", "free": "1.5"}], list[Balance]).to_pandas().shape
            (1, 3)
        """
        return to_pandas(self, decimals=decimals)
