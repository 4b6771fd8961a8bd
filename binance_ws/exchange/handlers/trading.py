"""Trading method handlers: order entry, cancels, amends, order lists and SOR.

Each handler maps the request to the engine (``venue.engine``) for the account the request's
API key acts for; the engine answers with Binance's result shapes and errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine.validation import symbol_param
from ..services.session import account_id_for
from .table import Table

if TYPE_CHECKING:
    from ..services.session import Session
    from ..services.venue import Venue

__all__ = ["TABLE"]

TABLE = Table()


@TABLE.handles("order.place")
def order_place(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return venue.engine.place(account_id_for(venue.keys, session), params)


@TABLE.handles("order.test")
def order_test(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return venue.engine.test(account_id_for(venue.keys, session), params)


@TABLE.handles("order.cancel")
def order_cancel(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return venue.engine.cancel(account_id_for(venue.keys, session), params)


@TABLE.handles("order.cancelReplace")
def order_cancel_replace(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return venue.engine.cancel_replace(
        account_id_for(venue.keys, session), params, new_order_refused=session.order_refusal
    )


@TABLE.handles("order.amend.keepPriority")
def order_amend_keep_priority(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return venue.engine.amend(account_id_for(venue.keys, session), params)


@TABLE.handles("openOrders.cancelAll")
def open_orders_cancel_all(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return venue.engine.cancel_all(account_id_for(venue.keys, session), params)


def _place_list(kind: str) -> Any:
    def handler(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
        info = symbol_param(venue.symbols, params)
        return venue.engine.place_list(account_id_for(venue.keys, session), kind, info, params)

    return handler


for _wire, _kind in (
    ("orderList.place", "LEGACY_OCO"),
    ("orderList.place.oco", "OCO"),
    ("orderList.place.oto", "OTO"),
    ("orderList.place.otoco", "OTOCO"),
    ("orderList.place.opo", "OPO"),
    ("orderList.place.opoco", "OPOCO"),
):
    TABLE.handles(_wire)(_place_list(_kind))


@TABLE.handles("orderList.cancel")
def order_list_cancel(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return venue.engine.cancel_list_request(account_id_for(venue.keys, session), params)


@TABLE.handles("sor.order.place")
def sor_order_place(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return venue.engine.place(account_id_for(venue.keys, session), params, sor=True)


@TABLE.handles("sor.order.test")
def sor_order_test(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return venue.engine.test(account_id_for(venue.keys, session), params, sor=True)
