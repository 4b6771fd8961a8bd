"""``binance-ws call``: any method by name, its ``key=value`` arguments typed from its signature."""

from __future__ import annotations

import difflib
import enum
import functools
import inspect
import sys
import types
import typing
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from .._naming import to_snake
from .._spec import METHODS

__all__ = ["UsageError", "method_names", "parse_arguments", "resolve_method"]

# Parameters of every facade method that the command line sets itself (or never takes).
_HIDDEN = frozenset({"self", "unknown"})
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


class UsageError(Exception):
    """A mistake in the command line: the message says what to write instead (exit code 2)."""


@functools.cache
def method_names() -> dict[str, str]:
    """Every accepted spelling (wire name, Python name) -> the Client method's name."""
    names: dict[str, str] = {}
    for wire, spec in METHODS.items():
        names[wire] = spec.python_name
        names[spec.python_name] = spec.python_name
    return names


def resolve_method(name: str) -> tuple[str, str]:
    """(the Client method's Python name, the wire name) for ``order.place`` or ``order_place``."""
    names = method_names()
    python = names.get(name) or names.get(to_snake(name))
    if python is None:
        # Suggest in the spelling the caller used: wire names, or Python names.
        # (``depth``, ``klines``, ``ping``: one word is both spellings.)
        if name != to_snake(name):
            pool = list(METHODS)
        else:
            pool = sorted({spec.python_name for spec in METHODS.values()})
        close = difflib.get_close_matches(name, pool, n=5, cutoff=0.6)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise UsageError(
            f"unknown method {name!r}{hint} (any wire name such as order.place, or its Python name order_place)"
        )
    wire = next(w for w, s in METHODS.items() if s.python_name == python)
    return python, wire


@functools.cache
def _signature(method: Callable[..., Any]) -> tuple[dict[str, Any], frozenset[str]]:
    """The keyword parameters' types, and which of them are mandatory."""
    hints = typing.get_type_hints(method)
    types_: dict[str, Any] = {}
    required = set()
    for name, param in inspect.signature(method).parameters.items():
        if name in _HIDDEN or param.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        types_[name] = hints.get(name, str)
        if param.default is inspect.Parameter.empty:
            required.add(name)
    return types_, frozenset(required)


def parse_arguments(method: Callable[..., Any], wire: str, pairs: Sequence[str]) -> dict[str, Any]:
    """``["symbol=BTCUSDT", "quantity=0.01"]`` -> keyword arguments of the right types."""
    types_, required = _signature(method)
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"expected key=value, got {pair!r} (e.g. symbol=BTCUSDT)")
        name = to_snake(key.strip())
        if name not in types_:
            valid = ", ".join(sorted(types_)) or "none"
            raise UsageError(f"{name}: {wire} takes no such parameter; valid: {valid}")
        if name in out:
            raise UsageError(f"{name}: given twice; give it once")
        out[name] = convert(name, types_[name], text)
    missing = sorted(required - set(out))
    if missing:
        example = " ".join(f"{m}=..." for m in missing)
        raise UsageError(f"{missing[0]}: is mandatory for {wire}; add {example}")
    return out


def _members(annotation: Any) -> list[Any]:
    """The types a (possibly union) annotation allows, None left out."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def convert(name: str, annotation: Any, text: str) -> Any:
    """``text`` as the type ``annotation`` asks for; UsageError naming ``name`` and the fix."""
    kinds = _members(annotation)
    enums = [k for k in kinds if isinstance(k, type) and issubclass(k, enum.Enum)]
    lists = [k for k in kinds if typing.get_origin(k) in (list, Sequence, tuple)]
    if bool in kinds:
        low = text.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise UsageError(f"{name}: expected true or false, got {text!r}")
    if enums:
        choices = list(enums[0])  # the declared members only
        given = text.strip()
        exact = [m for m in choices if m.value == given]
        # Case does not matter unless it tells members apart (1m is a minute, 1M a month).
        loose = [m for m in choices if given.upper() in (str(m.value).upper(), m.name)]
        if exact or len(loose) == 1:
            return (exact or loose)[0]
        shown = ", ".join(str(m.value) for m in choices)
        if str in kinds and given:
            # A value Binance added after this release goes as given, as the client's do.
            print(f"note: {name}={given} is none of {shown}; sent as given", file=sys.stderr)
            return given
        raise UsageError(f"{name}: expected one of {shown}; got {text!r}")
    if lists:
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise UsageError(f"{name}: expected a comma-separated list, e.g. {name}=BTCUSDT,ETHUSDT")
        return items
    if Decimal in kinds:
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            raise UsageError(f"{name}: expected a decimal number such as 0.001, got {text!r}") from None
        if not number.is_finite():
            raise UsageError(f"{name}: expected a finite decimal number, got {text!r}")
        return number
    if int in kinds:
        try:
            return int(text.strip())
        except ValueError:
            raise UsageError(f"{name}: expected a whole number, got {text!r}") from None
    if float in kinds:
        try:
            return float(text.strip())
        except ValueError:
            raise UsageError(f"{name}: expected a number of seconds, got {text!r}") from None
    return text
