"""Parameter parsing and order validation of the local exchange, with Binance's error codes.

Checks run in Binance's order: malformed or missing parameters (-11xx), then the symbol's
filters (-1013 "Filter failure: X"); the engine then applies what needs its state
(balances, open-order counts, the book).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

import attrs

from ..model import errors as _errors
from ..model.errors import ExchangeError
from ..model.symbols import (
    ICEBERG_PARTS,
    MAX_NOTIONAL,
    MAX_TRAILING_DELTA,
    MIN_TRAILING_DELTA,
    PERCENT_DOWN,
    PERCENT_UP,
    SymbolInfo,
)

__all__ = [
    "OrderRequest",
    "decimal_param",
    "enum_param",
    "filter_failure",
    "int_param",
    "limit_param",
    "parse_order",
    "symbol_param",
    "symbols_param",
]

SIDES = ("BUY", "SELL")
ORDER_TYPES = (
    "LIMIT",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
    "LIMIT_MAKER",
)
TIME_IN_FORCE = ("GTC", "IOC", "FOK")
RESP_TYPES = ("ACK", "RESULT", "FULL")
STP_MODES = ("NONE", "EXPIRE_MAKER", "EXPIRE_TAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER")
PEG_PRICE_TYPES = ("PRIMARY_PEG", "MARKET_PEG")
PEGGABLE = ("LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")
# Binance's exact patterns, quoted in its -1100 messages.
DECIMAL_RE = re.compile(r"^([0-9]{1,20})(\.[0-9]{1,20})?$")
DECIMAL_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
CLIENT_ID_RE = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")
CLIENT_ID_RANGE = r"^[\.A-Z\:/a-z0-9_-]{1,36}$"
# Binance reserves strategyType values below this for itself.
MIN_STRATEGY_TYPE = 1_000_000

# Per order type: the params it needs (a tuple is "one of") and the params it refuses.
REQUIRED: Mapping[str, tuple[str | tuple[str, str], ...]] = {
    "LIMIT": ("timeInForce", "price", "quantity"),
    "LIMIT_MAKER": ("price", "quantity"),
    "MARKET": (("quantity", "quoteOrderQty"),),
    "STOP_LOSS": ("quantity", ("stopPrice", "trailingDelta")),
    "STOP_LOSS_LIMIT": ("timeInForce", "price", "quantity", ("stopPrice", "trailingDelta")),
    "TAKE_PROFIT": ("quantity", ("stopPrice", "trailingDelta")),
    "TAKE_PROFIT_LIMIT": ("timeInForce", "price", "quantity", ("stopPrice", "trailingDelta")),
}
REFUSED: Mapping[str, tuple[str, ...]] = {
    "LIMIT": ("stopPrice", "trailingDelta", "quoteOrderQty"),
    "LIMIT_MAKER": ("timeInForce", "stopPrice", "trailingDelta", "quoteOrderQty"),
    "MARKET": ("timeInForce", "price", "stopPrice", "trailingDelta", "icebergQty"),
    "STOP_LOSS": ("timeInForce", "price", "quoteOrderQty", "icebergQty"),
    "STOP_LOSS_LIMIT": ("quoteOrderQty",),
    "TAKE_PROFIT": ("timeInForce", "price", "quoteOrderQty", "icebergQty"),
    "TAKE_PROFIT_LIMIT": ("quoteOrderQty",),
}


def filter_failure(name: str) -> ExchangeError:
    return _errors.bad_request(-1013, f"Filter failure: {name}")


def _illegal(name: str, legal: str) -> ExchangeError:
    return _errors.bad_request(
        -1100, f"Illegal characters found in parameter '{name}'; legal range is '{legal}'."
    )


def decimal_param(params: Mapping[str, Any], name: str, wire: str | None = None) -> Decimal | None:
    """``params[name]`` as a Decimal (strings as Binance accepts them, or JSON numbers)."""
    value = params.get(name)
    if value is None:
        return None
    wire = wire or name
    if isinstance(value, bool):
        raise _illegal(wire, DECIMAL_RANGE)
    text = repr(value) if isinstance(value, float) else str(value)
    if not DECIMAL_RE.match(text):
        raise _illegal(wire, DECIMAL_RANGE)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _illegal(wire, DECIMAL_RANGE) from None


def int_param(params: Mapping[str, Any], name: str, wire: str | None = None) -> int | None:
    """``params[name]`` as an int (a JSON integer, or a string of digits)."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        raise _errors.malformed(wire or name)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,20}", value):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _errors.malformed(wire or name)


def limit_param(params: Mapping[str, Any], default: int = 500, high: int = 1000) -> int:
    value = int_param(params, "limit")
    if value is None:
        return default
    if not 1 <= value <= high:
        raise _illegal("limit", f"1-{high}")
    return value


