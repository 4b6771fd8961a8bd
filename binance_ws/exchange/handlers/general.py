"""General method handlers: ``ping``, ``time``, ``exchangeInfo`` and ``depth``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import errors as _errors
from ..model.clock import now_ms
from .table import Table

if TYPE_CHECKING:
    from ..services.session import Session
    from ..services.venue import Venue

__all__ = ["TABLE"]

TABLE = Table()


def _int_param(params: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _errors.malformed(name)
    if not low <= value <= high:
        raise _errors.bad_request(
            -1100, f"Illegal characters found in parameter '{name}'; legal range is '{low}-{high}'."
        )
    return value


@TABLE.handles("ping")
def ping(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return {}


@TABLE.handles("time")
def server_time(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    return {"serverTime": now_ms()}


@TABLE.handles("exchangeInfo")
def exchange_info(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    wanted: list[str] | None = None
    if "symbol" in params:
        wanted = [params["symbol"]]
    elif "symbols" in params:
        wanted = list(params["symbols"])
    if wanted is not None:
        unknown = [s for s in wanted if s not in venue.symbols]
        if unknown:
            raise _errors.bad_symbol()
        infos = [venue.symbols[s] for s in wanted]
    else:
        infos = list(venue.symbols.values())
    status = params.get("symbolStatus")
    if status is not None:
        infos = [i for i in infos if i.status == status]
    show_sets = params.get("showPermissionSets", True)
    return {
        "timezone": "UTC",
        "serverTime": now_ms(),
        "rateLimits": venue.rate_limit_config(),
        "exchangeFilters": [],
        "symbols": [i.to_wire(show_permission_sets=show_sets) for i in infos],
        "sors": [{"baseAsset": "BTC", "symbols": ["BTCUSDT"]}],
    }


@TABLE.handles("depth")
def depth(venue: Venue, session: Session, params: dict[str, Any]) -> Any:
    book = venue.books.get(params["symbol"])
    if book is None:
        raise _errors.bad_symbol()
    limit = _int_param(params, "limit", 100, 1, 5000)
    status = params.get("symbolStatus")
    if status is not None and status != book.info.status:
        raise _errors.bad_request(-1220, "The symbol's status does not match the requested symbolStatus.")
    with venue.engine.lock:
        return book.snapshot(limit)
