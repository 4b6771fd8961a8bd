"""Order lists: OCO, OTO, OTOCO, OPO, OPOCO and the deprecated ``orderList.place``.

An OCO pair shares one lock held by the list until one leg starts to work (its stop
triggers or it trades); that leg takes the lock and the other leg expires. A
working/pending list places its pending order(s) once the working order has filled
(an OPO sizes them from what the working order received).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..model import errors as _errors
from ..model.decimals import ZERO
from ..model.events import list_status
from ..model.orders import Order, OrderList
from ..model.symbols import MAX_NUM_ORDER_LISTS, SymbolInfo
from .matching import EngineCore
from .state import Tx, insufficient_balance, rejected
from .validation import (
    SIDES,
    OrderRequest,
    check_filters,
    enum_param,
    filter_failure,
    floor_step,
    parse_order,
)

__all__ = ["OrderListsMixin"]

_LEG_FIELDS = (
    "type",
    "price",
    "stopPrice",
    "trailingDelta",
    "timeInForce",
    "icebergQty",
    "strategyId",
    "strategyType",
    "pegPriceType",
    "pegOffsetType",
    "pegOffsetValue",
)
_STOP_LOSS = ("STOP_LOSS", "STOP_LOSS_LIMIT")
_ABOVE_TYPES = ("STOP_LOSS_LIMIT", "STOP_LOSS", "LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
_BELOW_TYPES = ("STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")


def _fields(prefix: str, **overrides: str) -> dict[str, str]:
    """How one leg spells each ``order.place`` param (``price`` -> ``abovePrice``)."""
    names = {f: prefix + f[0].upper() + f[1:] for f in _LEG_FIELDS}
    names["newClientOrderId"] = prefix + "ClientOrderId"
    names["quantity"] = prefix + "Quantity"
    names["side"] = prefix + "Side"
    names["selfTradePreventionMode"] = "selfTradePreventionMode"
    names.update(overrides)
    return names


def _leg(
    info: SymbolInfo, params: Mapping[str, Any], names: Mapping[str, str], side: str, **fixed: Any
) -> OrderRequest:
    """Parse one leg: its params renamed to ``order.place`` names; errors name the wire param."""
    renamed = {canon: params[wire] for canon, wire in names.items() if wire in params}
    renamed.update(fixed)
    return parse_order(
        info,
        renamed,
        wire=lambda name: names.get(name, name),
        side=side,
        need_quantity="quantity" in renamed,
    )


def _trigger_price(req: OrderRequest) -> Decimal | None:
    """The price that places a leg relative to the market: its stop, else its limit."""
    if req.type == "LIMIT_MAKER":
        return req.price
    return req.stop_price


class OrderListsMixin(EngineCore):
    """Placement, cancellation and the life of order lists."""

    # -- placement -------------------------------------------------------------------------

    def _side(self, params: Mapping[str, Any], name: str) -> str:
        side = enum_param(params, name, SIDES, _errors.bad_request(-1117, "Invalid side."))
        if side is None:
            raise _errors.mandatory_missing(name)
        return side

    def _oco_pair(
        self, info: SymbolInfo, params: Mapping[str, Any], pending: bool, side: str
    ) -> tuple[OrderRequest, OrderRequest]:
        """The above and below legs of an OCO, or of the pending pair of an OTOCO/OPOCO."""
        if pending:
            shared = {"quantity": "pendingQuantity", "side": "pendingSide"}
            above = _leg(info, params, _fields("pendingAbove", **shared), side)
            below = _leg(info, params, _fields("pendingBelow", **shared), side)
        else:
            above = _leg(info, params, _fields("above", quantity="quantity", side="side"), side)
            below = _leg(info, params, _fields("below", quantity="quantity", side="side"), side)
        if above.type not in _ABOVE_TYPES or below.type not in _BELOW_TYPES:
            raise _errors.bad_request(-1158, "Order type not supported in OCO.")
        return above, below

    def _check_oco(self, info: SymbolInfo, above: OrderRequest, below: OrderRequest) -> None:
        """Binance's OCO rules: which leg sits where, and both on the right side of the market."""
        side = above.side
        if side == "SELL":
            if above.type in _STOP_LOSS:
                raise _errors.bad_request(-1197, "A stop loss order in a sell OCO must be below.")
            if below.type not in _STOP_LOSS:
                raise _errors.bad_request(-1199, "A take profit order in a sell OCO must be above.")
        else:
            if below.type in _STOP_LOSS:
                raise _errors.bad_request(-1196, "A stop loss order in a buy OCO must be above.")
            if above.type not in _STOP_LOSS:
                raise _errors.bad_request(-1165, "A limit order in a buy OCO must be below.")
        last = self.book(info.symbol).last_price
        high, low = _trigger_price(above), _trigger_price(below)
        if (high is not None and high <= last) or (low is not None and low >= last):
            raise rejected("The relationship of the prices for the orders is not correct.")

    def place_list(
        self, account_id: str, kind: str, info: SymbolInfo, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Place an order list of ``kind`` (OCO, LEGACY_OCO, OTO, OTOCO, OPO, OPOCO)."""
        resp_type = enum_param(params, "newOrderRespType", ("ACK", "RESULT", "FULL"))
        working: OrderRequest | None = None
        pending: list[OrderRequest] = []
        if kind in ("OCO", "LEGACY_OCO"):
            side = self._side(params, "side")
            if kind == "OCO":
                above, below = self._oco_pair(info, params, False, side)
            else:
                above, below = self._legacy_legs(info, params, side)
            self._check_oco(info, above, below)
            legs = [above, below] if above.type in _STOP_LOSS else [below, above]
        else:
            opo = kind in ("OPO", "OPOCO")
            if opo and "pendingQuantity" in params:
                raise _errors.bad_request(-1106, "Parameter 'pendingQuantity' sent when not required.")
            working = _leg(info, params, _fields("working"), self._side(params, "workingSide"))
            if working.type not in ("LIMIT", "LIMIT_MAKER"):
                raise _errors.bad_request(-1116, "Invalid orderType.")
            pending_side = self._side(params, "pendingSide")
            if kind in ("OTO", "OPO"):
                pending = [_leg(info, params, _fields("pending"), pending_side)]
            else:
                above, below = self._oco_pair(info, params, True, pending_side)
                pending = [above, below] if above.type in _STOP_LOSS else [below, above]
            if opo and working.side != "BUY":
                raise _errors.bad_request(-1222, "Working order in an OPO list must be a bid.")
            if opo and pending_side != "SELL":
                raise _errors.bad_request(-1223, "Pending orders in an OPO list must be asks.")
            legs = [working, *pending]
        with self.transaction() as tx:
            avg = self.avg_price(info.symbol, tx.now)
            for req in legs:
                self.resolve_peg(req)
                check_filters(req, avg)
            return self._place_list(
                tx,
                account_id=account_id,
                kind=kind,
                info=info,
                params=params,
                legs=legs,
                working=working,
                resp_type=resp_type,
            )

    def _legacy_legs(
        self, info: SymbolInfo, params: Mapping[str, Any], side: str
    ) -> tuple[OrderRequest, OrderRequest]:
        common = {"quantity": "quantity", "selfTradePreventionMode": "selfTradePreventionMode"}
        limit_names = {
            "price": "price",
            "icebergQty": "limitIcebergQty",
            "newClientOrderId": "limitClientOrderId",
            "strategyId": "limitStrategyId",
            "strategyType": "limitStrategyType",
            **common,
        }
        stop_names = {
            "price": "stopLimitPrice",
            "timeInForce": "stopLimitTimeInForce",
            "stopPrice": "stopPrice",
            "trailingDelta": "trailingDelta",
            "icebergQty": "stopIcebergQty",
            "newClientOrderId": "stopClientOrderId",
            "strategyId": "stopStrategyId",
            "strategyType": "stopStrategyType",
            **common,
        }
        limit = _leg(info, params, limit_names, side, type="LIMIT_MAKER")
        stop_type = "STOP_LOSS_LIMIT" if params.get("stopLimitPrice") is not None else "STOP_LOSS"
        stop = _leg(info, params, stop_names, side, type=stop_type)
        return (limit, stop) if side == "SELL" else (stop, limit)

    def _place_list(
        self,
        tx: Tx,
        *,
        account_id: str,
        kind: str,
        info: SymbolInfo,
        params: Mapping[str, Any],
        legs: list[OrderRequest],
        working: OrderRequest | None,
        resp_type: str | None,
    ) -> dict[str, Any]:
        book = self.book(info.symbol)
        self.admit(account_id, legs)
        open_lists = sum(
            1 for lst in self.account_lists[account_id] if lst.is_open and lst.symbol == info.symbol
        )
        if open_lists >= MAX_NUM_ORDER_LISTS:
            raise filter_failure("MAX_NUM_ORDER_LISTS")
        list_client_id = params.get("listClientOrderId")
        if isinstance(list_client_id, str):
            known = self.list_by_client_id.get((account_id, list_client_id))
            if known is not None and known.is_open:
                raise rejected("Duplicate order sent.")
        for req in legs if working is None else legs[:1]:
            if (
                req.type == "LIMIT_MAKER"
                and req.price is not None
                and self.would_take(book, req.side, req.price)
            ):
                raise rejected("Order would immediately match and take.")
        account = self.account(account_id)
        if working is None:
            asset, amount = self._oco_funds(info, legs)
        else:
            asset, amount, _ = self.funds(working, book)
        if account.available(asset) < amount:
            raise insufficient_balance()
        lst = OrderList(
            next(self._list_ids),
            account_id,
            info.symbol,
            "OCO" if kind == "LEGACY_OCO" else kind,
            list_client_id if isinstance(list_client_id, str) else self.client_id(),
            tx.now,
        )
        self.lists[lst.order_list_id] = lst
        self.account_lists[account_id].append(lst)
        self.list_by_client_id[(account_id, lst.list_client_order_id)] = lst
        for i, req in enumerate(legs):
            order = self.create(tx, account_id, req, order_list_id=lst.order_list_id)
            if working is not None and i > 0:
                order.status = "PENDING_NEW"
                order.qty_known = req.quantity is not None
            lst.orders.append(order)
        if working is None:
            account.lock(asset, amount)
            lst.locked_asset, lst.locked = asset, amount
            tx.touch(account_id, asset)
        else:
            self.hold(tx, lst.orders[0], asset, amount)
        first = len(tx.events)
        for order in lst.orders:
            self.report(tx, order, "NEW")
        tx.events.append((account_id, list_status(lst, tx.now)))
        for i, order in enumerate(lst.orders if working is None else lst.orders[:1]):
            self.start(tx, order)
            self.started(tx, order, first + i)
        out = lst.status_report()
        if resp_type == "ACK":
            out["orderReports"] = [o.ack(tx.now) for o in lst.orders]
        elif resp_type == "FULL":
            out["orderReports"] = [o.full_report(tx.now) for o in lst.orders]
        else:
            out["orderReports"] = [o.result_report(tx.now) for o in lst.orders]
        return out

    def _oco_funds(self, info: SymbolInfo, legs: list[OrderRequest]) -> tuple[str, Decimal]:
        """One lock covers both legs of an OCO: the quantity, or its cost at the dearest leg."""
        qty = legs[0].quantity or ZERO
        if legs[0].side == "SELL":
            return info.base, qty
        dearest = max((r.price if r.price is not None else r.stop_price) or ZERO for r in legs)
        return info.quote, dearest * qty

    # -- cancellation ----------------------------------------------------------------------

    def cancel_list(
        self, tx: Tx, lst: OrderList, new_list_client_id: str | None, *, with_orig_ids: bool = True
    ) -> dict[str, Any]:
        """Cancel every open order of the list; the reply has the order-list shape.

        ``orderList.cancel`` reports the orders without ``origClientOrderId``; a list
        canceled through one of its orders (order.cancel, openOrders.cancelAll) has them.
        """
        reports = []
        for order in lst.orders:
            old = self.cancel_order(tx, order, None) if order.is_open else order.client_order_id
            report = order.cancel_report(old, tx.now)
            if not with_orig_ids:
                del report["origClientOrderId"]
            reports.append(report)
        self._release_list(tx, lst)
        lst.list_client_order_id = new_list_client_id or self.client_id()
        self.list_by_client_id[(lst.account_id, lst.list_client_order_id)] = lst
        self._close_list(tx, lst)
        out = lst.status_report()
        out["orderReports"] = reports
        return out

    def _release_list(self, tx: Tx, lst: OrderList) -> None:
        if lst.locked > 0 and lst.locked_asset is not None:
            self.account(lst.account_id).unlock(lst.locked_asset, lst.locked)
            tx.touch(lst.account_id, lst.locked_asset)
        lst.locked = ZERO

    def _close_list(self, tx: Tx, lst: OrderList) -> None:
        lst.status_type = lst.order_status = "ALL_DONE"
        lst.transaction_time = tx.now
        tx.events.append((lst.account_id, list_status(lst, tx.now)))

    # -- the life of a list ----------------------------------------------------------------

    def _oco_legs(self, lst: OrderList) -> list[Order]:
        if lst.kind == "OCO":
            return lst.orders
        return lst.orders[1:] if lst.kind in ("OTOCO", "OPOCO") else []

    def on_leg_works(self, tx: Tx, order: Order) -> None:
        lst = self.lists.get(order.order_list_id)
        if lst is None or lst.locked <= 0:
            return
        pair = self._oco_legs(lst)
        if order not in pair:
            return
        # The working leg takes the list's lock; the other leg is done.
        order.locked_asset, order.locked, lst.locked = lst.locked_asset, lst.locked, ZERO
        for other in pair:
            if other is not order and other.is_open:
                self.expire(tx, other, "OCO_TRIGGER")

    def on_list_order_done(self, tx: Tx, order: Order) -> None:
        lst = self.lists.get(order.order_list_id)
        if lst is None or not lst.is_open:
            return
        if lst.kind != "OCO" and order is lst.orders[0]:
            if order.status == "FILLED":
                self._activate_pending(tx, lst)
            else:
                for other in lst.orders[1:]:
                    if other.is_open:
                        self.expire(tx, other, "OTO_PHASE_ONE_EXPIRED")
        if all(not o.is_open for o in lst.orders):
            self._release_list(tx, lst)
            self._close_list(tx, lst)

    def _activate_pending(self, tx: Tx, lst: OrderList) -> None:
        """The working order filled: the pending order(s) go live."""
        working, pending = lst.orders[0], lst.orders[1:]
        info = self.symbols[lst.symbol]
        if lst.kind in ("OPO", "OPOCO"):
            qty = floor_step(info, working.received)
            for order in pending:
                order.orig_qty, order.qty_known = qty, True
        account = self.account(lst.account_id)
        book = self.book(lst.symbol)
        if lst.kind in ("OTOCO", "OPOCO"):
            legs = [self._as_request(info, o) for o in pending]
            asset, amount = self._oco_funds(info, legs)
        else:
            asset, amount, _ = self.funds(self._as_request(info, pending[0]), book)
        if pending[0].orig_qty < info.min_qty or account.available(asset) < amount:
            for order in pending:
                self.expire(tx, order, "REJECTED")
            return
        for order in pending:
            order.status = "NEW"
            order.update_time = tx.now
        if lst.kind in ("OTOCO", "OPOCO"):
            account.lock(asset, amount)
            lst.locked_asset, lst.locked = asset, amount
            tx.touch(lst.account_id, asset)
        else:
            self.hold(tx, pending[0], asset, amount)
        first = len(tx.events)
        for order in pending:
            self.report(tx, order, "NEW")
        tx.events.append((lst.account_id, list_status(lst, tx.now)))
        for i, order in enumerate(pending):
            tx.later.append(functools.partial(self._start_if_open, tx, order, first + i))

    def _start_if_open(self, tx: Tx, order: Order, report: int) -> None:
        if order.is_open:
            self.start(tx, order)
            self.started(tx, order, report)

    @staticmethod
    def _as_request(info: SymbolInfo, order: Order) -> OrderRequest:
        return OrderRequest(
            info=info,
            side=order.side,
            type=order.type,
            time_in_force=order.time_in_force,
            price=order.price if order.price > 0 else None,
            quantity=order.orig_qty,
            stop_price=order.stop_price,
        )
