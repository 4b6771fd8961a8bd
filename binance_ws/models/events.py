"""User Data Stream events: typed, lossless views of the ``event`` objects Binance pushes.

Each model maps the one-letter wire keys (``metadata={"wire": "c"}``) to readable names, with
``Decimal`` for prices and quantities, the :mod:`binance_ws.enums` for statuses and types, and
times as int ms (``*_datetime`` properties give aware UTC datetimes). Fields sent only under
some conditions (trailing stops, self-trade prevention, pegged orders, ...) are ``None`` when
absent; keys the SDK does not know are kept in ``extra``, so ``binance_ws.unstructure(event)``
gives back the exact event object. :func:`decode_event` picks the model by the ``e`` key; an
event type the SDK does not know becomes an :class:`UnknownEvent` keeping every key.

Example::

    >>> from binance_ws import unstructure
    >>> from binance_ws.models.events import decode_event
    >>> raw = {"e": "balanceUpdate", "E": 1573200697110, "a": "BTC", "d": "100.00000000", "T": 1573200697068}
    >>> event = decode_event(raw)
    >>> event.asset, event.balance_delta, event.clear_datetime.year
    ('BTC', Decimal('100.00000000'), 2019)
    >>> unstructure(event) == raw
    True
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..enums import (
    ContingencyType,
    ExecutionType,
    ExpiryReason,
    OrderListOrderStatus,
    OrderListStatus,
    OrderStatus,
    OrderType,
    PegOffsetType,
    PegPriceType,
    SelfTradePreventionMode,
    Side,
    TimeInForce,
    WorkingFloor,
)
from ._base import (
    WireModel,
    dict_getstate,
    dict_setstate,
    ms_to_datetime,
    structure_hook,
    structure_later,
    unstructure_later,
    wire_name,
)

__all__ = [
    "BalanceUpdate",
    "EventStreamTerminated",
    "ExecutionReport",
    "ExternalLockUpdate",
    "ListStatus",
    "ListStatusOrder",
    "OutboundAccountPosition",
    "PositionBalance",
    "UnknownEvent",
    "UserDataEvent",
    "decode_event",
]


@attrs.frozen(kw_only=True, slots=False, repr=False)
class UserDataEvent(WireModel):
    """The fields every event has: its type (``e``) and time (``E``, ms)."""

    event_type: str | None = attrs.field(default=None, metadata={"wire": "e"})
    event_time: int | None = attrs.field(default=None, metadata={"wire": "E"})

    # Dict-backed: the slotted base's own pickling would keep its two slots only.
    __getstate__ = dict_getstate
    __setstate__ = dict_setstate

    @property
    def event_datetime(self) -> dt.datetime | None:
        return ms_to_datetime(self.event_time)


@attrs.frozen(kw_only=True, slots=False, repr=False)
class ExecutionReport(UserDataEvent):
    """``executionReport``: an order was placed, traded, canceled, replaced, rejected or expired.

    Average fill price: ``cumulative_quote_qty / cumulative_filled_qty``.
    """

    symbol: str | None = attrs.field(default=None, metadata={"wire": "s"})
    client_order_id: str | None = attrs.field(default=None, metadata={"wire": "c"})
    side: Side | None = attrs.field(default=None, metadata={"wire": "S"})
    order_type: OrderType | None = attrs.field(default=None, metadata={"wire": "o"})
    time_in_force: TimeInForce | None = attrs.field(default=None, metadata={"wire": "f"})
    quantity: Decimal | None = attrs.field(default=None, metadata={"wire": "q"})
    price: Decimal | None = attrs.field(default=None, metadata={"wire": "p"})
    stop_price: Decimal | None = attrs.field(default=None, metadata={"wire": "P"})
    iceberg_qty: Decimal | None = attrs.field(default=None, metadata={"wire": "F"})
    order_list_id: int | None = attrs.field(default=None, metadata={"wire": "g"})
    #: The client order id of the order being canceled (``""`` otherwise).
    orig_client_order_id: str | None = attrs.field(default=None, metadata={"wire": "C"})
    execution_type: ExecutionType | None = attrs.field(default=None, metadata={"wire": "x"})
    order_status: OrderStatus | None = attrs.field(default=None, metadata={"wire": "X"})
    reject_reason: str | None = attrs.field(default=None, metadata={"wire": "r"})
    order_id: int | None = attrs.field(default=None, metadata={"wire": "i"})
    last_executed_qty: Decimal | None = attrs.field(default=None, metadata={"wire": "l"})
    cumulative_filled_qty: Decimal | None = attrs.field(default=None, metadata={"wire": "z"})
    last_executed_price: Decimal | None = attrs.field(default=None, metadata={"wire": "L"})
    commission: Decimal | None = attrs.field(default=None, metadata={"wire": "n"})
    commission_asset: str | None = attrs.field(default=None, metadata={"wire": "N"})
    transaction_time: int | None = attrs.field(default=None, metadata={"wire": "T"})
    trade_id: int | None = attrs.field(default=None, metadata={"wire": "t"})
    execution_id: int | None = attrs.field(default=None, metadata={"wire": "I"})
    is_on_book: bool | None = attrs.field(default=None, metadata={"wire": "w"})
    is_maker: bool | None = attrs.field(default=None, metadata={"wire": "m"})
    ignore: bool | None = attrs.field(default=None, metadata={"wire": "M"})
    order_creation_time: int | None = attrs.field(default=None, metadata={"wire": "O"})
    cumulative_quote_qty: Decimal | None = attrs.field(default=None, metadata={"wire": "Z"})
    last_quote_qty: Decimal | None = attrs.field(default=None, metadata={"wire": "Y"})
    quote_order_qty: Decimal | None = attrs.field(default=None, metadata={"wire": "Q"})
    working_time: int | None = attrs.field(default=None, metadata={"wire": "W"})
    self_trade_prevention_mode: SelfTradePreventionMode | None = attrs.field(
        default=None, metadata={"wire": "V"}
    )
    # Conditional fields (None when absent).
    trailing_delta: int | None = attrs.field(default=None, metadata={"wire": "d"})
    trailing_time: int | None = attrs.field(default=None, metadata={"wire": "D"})
    strategy_id: int | None = attrs.field(default=None, metadata={"wire": "j"})
    strategy_type: int | None = attrs.field(default=None, metadata={"wire": "J"})
    prevented_match_id: int | None = attrs.field(default=None, metadata={"wire": "v"})
    prevented_qty: Decimal | None = attrs.field(default=None, metadata={"wire": "A"})
    last_prevented_qty: Decimal | None = attrs.field(default=None, metadata={"wire": "B"})
    trade_group_id: int | None = attrs.field(default=None, metadata={"wire": "u"})
    counter_order_id: int | None = attrs.field(default=None, metadata={"wire": "U"})
    counter_symbol: str | None = attrs.field(default=None, metadata={"wire": "Cs"})
    prevented_execution_qty: Decimal | None = attrs.field(default=None, metadata={"wire": "pl"})
    prevented_execution_price: Decimal | None = attrs.field(default=None, metadata={"wire": "pL"})
    prevented_execution_quote_qty: Decimal | None = attrs.field(default=None, metadata={"wire": "pY"})
    match_type: str | None = attrs.field(default=None, metadata={"wire": "b"})
    allocation_id: int | None = attrs.field(default=None, metadata={"wire": "a"})
    working_floor: WorkingFloor | None = attrs.field(default=None, metadata={"wire": "k"})
    used_sor: bool | None = attrs.field(default=None, metadata={"wire": "uS"})
    peg_price_type: PegPriceType | None = attrs.field(default=None, metadata={"wire": "gP"})
    peg_offset_type: PegOffsetType | None = attrs.field(default=None, metadata={"wire": "gOT"})
    peg_offset_value: int | None = attrs.field(default=None, metadata={"wire": "gOV"})
    pegged_price: Decimal | None = attrs.field(default=None, metadata={"wire": "gp"})
    expiry_reason: ExpiryReason | None = attrs.field(default=None, metadata={"wire": "eR"})

    @property
    def transaction_datetime(self) -> dt.datetime | None:
        return ms_to_datetime(self.transaction_time)

    @property
    def order_creation_datetime(self) -> dt.datetime | None:
        return ms_to_datetime(self.order_creation_time)

    @property
    def working_datetime(self) -> dt.datetime | None:
        return ms_to_datetime(self.working_time)


@attrs.frozen(kw_only=True, slots=False, repr=False)
class PositionBalance(WireModel):
    """One asset of an :class:`OutboundAccountPosition`."""

    asset: str | None = attrs.field(default=None, metadata={"wire": "a"})
    free: Decimal | None = attrs.field(default=None, metadata={"wire": "f"})
    locked: Decimal | None = attrs.field(default=None, metadata={"wire": "l"})

    # Dict-backed: the slotted base's own pickling would keep its two slots only.
    __getstate__ = dict_getstate
    __setstate__ = dict_setstate


@attrs.frozen(kw_only=True, slots=False, repr=False)
class OutboundAccountPosition(UserDataEvent):
    """``outboundAccountPosition``: the balances of the assets that may have changed."""

    last_update_time: int | None = attrs.field(default=None, metadata={"wire": "u"})
    balances: list[PositionBalance] | None = attrs.field(default=None, metadata={"wire": "B"})

    @property
    def last_update_datetime(self) -> dt.datetime | None:
        return ms_to_datetime(self.last_update_time)


@attrs.frozen(kw_only=True, slots=False, repr=False)
class BalanceUpdate(UserDataEvent):
    """``balanceUpdate``: a deposit, withdrawal or transfer changed a balance by ``balance_delta``."""

    asset: str | None = attrs.field(default=None, metadata={"wire": "a"})
    balance_delta: Decimal | None = attrs.field(default=None, metadata={"wire": "d"})
    clear_time: int | None = attrs.field(default=None, metadata={"wire": "T"})

    @property
    def clear_datetime(self) -> dt.datetime | None:
        return ms_to_datetime(self.clear_time)


@attrs.frozen(kw_only=True, slots=False, repr=False)
class ListStatusOrder(WireModel):
    """One order of a :class:`ListStatus`."""

    symbol: str | None = attrs.field(default=None, metadata={"wire": "s"})
    order_id: int | None = attrs.field(default=None, metadata={"wire": "i"})
    client_order_id: str | None = attrs.field(default=None, metadata={"wire": "c"})

    # Dict-backed: the slotted base's own pickling would keep its two slots only.
    __getstate__ = dict_getstate
    __setstate__ = dict_setstate


@attrs.frozen(kw_only=True, slots=False, repr=False)
class ListStatus(UserDataEvent):
    """``listStatus``: an order list changed (sent after its orders' execution reports)."""

    symbol: str | None = attrs.field(default=None, metadata={"wire": "s"})
    order_list_id: int | None = attrs.field(default=None, metadata={"wire": "g"})
    contingency_type: ContingencyType | None = attrs.field(default=None, metadata={"wire": "c"})
    list_status_type: OrderListStatus | None = attrs.field(default=None, metadata={"wire": "l"})
    list_order_status: OrderListOrderStatus | None = attrs.field(default=None, metadata={"wire": "L"})
    list_reject_reason: str | None = attrs.field(default=None, metadata={"wire": "r"})
    list_client_order_id: str | None = attrs.field(default=None, metadata={"wire": "C"})
    transaction_time: int | None = attrs.field(default=None, metadata={"wire": "T"})
    orders: list[ListStatusOrder] | None = attrs.field(default=None, metadata={"wire": "O"})

    @property
    def transaction_datetime(self) -> dt.datetime | None:
        return ms_to_datetime(self.transaction_time)


@attrs.frozen(kw_only=True, slots=False, repr=False)
class ExternalLockUpdate(UserDataEvent):
    """``externalLockUpdate``: an external system locked (or unlocked) ``delta`` of ``asset``."""

    asset: str | None = attrs.field(default=None, metadata={"wire": "a"})
    delta: Decimal | None = attrs.field(default=None, metadata={"wire": "d"})
    transaction_time: int | None = attrs.field(default=None, metadata={"wire": "T"})

    @property
    def transaction_datetime(self) -> dt.datetime | None:
        return ms_to_datetime(self.transaction_time)


@attrs.frozen(kw_only=True, slots=False, repr=False)
class EventStreamTerminated(UserDataEvent):
    """``eventStreamTerminated``: the subscription ended (unsubscribe, or ``session.logout``)."""


@attrs.frozen(kw_only=True, slots=False, repr=False)
class UnknownEvent(UserDataEvent):
    """An event type the SDK does not know yet; every key but ``e`` and ``E`` is in ``extra``."""

    @property
    def raw(self) -> dict[str, Any]:
        """The event object exactly as received."""
        out: dict[str, Any] = unstructure_later(self)
        return out


EVENT_TYPES: dict[str, type[UserDataEvent]] = {
    "executionReport": ExecutionReport,
    "outboundAccountPosition": OutboundAccountPosition,
    "balanceUpdate": BalanceUpdate,
    "listStatus": ListStatus,
    "externalLockUpdate": ExternalLockUpdate,
    "eventStreamTerminated": EventStreamTerminated,
}


# -- fast decoding ----------------------------------------------------------------------------
#
# The converter's model hook loops over the keys sent and looks each one up: right for any
# document, but a busy account gets thousands of executionReports a second, all with the same
# keys in the same order. So each (type, key order) seen gets a function compiled for it: one
# expression per key, no lookups, no branches. It is used only while it fits: any surprise (a
# JSON number where a decimal string belongs, an enum value not known yet, a null) raises, and
# the event goes through the converter's hook instead, which handles every case losslessly.

_SHAPES_PER_TYPE = 32  # key orders compiled per event type; beyond that the hook is used


def _bad(value: Any) -> Any:
    raise TypeError(f"unexpected {type(value).__name__}")


class _Decoder:
    """Decodes one event type: a compiled function per key order, the converter's hook otherwise.

    The models keep their fields in ``__dict__`` (``slots=False``) so a compiled function
    builds that dict in one literal instead of calling ``__init__`` with sixty arguments;
    the literal holds only the keys sent: every field also has a class attribute ``None``,
    which is what an absent field reads as (most of an executionReport's are conditional).
    """

    def __init__(self, cls: type[UserDataEvent]) -> None:
        import typing

        self.cls = cls
        self.hook = structure_hook(cls)
        self.shapes: dict[tuple[str, ...], Callable[[dict[str, Any]], Any]] = {}
        self._lock = threading.Lock()
        for f in attrs.fields(cls):
            if f.init and f.name not in cls.__dict__:
                setattr(cls, f.name, None)
        self.fields: dict[str, tuple[str, str, Any]] = {}
        hints = typing.get_type_hints(cls)
        for f in attrs.fields(cls):
            if not f.init:
                continue
            inner = [a for a in typing.get_args(hints[f.name]) if a is not type(None)]
            tp = inner[0] if len(inner) == 1 else hints[f.name]
            if tp is Decimal:
                kind, conv = "dec", None
            elif isinstance(tp, type) and issubclass(tp, str) and tp is not str:
                kind, conv = "enum", tp._value2member_map_  # type: ignore[attr-defined]
            elif typing.get_origin(tp) is list:
                kind, conv = "hook", functools.partial(_call, structure_hook(tp), tp)
            else:
                kind, conv = "keep", None
            self.fields[wire_name(f)] = (f.name, kind, conv)

    def __call__(self, raw: dict[str, Any]) -> Any:
        keys = tuple(raw)
        fn = self.shapes.get(keys)
        if fn is None:
            fn = self._compile(keys)
            if fn is None:
                return self.hook(raw, self.cls)
        try:
            return fn(raw)
        except Exception:
            return self.hook(raw, self.cls)

    def _compile(self, keys: tuple[str, ...]) -> Callable[[dict[str, Any]], Any] | None:
        with self._lock:
            if len(self.shapes) >= _SHAPES_PER_TYPE or any(k not in self.fields for k in keys):
                return None  # unknown keys go to ``extra``: the hook's job
            env: dict[str, Any] = {
                "new": object.__new__,
                "cls": self.cls,
                "keys": keys,
                "setattr": object.__setattr__,
                "D": Decimal,
                "bad": _bad,
            }
            items = []
            for n, key in enumerate(keys):
                name, kind, conv = self.fields[key]
                get = f"raw[{key!r}]"
                if kind == "dec":
                    value = f"(D(v) if type(v := {get}) is str else bad(v))"
                elif kind == "enum":
                    env[f"m{n}"] = conv
                    value = f"m{n}[{get}]"
                elif kind == "hook":
                    env[f"h{n}"] = conv
                    value = f"h{n}({get})"
                else:
                    value = get
                items.append(f"{name!r}: {value}")
            src = (
                "def decode(raw):\n"
                "    obj = new(cls)\n"
                f"    setattr(obj, '__dict__', {{{', '.join(items)}}})\n"
                "    setattr(obj, '_wire_keys', keys)\n"
                "    setattr(obj, 'extra', None)\n"
                "    return obj\n"
            )
            exec(compile(src, f"<decode {self.cls.__name__}>", "exec"), env)
            fn: Callable[[dict[str, Any]], Any] = env["decode"]
            self.shapes[keys] = fn
            return fn


def _call(hook: Callable[[Any, Any], Any], tp: Any, value: Any) -> Any:
    return hook(value, tp)


_decoders: dict[str, _Decoder] = {}
_decoders_lock = threading.Lock()


def _decoder(kind: str) -> _Decoder | None:
    decoder = _decoders.get(kind)
    if decoder is None:
        cls = EVENT_TYPES.get(kind)
        if cls is None:
            return None
        with _decoders_lock:
            decoder = _decoders.setdefault(kind, _Decoder(cls))
    return decoder


def decode_event(raw: Mapping[str, Any]) -> UserDataEvent:
    """The typed event for one ``event`` object (the ``e`` key picks the model).

    Never raises for a JSON object: a type the SDK does not know gives an
    :class:`UnknownEvent`, a value that cannot be converted stays in ``extra``.

    Example::

        >>> from binance_ws.models.events import decode_event
        >>> decode_event({"e": "somethingNew", "E": 1, "x": [1]}).raw
        {'e': 'somethingNew', 'E': 1, 'x': [1]}
    """
    kind = raw.get("e")
    decoder = _decoders.get(kind) if type(kind) is str else None
    if decoder is None and type(kind) is str:
        decoder = _decoder(kind)
    if decoder is None:
        unknown: UnknownEvent = structure_later(raw, UnknownEvent)
        return unknown
    event: UserDataEvent = decoder(raw if type(raw) is dict else dict(raw))
    return event