def enum_param(
    params: Mapping[str, Any],
    name: str,
    allowed: tuple[str, ...],
    error: ExchangeError | None = None,
    wire: str | None = None,
) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise error or _illegal(wire or name, ", ".join(allowed))
    return value


def symbol_param(
    symbols: Mapping[str, SymbolInfo], params: Mapping[str, Any], name: str = "symbol"
) -> SymbolInfo:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise _errors.mandatory_missing(name)
    info = symbols.get(value)
    if info is None:
        raise _errors.bad_symbol()
    return info


def symbols_param(symbols: Mapping[str, SymbolInfo], params: Mapping[str, Any]) -> list[SymbolInfo] | None:
    """``symbols`` (a JSON array, or the JSON text of one) as symbol infos; None if absent."""
    value = params.get("symbols")
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _errors.bad_request(-1135, "JSON sent for parameter 'symbols' is not valid") from None
    if not isinstance(value, list) or not value or not all(isinstance(s, str) for s in value):
        raise _errors.malformed("symbols")
    if len(set(value)) != len(value):
        raise _errors.bad_request(-1151, "Symbol is present multiple times in the list.")
    infos = []
    for name in value:
        info = symbols.get(name)
        if info is None:
            raise _errors.bad_symbol()
        infos.append(info)
    return infos


@attrs.define
class OrderRequest:
    """A checked order: what ``order.place`` (or one leg of a list) asked for."""

    info: SymbolInfo
    side: str
    type: str
    time_in_force: str | None = None
    price: Decimal | None = None
    quantity: Decimal | None = None
    quote_order_qty: Decimal | None = None
    client_order_id: str | None = None
    resp_type: str = "ACK"
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    iceberg_qty: Decimal | None = None
    strategy_id: int | None = None
    strategy_type: int | None = None
    stp_mode: str = "EXPIRE_MAKER"
    peg_price_type: str | None = None
    peg_offset_type: str | None = None
    peg_offset_value: int | None = None
    sor: bool = False


def plain_names(name: str) -> str:
    return name


def parse_order(
    info: SymbolInfo,
    params: Mapping[str, Any],
    *,
    wire: Callable[[str], str] = plain_names,
    side: str | None = None,
    sor: bool = False,
    need_quantity: bool = True,
) -> OrderRequest:
    """Parse and check one order's params (names as ``order.place`` spells them).

    ``wire`` maps a name to the name the caller actually sent (``price`` ->
    ``abovePrice`` for an OCO leg), so errors name the parameter the caller knows.
    ``need_quantity=False`` is for OPO pending orders, sized when the working order fills.
    """
    side = (
        side
        if side is not None
        else enum_param(params, "side", SIDES, _errors.bad_request(-1117, "Invalid side."))
    )
    if side is None:
        raise _errors.mandatory_missing(wire("side"))
    order_type = enum_param(params, "type", ORDER_TYPES, _errors.bad_request(-1116, "Invalid orderType."))
    if order_type is None:
        raise _errors.mandatory_missing(wire("type"))
    if sor and order_type not in ("LIMIT", "MARKET"):
        raise _errors.bad_request(-1116, "Invalid orderType.")
    peg = enum_param(
        params, "pegPriceType", PEG_PRICE_TYPES, _errors.bad_request(-1210, "Invalid pegPriceType.")
    )
    given = {k for k, v in params.items() if v is not None}
    if not need_quantity:
        given.add("quantity")
    for need in REQUIRED[order_type]:
        if isinstance(need, tuple):
            if not any(n in given for n in need):
                raise _errors.bad_request(
                    -1102,
                    f"Param '{wire(need[0])}' or '{wire(need[1])}' must be sent, but both were empty/null!",
                )
        elif need not in given and not (need == "price" and peg is not None):
            raise _errors.mandatory_missing(wire(need))
    for refused in REFUSED[order_type]:
        if refused in given:
            raise _errors.bad_request(-1106, f"Parameter '{wire(refused)}' sent when not required.")
    if order_type == "MARKET" and "quantity" in given and "quoteOrderQty" in given and need_quantity:
        raise _errors.bad_request(-1106, f"Parameter '{wire('quoteOrderQty')}' sent when not required.")
    tif = enum_param(params, "timeInForce", TIME_IN_FORCE, _errors.bad_request(-1115, "Invalid timeInForce."))
    client_id = params.get("newClientOrderId")
    if client_id is not None:
        if not isinstance(client_id, str) or client_id == "":
            raise _errors.bad_request(-1118, "New client order ID was empty.")
        if not CLIENT_ID_RE.match(client_id):
            raise _illegal(wire("newClientOrderId"), CLIENT_ID_RANGE)
    strategy_type = int_param(params, "strategyType", wire("strategyType"))
    if strategy_type is not None and strategy_type < MIN_STRATEGY_TYPE:
        raise _errors.bad_request(-1134, "strategyType was less than 1000000.")
    req = OrderRequest(
        info=info,
        side=side,
        type=order_type,
        time_in_force=tif,
        price=decimal_param(params, "price", wire("price")),
        quantity=decimal_param(params, "quantity", wire("quantity")) if need_quantity else None,
        quote_order_qty=decimal_param(params, "quoteOrderQty", wire("quoteOrderQty")),
        client_order_id=client_id,
        resp_type=enum_param(params, "newOrderRespType", RESP_TYPES, wire=wire("newOrderRespType"))
        or ("FULL" if order_type in ("LIMIT", "MARKET") else "ACK"),
        stop_price=decimal_param(params, "stopPrice", wire("stopPrice")),
        trailing_delta=_trailing_delta(params, wire),
        iceberg_qty=decimal_param(params, "icebergQty", wire("icebergQty")),
        strategy_id=int_param(params, "strategyId", wire("strategyId")),
        strategy_type=strategy_type,
        stp_mode=enum_param(
            params, "selfTradePreventionMode", STP_MODES, wire=wire("selfTradePreventionMode")
        )
        or "EXPIRE_MAKER",
        peg_price_type=peg,
        peg_offset_type=enum_param(
            params, "pegOffsetType", ("PRICE_LEVEL",), _errors.bad_request(-1211, "Invalid pegOffsetType.")
        ),
        peg_offset_value=int_param(params, "pegOffsetValue", wire("pegOffsetValue")),
        sor=sor,
    )
    if req.peg_price_type is not None and order_type not in PEGGABLE:
        raise _errors.bad_request(-2010, "This order type may not use pegged price.")
    if req.iceberg_qty is not None and (
        order_type in ("MARKET", "STOP_LOSS", "TAKE_PROFIT") or (req.time_in_force not in (None, "GTC"))
    ):
        raise _errors.bad_request(-1014, "Unsupported order combination.")
    return req


