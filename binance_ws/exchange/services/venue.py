"""The venue: everything of the local exchange but its sockets.

Symbols, books, accounts, keys, the engine, the rate limits, the user-data hub and the
connection limits, wired together: the engine reports its events to the hub and its fills
to the unfilled-order counter. Handlers and the request pipeline take a venue; the server
(:class:`~binance_ws.exchange.LocalExchange`) owns one and adds the I/O. A test can build a
venue alone and send it requests through :func:`binance_ws.exchange.server.pipeline.handle`.

Example::

    >>> venue = Venue()
    >>> venue.books["BTCUSDT"].info is venue.symbols["BTCUSDT"]
    True
    >>> [entry["rateLimitType"] for entry in venue.rate_limit_config()]
    ['REQUEST_WEIGHT', 'ORDERS', 'ORDERS', 'CONNECTIONS']
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..engine.core import Engine
from ..model.accounts import DEMO_ACCOUNT, Accounts
from ..model.book import Book
from ..model.clock import Clock, now_ms
from ..model.keys import KeyStore
from ..model.symbols import SymbolInfo, default_symbols, synthetic_symbols
from .connections import ConnectionGate
from .ratelimit import OrderCounter, WeightCounter
from .userdata import UserDataHub

__all__ = ["Venue"]

# Binance's documented defaults: 6000 request weight per minute per IP, 50 orders per
# 10 seconds and 160,000 per day per account, 300 connection attempts per 5 minutes per IP.
DEFAULT_WEIGHT_LIMIT = 6000
DEFAULT_ORDER_LIMIT_10S = 50
DEFAULT_ORDER_LIMIT_DAY = 160_000
DEFAULT_CONNECTION_ATTEMPTS = 300
# 429s an IP may receive within one minute before it is banned (Binance does not publish it).
DEFAULT_BAN_AFTER = 10
# A connection lives at most 24 hours.
DEFAULT_MAX_CONNECTION_AGE = 24 * 3600.0


class Venue:
    """The state and services of one exchange; the arguments are LocalExchange's of the same names."""

    def __init__(
        self,
        *,
        book_levels: int = 5000,
        extra_symbols: int = 0,
        seed: int = 7,
        weight_limit: int = DEFAULT_WEIGHT_LIMIT,
        balances: Mapping[str, Decimal | str] | None = None,
        order_limit_10s: int = DEFAULT_ORDER_LIMIT_10S,
        order_limit_day: int = DEFAULT_ORDER_LIMIT_DAY,
        ban_after: int | None = DEFAULT_BAN_AFTER,
        connection_attempt_limit: int = DEFAULT_CONNECTION_ATTEMPTS,
        max_connections: int | None = None,
        enforce_limits: bool = True,
        limits_clock: Clock | None = None,
        max_connection_age: float | None = DEFAULT_MAX_CONNECTION_AGE,
    ) -> None:
        self.symbols: dict[str, SymbolInfo] = {
            s.symbol: s for s in default_symbols() + synthetic_symbols(extra_symbols)
        }
        rng = random.Random(seed)
        self.books: dict[str, Book] = {
            name: Book(info, book_levels if i < 4 else 20, rng)
            for i, (name, info) in enumerate(self.symbols.items())
        }
        clock = now_ms if limits_clock is None else limits_clock
        #: REQUEST_WEIGHT per IP and minute.
        self.weights = WeightCounter(weight_limit, ban_after=ban_after, enforce=enforce_limits, clock=clock)
        #: ORDERS (unfilled order count) per account; ``account.rateLimits.orders`` reads it.
        self.order_limits = OrderCounter(
            order_limit_10s, order_limit_day, enforce=enforce_limits, clock=clock
        )
        self.accounts = Accounts.demo(balances)
        #: The demo API keys (``keys.hmac``, ``keys.ed25519``, ``keys.rsa``).
        self.keys = KeyStore.demo(DEMO_ACCOUNT)
        #: User Data Stream subscriptions of every connection.
        self.user_data = UserDataHub()
        self.engine = Engine(
            self.accounts,
            self.symbols,
            self.books,
            publish=self.user_data.publish,
            on_fill=self.order_limits.order_filled,
        )
        #: Connection attempts, concurrent connections and connection lifetime.
        self.connections = ConnectionGate(
            self.weights,
            attempt_limit=connection_attempt_limit,
            max_connections=max_connections,
            enforce=enforce_limits,
            max_age=max_connection_age,
        )

    def rate_limit_config(self) -> list[dict[str, Any]]:
        """The ``rateLimits`` of ``exchangeInfo``: the configured limits, without counts."""
        return [self.weights.config(), *self.order_limits.config(), self.connections.config()]
