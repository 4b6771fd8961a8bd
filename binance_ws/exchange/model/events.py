"""User-data event payloads, keyed as ``user-data-events.json`` describes them.

These build the ``event`` object only; ``UserDataHub.publish`` wraps it in
``{"subscriptionId": n, "event": ...}`` and routes it to the account's subscriptions.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .decimals import ZERO, fmt

if TYPE_CHECKING:
    from .accounts import Account
    from .orders import Order, OrderList

__all__ = ["account_position", "execution_report", "list_status", "with_working"]


def execution_report(
    order: Order,
    *,
    exec_type: str,
    now: int,
    execution_id: int,
    orig_client_order_id: str = "",
    last_qty: Decimal = ZERO,
    last_price: Decimal = ZERO,
    commission: Decimal = ZERO,
    commission_asset: str | None = None,
    trade_id: int = -1,
    is_maker: bool = False,
    reject_reason: str = "NONE",
    prevention: tuple[Decimal, int, int, str, Decimal] | None = None,
) -> dict[str, Any]:
    """One ``executionReport``: the order's state after ``exec_type`` happened to it.

    Keys in the order of Binance's example (``v`` after ``t``, ``V`` last), the conditional
    keys (``W`` among them) in the order the docs list them. ``prevention``: (last
    prevented quantity, trade group id, counter order id, counter symbol, price) of a
    self-trade prevention (execution type TRADE_PREVENTION).
    """
    event: dict[str, Any] = {
        "e": "executionReport",
        "E": now,
        "s": order.symbol,
        "c": order.client_order_id,
        "S": order.side,
        "o": order.type,
        "f": order.time_in_force,
        "q": fmt(order.orig_qty),
        "p": fmt(order.price),
        "P": fmt(order.stop_price or ZERO),
        "F": fmt(order.iceberg_qty or ZERO),
        "g": order.order_list_id,
        "C": orig_client_order_id,
        "x": exec_type,
        "X": order.status,
        "r": reject_reason,
        "i": order.order_id,
        "l": fmt(last_qty),
        "z": fmt(order.executed_qty),
        "L": fmt(last_price),
        "n": fmt(commission) if commission_asset is not None else "0",
        "N": commission_asset,
        "T": now,
        "t": trade_id,
    }
    if order.prevented_match_id is not None:
        event["v"] = order.prevented_match_id
    event.update(
        {
            "I": execution_id,
            "w": order.is_open and order.is_working,
            "m": is_maker,
            "M": False,
            "O": order.time,
            "Z": fmt(order.cum_quote),
            "Y": fmt(last_price * last_qty),
            "Q": fmt(order.orig_quote_order_qty),
        }
    )
    if order.trailing_delta is not None:
        event["d"] = order.trailing_delta
        event["D"] = order.trailing_time
    if order.strategy_id is not None:
        event["j"] = order.strategy_id
    if order.strategy_type is not None:
        event["J"] = order.strategy_type
    if order.prevented_match_id is not None:
        event["A"] = fmt(order.prevented_quantity)
    if prevention is not None:
        qty, group, counter_id, counter_symbol, price = prevention
        event["B"] = fmt(qty)
        event["u"] = group
        event["U"] = counter_id
        event["Cs"] = counter_symbol
        event["pl"] = fmt(qty)
        event["pL"] = fmt(price)
        event["pY"] = fmt(qty * price)
    if order.working_time != -1:
        event["W"] = order.working_time
    if order.used_sor:
        event["k"] = "SOR"
        event["uS"] = True
    if order.peg_price_type is not None:
        event["gP"] = order.peg_price_type
        if order.peg_offset_type is not None:
            event["gOT"] = order.peg_offset_type
            event["gOV"] = order.peg_offset_value
        event["gp"] = fmt(order.price)
    if order.expiry_reason is not None:
        event["eR"] = order.expiry_reason
    event["V"] = order.stp_mode
    return event


# Keys an executionReport carries after "W", in order.
_AFTER_W = ("b", "a", "k", "uS", "gP", "gOT", "gOV", "gp", "eR", "V")


def with_working(event: dict[str, Any], working_time: int) -> dict[str, Any]:
    """The NEW report of an order that started working right away (``w`` true, ``W`` in place).

    The engine reports NEW before it starts the order, so the report is completed after.
    """
    out: dict[str, Any] = {}
    for key, value in event.items():
        if key in _AFTER_W and "W" not in out:
            out["W"] = working_time
        out[key] = value
    out["w"] = True
    out.setdefault("W", working_time)
    return out


def account_position(account: Account, assets: Iterable[str], now: int) -> dict[str, Any]:
    """``outboundAccountPosition`` for the assets that may have changed."""
    return {
        "e": "outboundAccountPosition",
        "E": now,
        "u": account.update_time or now,
        "B": [{"a": a, "f": fmt(free), "l": fmt(locked)} for a, free, locked in account.balance_rows(assets)],
    }


def list_status(order_list: OrderList, now: int, reject_reason: str = "NONE") -> dict[str, Any]:
    """``listStatus``, sent after the executionReports of the list's orders."""
    return {
        "e": "listStatus",
        "E": now,
        "s": order_list.symbol,
        "g": order_list.order_list_id,
        "c": order_list.contingency_type,
        "l": order_list.status_type,
        "L": order_list.order_status,
        "r": reject_reason,
        "C": order_list.list_client_order_id,
        "T": order_list.transaction_time,
        "O": [{"s": o.symbol, "i": o.order_id, "c": o.client_order_id} for o in order_list.orders],
    }
