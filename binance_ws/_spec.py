"""The method table: one row per WebSocket API method, and the checks it drives.

The rows are generated from the protocol reference (``tools/gen_spec.py`` writes
``_spec_data.py``); the facade, the parameter validation, the signing step and the local
exchange all read them from here, so they cannot disagree.
"""

from __future__ import annotations

import decimal
import functools
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ._enumbase import BinanceEnum
from ._errors import METHOD_FACTS, InvalidParameterError
from ._naming import to_snake
from ._spec_data import ROWS
from .enums import SecurityType

__all__ = ["METHODS", "MethodSpec", "ParamSpec", "encode_decimal"]


@attrs.frozen
class ParamSpec:
    """A wire parameter: its name, kind (str/enum/decimal/int/bool/list) and whether it is mandatory."""

    name: str
    kind: str
    required: bool
    #: Validates one caller value and returns its wire form (chosen once, by ``kind``).
    encode: Callable[[Any], Any] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "encode", _encoder(self))

    @property
    def python_name(self) -> str:
        return to_snake(self.name)


@attrs.frozen
class MethodSpec:
    """A wire method: security, weight and parameter rules from the protocol reference."""

    wire: str
    category: str
    security: SecurityType
    signed: bool
    weight: int | None
    unfilled_order_count: int
    deprecated: bool
    title: str
    params: tuple[ParamSpec, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    required_by_order_type: Mapping[str, tuple[Any, ...]] | None
    #: Where the answer comes from, as documented: "Matching Engine", "Memory", "Database"...
    data_source: str | None
    #: How a varying weight (``weight is None``) follows the params, as data generated from
    #: the reference (see ``tools/gen_spec.py``); :func:`binance_ws._weights.request_weight`
    #: reads it.
    weight_rule: tuple[Any, ...] | None = None
    #: The weight of a successful request when it differs (0 for order placements, cancels
    #: and order lists since 2026-04-02); a failed one pays ``weight``.
    weight_on_success: int | None = None
    param_map: Mapping[str, ParamSpec] = attrs.field(init=False, repr=False, eq=False)

    required_names: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "param_map", {p.name: p for p in self.params})
        object.__setattr__(self, "required_names", tuple(p.name for p in self.params if p.required))
        # Attributes, not properties: the request path reads them on every call.
        changes = self.security is SecurityType.TRADE and self.data_source == "Matching Engine"
        object.__setattr__(self, "changes_state", changes)
        read_only = not changes and self.category not in ("session", "user_data_stream")
        object.__setattr__(self, "read_only", read_only)
        fixed = None if self.weight_rule is not None else (self.weight if self.weight is not None else 1)
        object.__setattr__(self, "fixed_weight", fixed)
        refund = 0
        if fixed is not None and self.weight_on_success is not None:
            refund = max(fixed - self.weight_on_success, 0)
        object.__setattr__(self, "fixed_refund", refund)

    @property
    def python_name(self) -> str:
        return to_snake(self.wire)

    #: Whether the method changes orders or balances (TRADE security, matching engine):
    #: True for ``order.place``, ``order.cancel``, ``orderList.place.oco``... ; False for the
    #: test orders (``order.test``), the session and stream methods and every read. After a
    #: timeout, a 5xx or a lost connection such a request may have executed.
    changes_state: bool = attrs.field(init=False, repr=False, eq=False)
    #: Whether the method changes nothing at all: no order, no session, no subscription.
    read_only: bool = attrs.field(init=False, repr=False, eq=False)
    #: The request weight when no rule makes it depend on the params (else None), and what a
    #: success gives back of it: the governor's per-request arithmetic, done once.
    fixed_weight: int | None = attrs.field(init=False, repr=False, eq=False)
    fixed_refund: int = attrs.field(init=False, repr=False, eq=False)

    def prepare(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Validate caller params (wire names) and encode them for the wire; drops ``None``.

        Raises InvalidParameterError naming the parameter (in Python spelling) and the fix.
        """
        out: dict[str, Any] = {}
        for name, value in params.items():
            if value is None:
                continue
            spec = self.param_map.get(name)
            if spec is None:
                valid = ", ".join(sorted(p.python_name for p in self.params)) or "none"
                raise InvalidParameterError(
                    to_snake(name), f"{self.wire} takes no such parameter; valid: {valid}"
                )
            out[name] = spec.encode(value)
        for required in self.required_names:
            if required not in out:
                raise InvalidParameterError(to_snake(required), f"is mandatory for {self.wire}")
        for rule, names in self.groups:
            given = [n for n in names if n in out]
            shown = " / ".join(to_snake(n) for n in names)
            if rule == "at_most_one" and len(given) > 1:
                raise InvalidParameterError(
                    to_snake(given[1]), f"cannot be combined with {to_snake(given[0])}: give one of {shown}"
                )
            if rule == "exactly_one" and len(given) != 1:
                raise InvalidParameterError(shown, f"{self.wire} needs exactly one of {shown}")
            if rule == "at_least_one" and not given:
                raise InvalidParameterError(shown, f"{self.wire} needs at least one of {shown}")
        if self.required_by_order_type and "type" in out:
            needs = self.required_by_order_type.get(out["type"], ())
            for need in needs:
                if need == "price" and "pegPriceType" in out:
                    continue  # a pegged order takes its price from the book
                if isinstance(need, str) and need not in out:
                    raise InvalidParameterError(to_snake(need), f"is mandatory for {out['type']} orders")
                if isinstance(need, tuple) and not any(n in out for n in need):
                    shown = " or ".join(to_snake(n) for n in need)
                    raise InvalidParameterError(shown, f"{out['type']} orders need {shown}")
        return out


def _is_amount(name: str) -> bool:
    low = name.lower()
    return low.endswith(("qty", "quantity", "price")) or low == "trailingdelta"


def encode_decimal(value: Decimal) -> str:
    """A Decimal as plain digits (never exponent notation), keeping its trailing zeros."""
    return format(value, "f")


# One encoder per kind; each takes the parameter's Python name (for errors) and whether it is
# an amount that must be positive. The common case (a plain decimal str, a finite Decimal, an
# int in range) returns early.

#: A JSON integer Binance reads (a Java long): anything else is refused, not sent.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Binance's decimals: at most this many digits before and after the point (its -1100 rule).
_MAX_DIGITS = 20
# Values are shown in errors only this long: a 50 000-character string stays out of the message.
_SHOWN = 40


def _shown(value: object) -> str:
    """``value`` for an error message: short, and never raising (a 5000-digit int would)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an int of {value.bit_length()} bits"
    text = f'"{value}"' if isinstance(value, str) else repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 4] + "…" + text[-3:]