def _trailing_delta(params: Mapping[str, Any], wire: Callable[[str], str]) -> int | None:
    value = params.get("trailingDelta")
    if value is None:
        return None
    if isinstance(value, str) and DECIMAL_RE.match(value) and Decimal(value) == int(Decimal(value)):
        return int(Decimal(value))
    return int_param(params, "trailingDelta", wire("trailingDelta"))


def _on_step(value: Decimal, low: Decimal, step: Decimal) -> bool:
    return step == 0 or (value - low) % step == 0


def check_price(info: SymbolInfo, price: Decimal) -> None:
    if price < info.min_price or price > info.max_price or not _on_step(price, info.min_price, info.tick):
        raise filter_failure("PRICE_FILTER")


def check_quantity(info: SymbolInfo, qty: Decimal) -> None:
    if qty < info.min_qty or qty > info.max_qty or not _on_step(qty, info.min_qty, info.step):
        raise filter_failure("LOT_SIZE")


def floor_step(info: SymbolInfo, qty: Decimal) -> Decimal:
    """``qty`` rounded down to the symbol's LOT_SIZE step."""
    return (qty / info.step).to_integral_value(rounding=ROUND_DOWN) * info.step


def check_filters(req: OrderRequest, avg_price: Decimal) -> None:
    """The symbol's filters, in exchangeInfo order; ``avg_price`` is the 5-minute average."""
    info = req.info
    if req.price is not None:
        check_price(info, req.price)
    if req.stop_price is not None:
        check_price(info, req.stop_price)
    if req.quantity is not None:
        check_quantity(info, req.quantity)
    elif req.quote_order_qty is not None and req.quote_order_qty <= 0:
        raise filter_failure("NOTIONAL")
    if req.iceberg_qty is not None and req.quantity is not None:
        if req.iceberg_qty > req.quantity:
            raise _errors.bad_request(-2010, "IcebergQty exceeds QTY.")
        if req.iceberg_qty <= 0 or -(-req.quantity // req.iceberg_qty) > ICEBERG_PARTS:
            raise filter_failure("ICEBERG_PARTS")
    if req.trailing_delta is not None and not MIN_TRAILING_DELTA <= req.trailing_delta <= MAX_TRAILING_DELTA:
        raise filter_failure("TRAILING_DELTA")
    # Bid and ask multipliers are the same on every symbol here, so one range serves both sides.
    if req.price is not None and not avg_price * PERCENT_DOWN <= req.price <= avg_price * PERCENT_UP:
        raise filter_failure("PERCENT_PRICE_BY_SIDE")
    if req.quantity is not None:
        if req.price is not None:
            notional = req.price * req.quantity
        elif req.stop_price is not None:
            notional = req.stop_price * req.quantity
        else:
            notional = avg_price * req.quantity
        is_market = req.type in ("MARKET", "STOP_LOSS", "TAKE_PROFIT")
        if notional < info.min_notional or (not is_market and notional > MAX_NOTIONAL):
            raise filter_failure("NOTIONAL")
    elif req.quote_order_qty is not None and req.quote_order_qty < info.min_notional:
        raise filter_failure("NOTIONAL")
