"""Straight-line structure functions, compiled per model and key order.

A server sends each kind of object with the same keys in the same order (every order of
``allOrders``, every ``LOT_SIZE`` filter of ``exchangeInfo``). So each (model, key order)
seen gets a function compiled for it: the values unpacked in one step, one expression per
key, the instance built without ``__init__``'s keyword parsing. It is used only while it
fits: any surprise (a JSON number where a decimal string belongs, a value that does not
convert) raises, and the object goes through the generic one-pass hook instead, which
handles every case losslessly (kept raw values, warnings). Keys the model does not know are
compiled too: they go to ``extra``, in one dict literal.

Slotted models get every slot set (absent fields ``None``); ``slots=False`` models whose
fields all default to ``None`` (sparse ones, such as ``SymbolFilter``) get their ``__dict__``
in one literal holding only the keys sent, and a class attribute ``None`` for every field,
which is what an absent field reads as.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

import attrs

__all__ = ["compiled_hook"]

_SHAPES_PER_MODEL = 32  # key orders compiled per model; beyond that the generic hook is used
_UNSEEN = object()
Build = Callable[[dict[str, Any]], Any]


class _Plan(NamedTuple):
    """What every compiled function of one model is made of."""

    cls: type
    fields: dict[str, tuple[str, Callable[[Any], Any] | None]]
    defaults: dict[str, Any]  # every attrs field (init or not) -> its default
    in_slots: frozenset[str]  # the fields that are slots; the others live in __dict__
    dec: Callable[[Any], Decimal]
    enum_of: Callable[..., Any]


def compiled_hook(
    cls: type,
    fields: dict[str, tuple[str, Callable[[Any], Any] | None]],
    generic: Callable[[Any, type], Any],
    dec: Callable[[Any], Decimal],
    enum_of: Callable[..., Any],
) -> Callable[[Any, type], Any]:
    """A structure hook for ``cls`` trying a compiled function per key order first.

    ``fields`` maps each wire key to (attribute name, converter or ``None`` to keep as sent),
    as the generic hook uses them; ``dec`` and ``enum_of`` are the converter's own functions,
    recognized so their common case is written inline. Returns ``generic`` itself for a
    model it cannot build without ``__init__`` (a default factory, a non-``None`` default
    outside the slots).
    """
    defaults: dict[str, Any] = {}
    for f in attrs.fields(cls):
        if isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            return generic  # a fresh value per instance: __init__'s job
        defaults[f.name] = None if f.default is attrs.NOTHING else f.default
    in_slots = frozenset(name for name in defaults if _member(cls, name) is not None)
    in_dict = [name for name in defaults if name not in in_slots]
    if in_dict:
        if not _has_dict(cls) or any(defaults[name] is not None for name in in_dict):
            return generic
        for name in in_dict:
            if not any(name in vars(c) for c in cls.__mro__):
                setattr(cls, name, None)  # what an absent field reads as
    plan = _Plan(cls, fields, defaults, in_slots, dec, enum_of)
    shapes: dict[tuple[str, ...], Build | None] = {}

    def hook(data: Any, tp: type) -> Any:
        if type(data) is not dict:
            return generic(data, tp)
        keys = tuple(data)
        fn = shapes.get(keys, _UNSEEN)
        if fn is _UNSEEN:
            fn = shapes.setdefault(keys, _compile(plan, keys) if len(shapes) < _SHAPES_PER_MODEL else None)
        if fn is None:
            return generic(data, tp)
        try:
            return fn(data)  # type: ignore[operator]
        except Exception:
            return generic(data, tp)

    return hook


def _has_dict(cls: type) -> bool:
    return any("__dict__" in vars(c) for c in cls.__mro__ if c is not object)


def _member(cls: type, name: str) -> Any:
    for c in cls.__mro__:
        found = vars(c).get(name)
        if found is not None:
            return found if isinstance(found, types.MemberDescriptorType) else None
    return None


def _expression(plan: _Plan, n: int, key: str, env: dict[str, Any]) -> str:
    """The Python expression converting ``v{n}`` (the value of ``key``), as the generic hook would."""
    v = f"v{n}"
    fn = plan.fields[key][1]
    env[f"f{n}"] = fn
    if fn is None:
        return v
    if fn is plan.dec:
        # Binance sends decimals as strings; anything else (a null included) is dec's call.
        return f"(D({v}) if {v}.__class__ is S else None if {v} is None else f{n}({v}))"
    if isinstance(fn, functools.partial) and fn.func is plan.enum_of:
        env[f"m{n}"] = fn.args[1].get  # the members by value: no call for a known one
        return f"(None if {v} is None else m{n}({v}) or f{n}({v}))"
    return f"(None if {v} is None else f{n}({v}))"


def _compile(plan: _Plan, keys: tuple[str, ...]) -> Build:
    # ``keys`` (the cache key) becomes every such instance's ``_wire_keys``: one shared tuple.
    env: dict[str, Any] = {"new": object.__new__, "cls": plan.cls, "keys": keys, "D": Decimal, "S": str}
    exprs: dict[str, str] = {}
    extra: list[str] = []
    for n, key in enumerate(keys):
        if key in plan.fields:
            exprs[plan.fields[key][0]] = _expression(plan, n, key, env)
        else:
            extra.append(f"{key!r}: v{n}")
    lines = ["def build(data):"]
    if keys:
        lines.append(f"    {', '.join(f'v{n}' for n in range(len(keys)))}, = data.values()")
    lines.append("    obj = new(cls)")
    in_dict = {name: expr for name, expr in exprs.items() if name not in plan.in_slots}
    if len(plan.in_slots) < len(plan.defaults):
        env["setattr"] = object.__setattr__
        items = ", ".join(f"{name!r}: {expr}" for name, expr in in_dict.items())
        lines.append(f"    setattr(obj, '__dict__', {{{items}}})")
    for name in sorted(plan.in_slots):
        env[f"s_{name}"] = _member(plan.cls, name).__set__
        if name == "_wire_keys":
            value = "keys"
        elif name == "extra" and extra:
            value = "{" + ", ".join(extra) + "}"
        elif name in exprs:
            value = exprs[name]
        else:
            env[f"d_{name}"] = plan.defaults[name]
            value = f"d_{name}"
        lines.append(f"    s_{name}(obj, {value})")
    lines.append("    return obj")
    exec(compile("\n".join(lines) + "\n", f"<structure {plan.cls.__name__}>", "exec"), env)
    built: Build = env["build"]
    return built