def _plain(value: str) -> bool:
    """Whether ``value`` is a decimal as Binance reads it: ``[0-9]{1,20}(\\.[0-9]{1,20})?``."""
    whole, dot, fraction = value.partition(".")
    return (
        value.isascii()
        and whole.isdigit()
        and len(whole) <= _MAX_DIGITS
        and (not dot or (fraction.isdigit() and len(fraction) <= _MAX_DIGITS))
    )


def _encode_decimal(name: str, amount: bool, value: Any) -> Any:
    kind = type(value)
    if kind is str and _plain(value):
        if amount and not value.strip("0."):
            raise InvalidParameterError(name, f"must be greater than zero, got {_shown(value)}")
        return value
    if (
        kind is Decimal
        and value.is_finite()
        and not (amount and value <= 0)
        # Also keeps format() from writing a billion zeros for Decimal("1E-999999999").
        and -_MAX_DIGITS <= value.adjusted() < _MAX_DIGITS
    ):
        text = format(value, "f")  # always plain digits: Decimal("1E-7") -> "0.0000001"
        if len(text) <= _MAX_DIGITS or _plain(text.removeprefix("-")):
            return text
    if kind is int and INT64_MIN <= value <= INT64_MAX and (value > 0 or not amount):
        return value  # an int is exact as a JSON number (recvWindow=5000 stays 5000)
    if isinstance(value, float):
        raise InvalidParameterError(
            name,
            f"got the float {value!r}, which cannot hold prices and quantities exactly; "
            f"pass Decimal({str(value)!r}) or the string {str(value)!r}",
        )
    if isinstance(value, bool) or not isinstance(value, (Decimal, str, int)):
        raise InvalidParameterError(name, f"expected Decimal, str or int, got {type(value).__name__}")
    if isinstance(value, str):
        text = str.__str__(value)
        if _plain(text):  # a str subclass: its plain text
            return _encode_decimal(name, amount, text)
        return _refuse_text(name, text)
    number = value if isinstance(value, Decimal) else Decimal(value)
    if not number.is_finite():
        raise InvalidParameterError(name, f"{_shown(value)} is not a finite number")
    if amount and number <= 0:
        raise InvalidParameterError(name, f"must be greater than zero, got {_shown(value)}")
    if isinstance(value, int) and INT64_MIN <= value <= INT64_MAX:
        return value  # an int is exact as a JSON number (recvWindow=5000 stays 5000)
    if -_MAX_DIGITS <= number.adjusted() < _MAX_DIGITS:
        text = format(number, "f")
        if _plain(text.removeprefix("-")):  # negative: only recvWindow, whose own check refuses it
            return text
    raise InvalidParameterError(name, _too_many_digits(_shown(value)))


def _too_many_digits(shown: str) -> str:
    return (
        f"{shown} has more digits than Binance accepts (at most {_MAX_DIGITS} before and "
        f'{_MAX_DIGITS} after the "."); round it, e.g. with .quantize(Decimal("0.00000001"))'
    )


