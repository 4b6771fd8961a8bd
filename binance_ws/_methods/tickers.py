"""Typed ticker methods: ``ticker.24hr``, ``ticker.tradingDay``, ``ticker``, ``ticker.price``, ``ticker.book``.

Each returns one model for ``symbol=`` and a list for ``symbols=`` (or neither), and the
reduced :class:`MiniTicker` for ``type="MINI"``; the overloads tell type checkers so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, NoReturn, overload

from ..enums import SymbolStatus, TickerType
from ..models.market import BookTicker, MiniTicker, PriceTicker, Ticker, Ticker24hr
from ._base import MethodsBase

__all__ = ["TickerMethods"]

_Full = Literal["FULL", TickerType.FULL]
_Mini = Literal["MINI", TickerType.MINI]


def _ticker_type(single: bool, mini: bool, full: type[MiniTicker]) -> Any:
    """The result type of a ticker method: one or a list of the FULL or MINI model."""
    if single:
        return MiniTicker if mini else full
    return list[MiniTicker] if mini else list[full]  # type: ignore[valid-type]


class TickerMethods(MethodsBase):
    """Ticker methods of the Binance WebSocket API (part of the market data methods)."""

    @overload
    def ticker_24hr(
        self,
        *,
        symbol: str,
        symbols: None = None,
        type: _Full | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Ticker24hr: ...
    @overload
    def ticker_24hr(
        self,
        *,
        symbol: str,
        symbols: None = None,
        type: _Mini,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> MiniTicker: ...
    @overload
    def ticker_24hr(
        self,
        *,
        symbol: None = None,
        symbols: Sequence[str] | None = None,
        type: _Full | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[Ticker24hr]: ...
    @overload
    def ticker_24hr(
        self,
        *,
        symbol: None = None,
        symbols: Sequence[str] | None = None,
        type: _Mini,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[MiniTicker]: ...
    @overload
    def ticker_24hr(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        type: TickerType | str | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Ticker24hr | MiniTicker | list[Ticker24hr] | list[MiniTicker]: ...

    def ticker_24hr(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        type: TickerType | str | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Ticker24hr | MiniTicker | list[Ticker24hr] | list[MiniTicker]:
        """24hr ticker price change statistics.

        Weight by the number of symbols: 1-20: 2; 21-100: 40; 101 or more: 80; all symbols
        (neither ``symbol`` nor ``symbols``): 80. Security NONE; data source: memory.

        ``symbol`` and ``symbols`` are mutually exclusive; with neither, every trading symbol.
        One ``symbol`` returns a :class:`Ticker24hr`, otherwise a list. ``type="MINI"``
        returns the reduced :class:`MiniTicker` instead (default ``FULL``). With
        ``symbol_status`` (TRADING, HALT, BREAK) one symbol in another state gives error
        -1220, and in a list such symbols are left out.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#24hr-ticker-price-change-statistics

        Example::

            t = client.ticker_24hr(symbol="BNBBTC")  # -> Ticker24hr
            t.price_change_percent, t.last_price     # -> (Decimal('1.020'), Decimal('0.01376700'))
            minis = client.ticker_24hr(symbols=["BNBBTC", "BTCUSDT"], type="MINI")  # -> list[MiniTicker]
        """
        result_type = _ticker_type(symbol is not None, type == TickerType.MINI, Ticker24hr)
        result: Ticker24hr | MiniTicker | list[Ticker24hr] | list[MiniTicker] = self._call(
            "ticker.24hr",
            {"symbol": symbol, "symbols": symbols, "type": type, "symbolStatus": symbol_status},
            result_type,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    @overload
    def ticker_trading_day(
        self,
        *,
        symbol: str,
        symbols: None = None,
        time_zone: str | None = None,
        type: _Full | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Ticker: ...
    @overload
    def ticker_trading_day(
        self,
        *,
        symbol: str,
        symbols: None = None,
        time_zone: str | None = None,
        type: _Mini,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> MiniTicker: ...
    @overload
    def ticker_trading_day(
        self,
        *,
        symbol: None = None,
        symbols: Sequence[str],
        time_zone: str | None = None,
        type: _Full | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[Ticker]: ...
    @overload
    def ticker_trading_day(
        self,
        *,
        symbol: None = None,
        symbols: Sequence[str],
        time_zone: str | None = None,
        type: _Mini,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[MiniTicker]: ...
    @overload
    def ticker_trading_day(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        time_zone: str | None = None,
        type: TickerType | str | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Ticker | MiniTicker | list[Ticker] | list[MiniTicker]: ...

    def ticker_trading_day(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        time_zone: str | None = None,
        type: TickerType | str | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Ticker | MiniTicker | list[Ticker] | list[MiniTicker]:
        """Trading day ticker: price change statistics of the current trading day.

        Weight 4 per requested symbol, capped at 200 once more than 50 symbols are
        requested. Security NONE; data source: database.

        Exactly one of ``symbol`` (returns a :class:`Ticker`) and ``symbols`` (returns a
        list) is required. ``time_zone`` defines the trading day: hours:minutes such as
        ``"-1:00"`` or ``"05:45"``, or whole hours such as ``"8"`` (default UTC).
        ``type="MINI"`` returns :class:`MiniTicker` (default ``FULL``). With
        ``symbol_status`` (TRADING, HALT, BREAK) one symbol in another state gives error
        -1220, and in a list such symbols are left out.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#trading-day-ticker

        Example::

            t = client.ticker_trading_day(symbol="BTCUSDT", time_zone="8")  # -> Ticker
            t.weighted_avg_price  # -> Decimal('26234.58803036')
        """
        result_type = _ticker_type(symbol is not None, type == TickerType.MINI, Ticker)
        result: Ticker | MiniTicker | list[Ticker] | list[MiniTicker] = self._call(
            "ticker.tradingDay",
            {
                "symbol": symbol,
                "symbols": symbols,
                "timeZone": time_zone,
                "type": type,
                "symbolStatus": symbol_status,
            },
            result_type,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    @overload
    def ticker(
        self,
        *,
        symbol: str,
        symbols: None = None,
        type: _Full | None = None,
        window_size: str | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Ticker: ...
    @overload
    def ticker(
        self,
        *,
        symbol: str,
        symbols: None = None,
        type: _Mini,
        window_size: str | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> MiniTicker: ...
    @overload
    def ticker(
        self,
        *,
        symbol: None = None,
        symbols: Sequence[str],
        type: _Full | None = None,
        window_size: str | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[Ticker]: ...
    @overload
    def ticker(
        self,
        *,
        symbol: None = None,
        symbols: Sequence[str],
        type: _Mini,
        window_size: str | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[MiniTicker]: ...
    @overload
    def ticker(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        type: TickerType | str | None = None,
        window_size: str | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Ticker | MiniTicker | list[Ticker] | list[MiniTicker]: ...

    def ticker(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        type: TickerType | str | None = None,
        window_size: str | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Ticker | MiniTicker | list[Ticker] | list[MiniTicker]:
        """Rolling window price change statistics.

        Weight 4 per symbol for 1-50 symbols; 200 for 51-100 symbols. Security NONE; data
        source: database.

        Exactly one of ``symbol`` (returns a :class:`Ticker`) and ``symbols`` (at most 200;
        returns a list) is required. ``window_size`` is ``"1m"``..``"59m"``,
        ``"1h"``..``"23h"`` or ``"1d"``..``"7d"`` (units cannot be combined; default
        ``"1d"``); the window is precise to a minute, so it can be up to 59999 ms longer
        than asked. ``type="MINI"`` returns :class:`MiniTicker` (default ``FULL``). With
        ``symbol_status`` (TRADING, HALT, BREAK) one symbol in another state gives error
        -1220, and in a list such symbols are left out.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#rolling-window-price-change-statistics

        Example::

            t = client.ticker(symbol="BNBBTC", window_size="7d")  # -> Ticker
            t.open_datetime, t.price_change  # -> (datetime(2022, 8, 4, 2, 27, tzinfo=utc), Decimal('0.00061500'))
        """
        result_type = _ticker_type(symbol is not None, type == TickerType.MINI, Ticker)
        result: Ticker | MiniTicker | list[Ticker] | list[MiniTicker] = self._call(
            "ticker",
            {
                "symbol": symbol,
                "symbols": symbols,
                "type": type,
                "windowSize": window_size,
                "symbolStatus": symbol_status,
            },
            result_type,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    @overload
    def ticker_price(
        self,
        *,
        symbol: str,
        symbols: None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> PriceTicker: ...
    @overload
    def ticker_price(
        self,
        *,
        symbol: None = None,
        symbols: Sequence[str] | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[PriceTicker]: ...
    @overload
    def ticker_price(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> PriceTicker | list[PriceTicker]: ...

    def ticker_price(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> PriceTicker | list[PriceTicker]:
        """Symbol price ticker: the latest price.

        Weight: ``symbol`` 2; ``symbols`` or neither (every trading symbol) 4. Security NONE;
        data source: memory.

        ``symbol`` (returns a :class:`PriceTicker`) and ``symbols`` (returns a list) are
        mutually exclusive; with neither, a list of every trading symbol. With
        ``symbol_status`` (TRADING, HALT, BREAK) one symbol in another state gives error
        -1220, and in a list such symbols are left out.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#symbol-price-ticker

        Example::

            client.ticker_price(symbol="BNBBTC").price  # -> Decimal('0.01361900')
            prices = {t.symbol: t.price for t in client.ticker_price()}
        """
        result: PriceTicker | list[PriceTicker] = self._call(
            "ticker.price",
            {"symbol": symbol, "symbols": symbols, "symbolStatus": symbol_status},
            PriceTicker if symbol is not None else list[PriceTicker],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    @overload
    def ticker_book(
        self,
        *,
        symbol: str,
        symbols: None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> BookTicker: ...
    @overload
    def ticker_book(
        self,
        *,
        symbol: None = None,
        symbols: Sequence[str] | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[BookTicker]: ...
    @overload
    def ticker_book(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> BookTicker | list[BookTicker]: ...

    def ticker_book(
        self,
        *,
        symbol: str | None = None,
        symbols: Sequence[str] | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> BookTicker | list[BookTicker]:
        """Symbol order book ticker: the best bid and ask with their quantities.

        Weight: ``symbol`` 2; ``symbols`` or neither (every trading symbol) 4. Security NONE;
        data source: memory.

        ``symbol`` (returns a :class:`BookTicker`) and ``symbols`` (returns a list) are
        mutually exclusive; with neither, a list of every trading symbol. With
        ``symbol_status`` (TRADING, HALT, BREAK) one symbol in another state gives error
        -1220, and in a list such symbols are left out.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#symbol-order-book-ticker

        Example::

            best = client.ticker_book(symbol="BNBBTC")
            best.bid_price, best.ask_price  # -> (Decimal('0.01358000'), Decimal('0.01358100'))
        """
        result: BookTicker | list[BookTicker] = self._call(
            "ticker.book",
            {"symbol": symbol, "symbols": symbols, "symbolStatus": symbol_status},
            BookTicker if symbol is not None else list[BookTicker],
            timeout=timeout,
            unknown=unknown,
        )
        return result
