"""Typed general methods: ``ping``, ``time``, ``exchangeInfo``, ``executionRules``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from ..enums import SymbolStatus
from ..models.general import Empty, ExchangeInfo, ExecutionRules, ServerTime
from ._base import MethodsBase

__all__ = ["GeneralMethods"]


class GeneralMethods(MethodsBase):
    """General methods of the Binance WebSocket API."""

    def ping(self, *, timeout: float | None = None, **unknown: NoReturn) -> Empty:
        """Test connectivity to the WebSocket API.

        Weight 1; security NONE.
        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/general-requests#test-connectivity

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     client.ping()
            Empty()
        """
        result: Empty = self._call("ping", {}, Empty, timeout=timeout, unknown=unknown)
        return result

    def time(self, *, timeout: float | None = None, **unknown: NoReturn) -> ServerTime:
        """Check the server time.

        Weight 1; security NONE.
        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/general-requests#check-server-time

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     client.time().server_time > 1_600_000_000_000
            True
        """
        result: ServerTime = self._call("time", {}, ServerTime, timeout=timeout, unknown=unknown)
        return result

    def exchange_info(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        permissions: Sequence[str] | None = None,
        show_permission_sets: bool | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> ExchangeInfo:
        """Exchange information: trading rules, rate limits and symbols with their filters.

        Weight 20; security NONE; data source: memory.

        Give at most one of ``symbol``, ``symbols`` (a list) and ``permissions`` (a list such
        as ``["SPOT"]``); ``symbol_status`` (TRADING, HALT, BREAK) cannot be combined with
        ``symbol`` or ``symbols``. Without parameters only symbols with the SPOT, MARGIN or
        LEVERAGED permission are listed; ask for every permission to get all active symbols.
        ``show_permission_sets=False`` leaves ``permission_sets`` empty (default: filled).
        ``rate_limits`` lists the configured limits (without ``count``); ``sors`` is present
        only where Smart Order Routing is available.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/general-requests#exchange-information

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     info = client.exchange_info(symbols=["BTCUSDT", "ETHUSDT"])
            ...     lot = info.symbol("BTCUSDT").filter("LOT_SIZE")
            >>> len(info.symbols), lot.step_size > 0
            (2, True)
        """
        result: ExchangeInfo = self._call(
            "exchangeInfo",
            {
                "symbol": symbol,
                "symbols": symbols,
                "permissions": permissions,
                "showPermissionSets": show_permission_sets,
                "symbolStatus": symbol_status,
            },
            ExchangeInfo,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def execution_rules(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> ExecutionRules:
        """Query execution rules, e.g. the ``PRICE_RANGE`` bounds on limit prices per side.

        Weight depends on the parameters: ``symbol`` 2; ``symbols`` 2 per symbol, capped at
        40; ``symbol_status`` 40; none of them (every symbol) 40. Security NONE; data source:
        memory.

        ``symbol``, ``symbols`` and ``symbol_status`` (TRADING, HALT, BREAK) are mutually
        exclusive: send one of them or none.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/general-requests#query-execution-rules

        Example::

            rules = client.execution_rules(symbol="BAZUSD")
            rule = rules.symbol_rules[0].rules[0]
            rule.rule_type, rule.bid_limit_mult_up  # -> (ExecutionRuleType.PRICE_RANGE, Decimal('1.0001'))
        """
        result: ExecutionRules = self._call(
            "executionRules",
            {"symbol": symbol, "symbols": symbols, "symbolStatus": symbol_status},
            ExecutionRules,
            timeout=timeout,
            unknown=unknown,
        )
        return result