def _refuse_text(name: str, value: str) -> Any:
    """InvalidParameterError for a str that is not a plain decimal, with the plain spelling."""
    try:
        number = Decimal(value) if len(value) <= 100 else None
    except (decimal.InvalidOperation, ValueError):
        number = None
    if number is None:
        raise InvalidParameterError(
            name, f'{_shown(value)} is not a plain decimal; pass digits with an optional ".", e.g. "0.001"'
        )
    if not number.is_finite():
        raise InvalidParameterError(name, f"{_shown(value)} is not a finite number")
    if number <= 0:
        raise InvalidParameterError(name, f"must be greater than zero, got {_shown(value)}")
    if not -_MAX_DIGITS <= number.adjusted() < _MAX_DIGITS or not _plain(format(number, "f")):
        raise InvalidParameterError(name, _too_many_digits(_shown(value)))
    raise InvalidParameterError(
        name,
        f'{_shown(value)} is not a plain decimal; pass "{number:f}" or Decimal("{value.strip()}")',
    )


def _encode_int(name: str, amount: bool, value: Any) -> Any:
    if type(value) is int and INT64_MIN <= value <= INT64_MAX and not (amount and value <= 0):
        return value
    if isinstance(value, bool):
        raise InvalidParameterError(
            name, f"expected an int, got {value!r}; pass {int(value)} if a number is meant"
        )
    if not isinstance(value, int):
        exact = isinstance(value, float) and math.isfinite(value) and value.is_integer()
        digits = isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19
        hint = f"; pass {int(value)}" if exact or digits else ""
        raise InvalidParameterError(name, f"expected an int, got {type(value).__name__}{hint}")
    if not INT64_MIN <= value <= INT64_MAX:
        raise InvalidParameterError(
            name,
            f"{_shown(value)} is outside the signed 64-bit range Binance accepts ({INT64_MIN} to {INT64_MAX})",
        )
    if amount and value <= 0:
        raise InvalidParameterError(name, f"must be greater than zero, got {value}")
    return value


def _encode_enum(name: str, amount: bool, value: Any) -> Any:
    if isinstance(value, BinanceEnum):
        return value.value
    if isinstance(value, str):
        return value
    raise InvalidParameterError(name, f"expected an enum member or its string, got {type(value).__name__}")


def _encode_bool(name: str, amount: bool, value: Any) -> Any:
    if not isinstance(value, bool):
        raise InvalidParameterError(name, f"expected True or False, got {value!r}")
    return value


def _encode_list(name: str, amount: bool, value: Any) -> Any:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise InvalidParameterError(name, f"expected a list of strings, e.g. [{value!r}]")
    items = [v.value if isinstance(v, BinanceEnum) else v for v in value]
    if not items or not all(isinstance(v, str) for v in items):
        raise InvalidParameterError(name, "expected a non-empty list of strings")
    return items


def _encode_str(name: str, amount: bool, value: Any) -> Any:
    if type(value) is str:
        return value
    if isinstance(value, BinanceEnum):
        return value.value
    if not isinstance(value, str):
        raise InvalidParameterError(name, f"expected a str, got {type(value).__name__}")
    return value


_ENCODERS: dict[str, Callable[[str, bool, Any], Any]] = {
    "decimal": _encode_decimal,
    "int": _encode_int,
    "enum": _encode_enum,
    "bool": _encode_bool,
    "list": _encode_list,
}


def _encoder(spec: ParamSpec) -> Callable[[Any], Any]:
    fn = _ENCODERS.get(spec.kind, _encode_str)
    return functools.partial(fn, to_snake(spec.name), _is_amount(spec.name))


def _build() -> dict[str, MethodSpec]:
    table = {}
    for (
        wire,
        category,
        security,
        signed,
        weight,
        unfilled,
        deprecated,
        title,
        params,
        groups,
        by_type,
        data_source,
        weight_rule,
        weight_on_success,
    ) in ROWS:
        table[wire] = MethodSpec(
            wire=wire,
            category=category,
            # session.logon is labelled SIGNED in the docs; treat it like any signed call.
            security=SecurityType(security),
            signed=signed,
            weight=weight,
            unfilled_order_count=unfilled,
            deprecated=deprecated,
            title=title,
            params=tuple(ParamSpec(*p) for p in params),
            groups=tuple(groups),
            required_by_order_type=by_type,
            data_source=data_source,
            weight_rule=weight_rule,
            weight_on_success=weight_on_success,
        )
    return table


#: Every documented method, keyed by wire name.
METHODS: Mapping[str, MethodSpec] = _build()
METHOD_FACTS.update(METHODS)  # the errors' advice reads the table too
