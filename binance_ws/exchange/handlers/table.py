"""What a handler is, and the table a method group registers its handlers in.

A handler is ``handler(venue, session, params) -> result``: it returns the ``result`` of a
200 answer or raises :class:`~binance_ws.exchange.model.errors.ExchangeError`. Parameters
arrive already checked against the method table (names, mandatory ones). Each handler
module fills one :class:`Table`; :mod:`.registry` merges them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..services.session import Session
    from ..services.venue import Venue

__all__ = ["Handler", "Table"]

Handler = Callable[["Venue", "Session", dict[str, Any]], Any]


class Table(dict[str, Handler]):
    """Handlers by wire method name, filled with :meth:`handles`."""

    def handles(self, method: str) -> Callable[[Handler], Handler]:
        """Decorator: register ``fn`` as the handler of ``method`` (once only)."""

        def register(fn: Handler) -> Handler:
            if method in self:
                raise ValueError(f"method {method!r} has two handlers")
            self[method] = fn
            return fn

        return register
