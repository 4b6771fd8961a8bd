"""The matching engine of the local exchange: order entry as Binance does it.

Every public method takes the acting account id and the request's wire params, and
returns the ``result`` of a 200 answer or raises :class:`ExchangeError` with Binance's
code and message. It needs no server: build it from accounts and books, and give it a
``publish`` callback to receive the user-data events it causes.

Example::

    >>> import random
    >>> from binance_ws.exchange.model.accounts import Accounts
    >>> from binance_ws.exchange.model.book import Book
    >>> from binance_ws.exchange.model.symbols import default_symbols
    >>> symbols = {s.symbol: s for s in default_symbols()}
    >>> books = {n: Book(i, 20, random.Random(1)) for n, i in symbols.items()}
    >>> events = []
    >>> engine = Engine(Accounts.demo(), symbols, books, publish=lambda a, e: events.append(e))
    >>> engine.place("demo", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
    ...                       "quantity": "0.001"})["status"]
    'FILLED'
    >>> [e["e"] for e in events]
    ['executionReport', 'executionReport', 'outboundAccountPosition']
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..model import errors as _errors
from ..model.decimals import ZERO, fmt
from ..model.errors import ExchangeError
from ..model.orders import Amendment, Order, no_discount
from ..model.symbols import SymbolInfo
from .order_lists import OrderListsMixin
from .state import Tx, insufficient_balance, rejected
from .validation import (
    OrderRequest,
    check_filters,
    check_quantity,
    decimal_param,
    enum_param,
    int_param,
    parse_order,
    symbol_param,
)

__all__ = ["Engine"]

CANCEL_RESTRICTIONS = ("ONLY_NEW", "ONLY_PARTIALLY_FILLED")
# The symbol the exchange routes SOR orders on (exchangeInfo's ``sors``).
SOR_SYMBOLS = ("BTCUSDT",)


def _unknown_order() -> ExchangeError:
    return _errors.bad_request(-2011, "Unknown order sent.")


def _either(first: str, second: str) -> ExchangeError:
    return _errors.bad_request(
        -1102, f"Param '{first}' or '{second}' must be sent, but both were empty/null!"
    )


def _restrictions(params: Mapping[str, Any]) -> str | None:
    return enum_param(
        params,
        "cancelRestrictions",
        CANCEL_RESTRICTIONS,
        _errors.bad_request(-1145, "cancelRestrictions has to be either ONLY_NEW or ONLY_PARTIALLY_FILLED."),
    )


def _str(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _errors.malformed(name)
    return value


class Engine(OrderListsMixin):
    """Orders, matching, fills and balances for every symbol of one exchange."""

    # -- single orders ---------------------------------------------------------------------

    def place(self, account_id: str, params: Mapping[str, Any], *, sor: bool = False) -> Any:
        """``order.place`` (or ``sor.order.place`` with ``sor=True``, answered as a list)."""
        info = symbol_param(self.symbols, params)
        if sor and info.symbol not in SOR_SYMBOLS:
            raise _errors.bad_symbol()
        req = parse_order(info, params, sor=sor)
        with self.transaction() as tx:
            self.resolve_peg(req)
            check_filters(req, self.avg_price(info.symbol, tx.now))
            order = self.place_order(tx, account_id, req)
            report = order.placed_report(req.resp_type, tx.now)
            order.fills = []
        return [report] if sor else report

    def place_order(self, tx: Tx, account_id: str, req: OrderRequest, *, order_list_id: int = -1) -> Order:
        """Admit, fund, create and start one checked order (nothing changes if it is refused)."""
        book = self.book(req.info.symbol)
        self.admit(account_id, [req])
        if req.type == "LIMIT_MAKER" and req.price is not None and self.would_take(book, req.side, req.price):
            raise rejected("Order would immediately match and take.")
        if (
            req.stop_price is not None
            and req.trailing_delta is None
            and self.stop_hit(req.type, req.side, req.stop_price, book.last_price)
        ):
            raise rejected("Order would trigger immediately.")
        asset, amount, qty = self.funds(req, book)
        if self.account(account_id).available(asset) < amount:
            raise insufficient_balance()
        order = self.create(tx, account_id, req, order_list_id=order_list_id)
        order.orig_qty = qty
        self.hold(tx, order, asset, amount)
        index = len(tx.events)
        self.report(tx, order, "NEW")
        self.start(tx, order)
        self.started(tx, order, index)
        return order

    def test(self, account_id: str, params: Mapping[str, Any], *, sor: bool = False) -> dict[str, Any]:
        """``order.test`` / ``sor.order.test``: every check short of the matching engine."""
        info = symbol_param(self.symbols, params)
        if sor and info.symbol not in SOR_SYMBOLS:
            raise _errors.bad_symbol()
        req = parse_order(info, params, sor=sor)
        compute = params.get("computeCommissionRates", False)
        if compute not in (True, False, "true", "false"):
            raise _errors.malformed("computeCommissionRates")
        with self.lock:
            self.resolve_peg(req)
            check_filters(req, self.avg_price(info.symbol, self.clock()))
            account = self.account(account_id)
        if compute not in (True, "true"):
            return {}
        extra = account.buyer if req.side == "BUY" else account.seller
        zero = {"maker": fmt(ZERO), "taker": fmt(ZERO)}
        out: dict[str, Any] = {
            "standardCommissionForOrder": {
                "maker": fmt(account.maker + extra),
                "taker": fmt(account.taker + extra),
            }
        }
        if not sor:
            out["specialCommissionForOrder"] = dict(zero)
        out["taxCommissionForOrder"] = dict(zero)
        out["discount"] = no_discount()
        return out

    # -- cancel ----------------------------------------------------------------------------

    def cancel(self, account_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """``order.cancel``: one order, or its whole list when the order belongs to one."""
        info = symbol_param(self.symbols, params)
        order_id = int_param(params, "orderId")
        client_id = _str(params, "origClientOrderId")
        if order_id is None and client_id is None:
            raise _either("origClientOrderId", "orderId")
        restrictions = _restrictions(params)
        with self.transaction() as tx:
            return self.cancel_one(
                tx,
                account_id,
                info,
                order_id=order_id,
                client_id=client_id,
                new_client_id=_str(params, "newClientOrderId"),
                restrictions=restrictions,
            )

    def cancel_one(
        self,
        tx: Tx,
        account_id: str,
        info: SymbolInfo,
        *,
        order_id: int | None,
        client_id: str | None,
        new_client_id: str | None,
        restrictions: str | None,
    ) -> dict[str, Any]:
        order = self.find(account_id, info.symbol, order_id, client_id)
        if order is None or not order.is_open:
            raise _unknown_order()
        if (restrictions == "ONLY_NEW" and order.status != "NEW") or (
            restrictions == "ONLY_PARTIALLY_FILLED" and order.status != "PARTIALLY_FILLED"
        ):
            raise _errors.bad_request(-2011, "Order was not canceled due to cancel restrictions.")
        if order.order_list_id != -1:
            return self.cancel_list(tx, self.lists[order.order_list_id], new_client_id)
        old = self.cancel_order(tx, order, new_client_id)
        return order.cancel_report(old, tx.now)

    def cancel_all(self, account_id: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``openOrders.cancelAll``: every open order and order list of the symbol."""
        info = symbol_param(self.symbols, params)
        with self.transaction() as tx:
            opened = sorted(self.open_orders[(account_id, info.symbol)].values(), key=lambda o: o.order_id)
            if not opened:
                raise _unknown_order()
            results: list[dict[str, Any]] = []
            for order in opened:
                if not order.is_open:
                    continue
                if order.order_list_id != -1:
                    results.append(self.cancel_list(tx, self.lists[order.order_list_id], None))
                else:
                    old = self.cancel_order(tx, order, None)
                    results.append(order.cancel_report(old, tx.now))
            return results

    def cancel_list_request(self, account_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """``orderList.cancel``."""
        info = symbol_param(self.symbols, params)
        list_id = int_param(params, "orderListId")
        client_id = _str(params, "listClientOrderId")
        if list_id is None and client_id is None:
            raise _either("listClientOrderId", "orderListId")
        with self.transaction() as tx:
            lst = self.lists.get(list_id) if list_id is not None else None
            if list_id is None and client_id is not None:
                lst = self.list_by_client_id.get((account_id, client_id))
            if (
                lst is None
                or lst.account_id != account_id
                or lst.symbol != info.symbol
                or (client_id is not None and lst.list_client_order_id != client_id)
                or not lst.is_open
            ):
                raise _errors.bad_request(-2011, "Order list does not exist.")
            return self.cancel_list(tx, lst, _str(params, "newClientOrderId"), with_orig_ids=False)

    # -- cancel-replace ----------------------------------------------------------------------

    def cancel_replace(
        self, account_id: str, params: Mapping[str, Any], *, new_order_refused: ExchangeError | None = None
    ) -> dict[str, Any]:
        """``order.cancelReplace``: 200 both halves, 400 -2022 neither, 409 -2021 one of them.

        ``new_order_refused``: the order-count limit is exhausted and the request asked for
        ``orderRateLimitExceededMode=CANCEL_ONLY``; the cancel runs, the new order is refused.
        """
        info = symbol_param(self.symbols, params)
        mode = enum_param(params, "cancelReplaceMode", ("STOP_ON_FAILURE", "ALLOW_FAILURE"))
        if mode is None:
            raise _errors.mandatory_missing("cancelReplaceMode")
        enum_param(params, "orderRateLimitExceededMode", ("DO_NOTHING", "CANCEL_ONLY"))
        cancel_id = int_param(params, "cancelOrderId")
        cancel_client_id = _str(params, "cancelOrigClientOrderId")
        if cancel_id is None and cancel_client_id is None:
            raise _either("cancelOrigClientOrderId", "cancelOrderId")
        restrictions = _restrictions(params)
        req = parse_order(info, params)
        with self.transaction() as tx:
            self.resolve_peg(req)
            check_filters(req, self.avg_price(info.symbol, tx.now))
            cancel_response: dict[str, Any] | None = None
            cancel_error: ExchangeError | None = None
            try:
                cancel_response = self.cancel_one(
                    tx,
                    account_id,
                    info,
                    order_id=cancel_id,
                    client_id=cancel_client_id,
                    new_client_id=_str(params, "cancelNewClientOrderId"),
                    restrictions=restrictions,
                )
            except ExchangeError as exc:
                cancel_error = exc
            if cancel_error is not None and mode == "STOP_ON_FAILURE":
                raise _errors.bad_request(
                    -2022,
                    "Order cancel-replace failed.",
                    {
                        "cancelResult": "FAILURE",
                        "newOrderResult": "NOT_ATTEMPTED",
                        "cancelResponse": cancel_error.payload(),
                        "newOrderResponse": None,
                    },
                )
            new_response: dict[str, Any] | None = None
            new_error: ExchangeError | None = None
            try:
                if new_order_refused is not None:
                    raise new_order_refused
                order = self.place_order(tx, account_id, req)
                new_response = order.placed_report(req.resp_type, tx.now)
                order.fills = []
            except ExchangeError as exc:
                new_error = exc
            data = {
                "cancelResult": "FAILURE" if cancel_error else "SUCCESS",
                "newOrderResult": "FAILURE" if new_error else "SUCCESS",
                "cancelResponse": cancel_error.payload() if cancel_error else cancel_response,
                "newOrderResponse": new_error.payload() if new_error else new_response,
            }
            if cancel_error is None and new_error is None:
                return data
            if cancel_error is not None and new_error is not None:
                raise _errors.bad_request(-2022, "Order cancel-replace failed.", data)
            raise ExchangeError(409, -2021, "Order cancel-replace partially failed.", data)

    # -- amend -----------------------------------------------------------------------------

    def amend(self, account_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """``order.amend.keepPriority``: reduce the quantity; the order keeps its place."""
        info = symbol_param(self.symbols, params)
        order_id = int_param(params, "orderId")
        client_id = _str(params, "origClientOrderId")
        if order_id is None and client_id is None:
            raise _either("origClientOrderId", "orderId")
        new_qty = decimal_param(params, "newQty")
        if new_qty is None:
            raise _errors.mandatory_missing("newQty")
        new_client_id = _str(params, "newClientOrderId")
        with self.transaction() as tx:
            order = self.find(account_id, info.symbol, order_id, client_id)
            if order is None or not order.is_open:
                raise _errors.bad_request(-2011, "Unknown order sent.")
            if not order.qty_known:
                raise _errors.bad_request(-2038, "Order amend (pending OPO order) is not supported.")
            if new_qty > order.orig_qty:
                raise _errors.bad_request(-2038, "Order amend (quantity increase) is not supported.")
            if new_qty == order.orig_qty:
                raise _errors.bad_request(-2038, "The requested action would change no state; rejecting")
            if new_qty <= 0:
                raise _errors.bad_request(-1013, "Filter failure: LOT_SIZE")
            check_quantity(info, new_qty)
            return self._amend(tx, order, new_qty, new_client_id)

    def _amend(self, tx: Tx, order: Order, new_qty: Decimal, new_client_id: str | None) -> dict[str, Any]:
        old_qty, old_client_id = order.orig_qty, order.client_order_id
        freed = old_qty - new_qty
        order.orig_qty = new_qty
        if order.locked > 0 and order.locked_asset is not None:
            per_unit = order.price if order.price > 0 else (order.stop_price or ZERO)
            amount = min(order.locked, freed if order.side == "SELL" else freed * per_unit)
            self.account(order.account_id).unlock(order.locked_asset, amount)
            order.locked -= amount
            tx.touch(order.account_id, order.locked_asset)
        order.client_order_id = new_client_id or self.client_id()
        order.update_time = tx.now
        self.by_client_id[(order.account_id, order.symbol, order.client_order_id)] = order
        if order.on_book:
            level = self.book(order.symbol).level(order.side, order.price)
            if level is not None:
                level.refresh()
            self.book(order.symbol).changed()
        if order.remaining <= 0:
            # Amended down to what already executed: nothing is left to fill.
            order.status = "FILLED"
        execution_id = self.report(tx, order, "REPLACED", orig_client_order_id=old_client_id)
        if order.status == "FILLED":
            self.finish(tx, order)
        self.amendments[order.order_id].append(
            Amendment(
                order.symbol,
                order.order_id,
                execution_id,
                old_client_id,
                order.client_order_id,
                old_qty,
                new_qty,
                tx.now,
            )
        )
        out: dict[str, Any] = {
            "transactTime": tx.now,
            "executionId": execution_id,
            "amendedOrder": order.amended_report(old_client_id),
        }
        if order.order_list_id != -1:
            lst = self.lists[order.order_list_id].status_report()
            out["listStatus"] = {
                k: v for k, v in lst.items() if k not in ("listStatusType", "transactionTime")
            }
        return out
