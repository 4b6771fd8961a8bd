"""Account method handlers: balances, commission, order and trade queries, filters.

Queries read the engine's state under its lock and answer for the account the request's
API key acts for. Time-ranged queries follow the protocol's rules: no range gives the
newest items, ``startTime`` the oldest from there, ``endTime`` the newest up to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ..engine.validation import int_param, limit_param, symbol_param
from ..model import errors as _errors
from ..model.decimals import ZERO, fmt
from ..model.orders import Order, OrderList, no_discount
from ..model.symbols import MAX_NUM_ORDER_LISTS
from ..services.session import account_id_for
from .table import Table

if TYPE_CHECKING:
    from ..services.session import Session
    from ..services.venue import Venue

__all__ = ["TABLE"]

TABLE = Table()

T = TypeVar("T")

# Binance caps a startTime..endTime query at 24 hours.
MAX_RANGE_MS = 24 * 60 * 60 * 1000
# The exchange-wide open-order limit shown by myFilters.
EXCHANGE_MAX_NUM_ORDERS = 1000


def _range(params: dict[str, Any]) -> tuple[int | None, int | None]:
    start, end = int_param(params, "startTime"), int_param(params, "endTime")
    if start is not None and end is not None:
        if end < start:
            raise _errors.bad_request(-1127, "Lookup interval is too big.")
        if end - start > MAX_RANGE_MS:
            raise _errors.bad_request(-1127, "More than 24 hours between startTime and endTime.")
    return start, end


def _window(
    items: Sequence[T], when: Callable[[T], int], start: int | None, end: int | None, limit: int
) -> list[T]:
    if start is None and end is None:
        return list(items[-limit:])
    chosen = [i for i in items if (start is None or when(i) >= start) and (end is None or when(i) <= end)]
    return chosen[:limit] if start is not None else chosen[-limit:]


def _bad_combo() -> _errors.ExchangeError:
    return _errors.bad_request(-1128, "Combination of optional parameters invalid.")


@TABLE.handles("account.status")
def account_status(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    omit_zero = params.get("omitZeroBalances") in (True, "true")
    with venue.engine.lock:
        account = venue.engine.account(account_id_for(venue.keys, session))
        rows = account.balance_rows()
        rates = {
            "maker": fmt(account.maker),
            "taker": fmt(account.taker),
            "buyer": fmt(account.buyer),
            "seller": fmt(account.seller),
        }
        return {
            "makerCommission": int(account.maker * 10_000),
            "takerCommission": int(account.taker * 10_000),
            "buyerCommission": int(account.buyer * 10_000),
            "sellerCommission": int(account.seller * 10_000),
            "canTrade": account.can_trade,
            "canWithdraw": True,
            "canDeposit": True,
            "commissionRates": rates,
            "brokered": False,
            "requireSelfTradePrevention": False,
            "preventSor": False,
            "updateTime": account.update_time,
            "accountType": "SPOT",
            "balances": [
                {"asset": a, "free": fmt(free), "locked": fmt(locked)}
                for a, free, locked in rows
                if not omit_zero or free != 0 or locked != 0
            ],
            "permissions": ["SPOT"],
            "uid": account.uid,
        }


@TABLE.handles("account.commission")
def account_commission(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    info = symbol_param(venue.symbols, params)
    account = venue.engine.account(account_id_for(venue.keys, session))
    zero = fmt(ZERO)
    return {
        "symbol": info.symbol,
        "standardCommission": {
            "maker": fmt(account.maker),
            "taker": fmt(account.taker),
            "buyer": fmt(account.buyer),
            "seller": fmt(account.seller),
        },
        "specialCommission": {"maker": zero, "taker": zero, "buyer": zero, "seller": zero},
        "taxCommission": {"maker": zero, "taker": zero, "buyer": zero, "seller": zero},
        "discount": no_discount(),
    }


def _order_of(venue: Venue, session: Session, params: dict[str, Any]) -> Order:
    info = symbol_param(venue.symbols, params)
    order_id = int_param(params, "orderId")
    client_id = params.get("origClientOrderId")
    if order_id is None and client_id is None:
        raise _errors.bad_request(
            -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
        )
    account_id = account_id_for(venue.keys, session)
    if order_id is not None:
        order = venue.engine.orders.get(order_id)
        if order is None or order.account_id != account_id or order.symbol != info.symbol:
            raise _errors.bad_request(-2013, "Order does not exist.")
        if client_id is not None and order.client_order_id != client_id:
            raise _errors.bad_request(-2039, "Client order ID is not correct for this order ID.")
        return order
    found = venue.engine.by_client_id.get((account_id, info.symbol, str(client_id)))
    if found is None:
        raise _errors.bad_request(-2013, "Order does not exist.")
    return found


@TABLE.handles("order.status")
def order_status(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    with venue.engine.lock:
        return _order_of(venue, session, params).status_report()


@TABLE.handles("openOrders.status")
def open_orders_status(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    account_id = account_id_for(venue.keys, session)
    symbols = [symbol_param(venue.symbols, params).symbol] if "symbol" in params else list(venue.symbols)
    with venue.engine.lock:
        out: list[Order] = []
        for symbol in symbols:
            out.extend(venue.engine.open_orders.get((account_id, symbol), {}).values())
        return [o.status_report() for o in sorted(out, key=lambda o: o.order_id)]


@TABLE.handles("allOrders")
def all_orders(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    info = symbol_param(venue.symbols, params)
    limit = limit_param(params)
    start, end = _range(params)
    from_id = int_param(params, "orderId")
    with venue.engine.lock:
        orders = venue.engine.account_orders.get((account_id_for(venue.keys, session), info.symbol), [])
        if start is None and end is None and from_id is not None:
            chosen = [o for o in orders if o.order_id >= from_id][:limit]
        else:
            chosen = _window(orders, lambda o: o.update_time, start, end, limit)
        return [o.status_report() for o in chosen]


def _list_of(venue: Venue, session: Session, params: dict[str, Any]) -> OrderList:
    account_id = account_id_for(venue.keys, session)
    client_id = params.get("origClientOrderId")
    list_id = int_param(params, "orderListId")
    if client_id is None and list_id is None:
        raise _errors.bad_request(
            -1102, "Param 'origClientOrderId' or 'orderListId' must be sent, but both were empty/null!"
        )
    # With both, Binance uses only origClientOrderId.
    if client_id is not None:
        found = venue.engine.list_by_client_id.get((account_id, str(client_id)))
    else:
        found = venue.engine.lists.get(list_id) if list_id is not None else None
    if found is None or found.account_id != account_id:
        raise _errors.bad_request(-2011, "Order list does not exist.")
    return found


@TABLE.handles("orderList.status")
def order_list_status(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    with venue.engine.lock:
        return _list_of(venue, session, params).status_report()


@TABLE.handles("openOrderLists.status")
def open_order_lists_status(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    with venue.engine.lock:
        lists = venue.engine.account_lists.get(account_id_for(venue.keys, session), [])
        return [lst.status_report() for lst in lists if lst.is_open]


@TABLE.handles("allOrderLists")
def all_order_lists(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    limit = limit_param(params)
    start, end = _range(params)
    from_id = int_param(params, "fromId")
    with venue.engine.lock:
        lists = venue.engine.account_lists.get(account_id_for(venue.keys, session), [])
        if start is None and end is None and from_id is not None:
            chosen = [lst for lst in lists if lst.order_list_id >= from_id][:limit]
        else:
            chosen = _window(lists, lambda lst: lst.transaction_time, start, end, limit)
        return [lst.status_report() for lst in chosen]


@TABLE.handles("myTrades")
def my_trades(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    info = symbol_param(venue.symbols, params)
    limit = limit_param(params)
    start, end = _range(params)
    order_id = int_param(params, "orderId")
    from_id = int_param(params, "fromId")
    if (start is not None or end is not None) and (from_id is not None or order_id is not None):
        raise _bad_combo()
    with venue.engine.lock:
        trades = venue.engine.account_trades.get((account_id_for(venue.keys, session), info.symbol), [])
        if order_id is not None:
            trades = [t for t in trades if t.order_id == order_id]
        if from_id is not None:
            chosen = [t for t in trades if t.id >= from_id][:limit]
        else:
            chosen = _window(trades, lambda t: t.time, start, end, limit)
        return [t.to_wire() for t in chosen]


@TABLE.handles("account.rateLimits.orders")
def account_rate_limits_orders(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return venue.order_limits.snapshot(account_id_for(venue.keys, session))


@TABLE.handles("myPreventedMatches")
def my_prevented_matches(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    info = symbol_param(venue.symbols, params)
    match_id = int_param(params, "preventedMatchId")
    order_id = int_param(params, "orderId")
    from_id = int_param(params, "fromPreventedMatchId")
    limit = limit_param(params)
    if (match_id is None) == (order_id is None) or (from_id is not None and order_id is None):
        raise _bad_combo()
    with venue.engine.lock:
        matches = venue.engine.prevented.get((account_id_for(venue.keys, session), info.symbol), [])
        if match_id is not None:
            chosen = [m for m in matches if m.prevented_match_id == match_id]
        else:
            chosen = [
                m
                for m in matches
                if order_id in (m.taker_order_id, m.maker_order_id)
                and (from_id is None or m.prevented_match_id >= from_id)
            ][:limit]
        return [m.to_wire() for m in chosen]


@TABLE.handles("myAllocations")
def my_allocations(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    info = symbol_param(venue.symbols, params)
    limit = limit_param(params)
    start, end = _range(params)
    from_id = int_param(params, "fromAllocationId")
    order_id = int_param(params, "orderId")
    with venue.engine.lock:
        allocations = venue.engine.allocations.get((account_id_for(venue.keys, session), info.symbol), [])
        if order_id is not None:
            allocations = [a for a in allocations if a.order_id == order_id]
        if from_id is not None:
            chosen = [a for a in allocations if a.allocation_id >= from_id][:limit]
        elif start is None and end is None:
            chosen = list(allocations[:limit])  # oldest first, as the doc says for symbol alone
        else:
            chosen = _window(allocations, lambda a: a.time, start, end, limit)
        return [a.to_wire() for a in chosen]


@TABLE.handles("order.amendments")
def order_amendments(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    info = symbol_param(venue.symbols, params)
    order_id = int_param(params, "orderId")
    from_id = int_param(params, "fromExecutionId")
    limit = limit_param(params)
    with venue.engine.lock:
        order = venue.engine.orders.get(order_id) if order_id is not None else None
        if (
            order is None
            or order.account_id != account_id_for(venue.keys, session)
            or order.symbol != info.symbol
        ):
            raise _errors.bad_request(-2013, "Order does not exist.")
        found = venue.engine.amendments.get(order.order_id, [])
        chosen = [a for a in found if from_id is None or a.execution_id >= from_id][:limit]
        return [a.to_wire() for a in chosen]


@TABLE.handles("myFilters")
def my_filters(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    symbol_param(venue.symbols, params)
    return {
        "exchangeFilters": [
            {"filterType": "EXCHANGE_MAX_NUM_ORDERS", "maxNumOrders": EXCHANGE_MAX_NUM_ORDERS}
        ],
        "symbolFilters": [
            {"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": MAX_NUM_ORDER_LISTS},
        ],
        "assetFilters": [],
    }
