"""Method handlers of the local exchange: ``handler(exchange, session, params) -> result``.

A handler returns the ``result`` of a 200 answer or raises :class:`ExchangeError`.
Parameters arrive already checked against the method table (names, mandatory ones).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _errors

if TYPE_CHECKING:
    from ._server import LocalExchange, Session

Handler = Callable[["LocalExchange", "Session", dict[str, Any]], Any]

HANDLERS: dict[str, Handler] = {}


def handles(method: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[method] = fn
        return fn

    return register


def now_ms() -> int:
    return int(time.time() * 1000)


def _int_param(params: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _errors.malformed(name)
    if not low <= value <= high:
        raise _errors.bad_request(
            -1100, f"Illegal characters found in parameter '{name}'; legal range is '{low}-{high}'."
        )
    return value


@handles("ping")
def ping(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return {}


@handles("time")
def server_time(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    return {"serverTime": now_ms()}


@handles("exchangeInfo")
def exchange_info(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    wanted: list[str] | None = None
    if "symbol" in params:
        wanted = [params["symbol"]]
    elif "symbols" in params:
        wanted = list(params["symbols"])
    if wanted is not None:
        unknown = [s for s in wanted if s not in ex.symbols]
        if unknown:
            raise _errors.bad_symbol()
        infos = [ex.symbols[s] for s in wanted]
    else:
        infos = list(ex.symbols.values())
    status = params.get("symbolStatus")
    if status is not None:
        infos = [i for i in infos if i.status == status]
    show_sets = params.get("showPermissionSets", True)
    return {
        "timezone": "UTC",
        "serverTime": now_ms(),
        "rateLimits": ex.rate_limit_config(),
        "exchangeFilters": [],
        "symbols": [i.to_wire(show_permission_sets=show_sets) for i in infos],
        "sors": [{"baseAsset": "BTC", "symbols": ["BTCUSDT"]}],
    }


@handles("depth")
def depth(ex: LocalExchange, session: Session, params: dict[str, Any]) -> Any:
    book = ex.books.get(params["symbol"])
    if book is None:
        raise _errors.bad_symbol()
    limit = _int_param(params, "limit", 100, 1, 5000)
    status = params.get("symbolStatus")
    if status is not None and status != book.info.status:
        raise _errors.bad_request(-1220, "The symbol's status does not match the requested symbolStatus.")
    with ex.engine.lock:
        return book.snapshot(limit)


# Importing the handler modules registers their methods.
from . import _account_handlers, _market_handlers, _trading_handlers  # noqa: E402, F401
