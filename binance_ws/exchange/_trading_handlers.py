"""Trading method handlers: order entry, cancels, amends, order lists and SOR.

Each handler maps the request to the engine (``ex.engine``) for the account the request's
API key acts for; the engine answers with Binance's result shapes and errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._accounts import account_id_for
from ._handlers import handles
from ._validation import symbol_param

if TYPE_CHECKING:
    from ._server import LocalExchange, Session


@handles("order.place")
def order_place(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return ex.engine.place(account_id_for(ex, session), params)


@handles("order.test")
def order_test(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return ex.engine.test(account_id_for(ex, session), params)


@handles("order.cancel")
def order_cancel(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return ex.engine.cancel(account_id_for(ex, session), params)


@handles("order.cancelReplace")
def order_cancel_replace(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return ex.engine.cancel_replace(
        account_id_for(ex, session), params, new_order_refused=session.order_refusal
    )


@handles("order.amend.keepPriority")
def order_amend_keep_priority(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return ex.engine.amend(account_id_for(ex, session), params)


@handles("openOrders.cancelAll")
def open_orders_cancel_all(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return ex.engine.cancel_all(account_id_for(ex, session), params)


def _place_list(kind: str) -> Any:
    def handler(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
        info = symbol_param(ex, params)
        return ex.engine.place_list(account_id_for(ex, session), kind, info, params)

    return handler


for _wire, _kind in (
    ("orderList.place", "LEGACY_OCO"),
    ("orderList.place.oco", "OCO"),
    ("orderList.place.oto", "OTO"),
    ("orderList.place.otoco", "OTOCO"),
    ("orderList.place.opo", "OPO"),
    ("orderList.place.opoco", "OPOCO"),
):
    handles(_wire)(_place_list(_kind))


@handles("orderList.cancel")
def order_list_cancel(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return ex.engine.cancel_list_request(account_id_for(ex, session), params)


@handles("sor.order.place")
def sor_order_place(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return ex.engine.place(account_id_for(ex, session), params, sor=True)


@handles("sor.order.test")
def sor_order_test(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return ex.engine.test(account_id_for(ex, session), params, sor=True)
