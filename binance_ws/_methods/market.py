"""Typed market data methods: order book, trades, klines, average and reference prices.

The ticker methods live in ``tickers.py``; :class:`MarketMethods` includes them.
"""

from __future__ import annotations

from typing import NoReturn

from ..enums import KlineInterval, SymbolStatus
from ..models.market import (
    AggregateTrade,
    AveragePrice,
    Kline,
    OrderBook,
    ReferencePrice,
    ReferencePriceCalculation,
    Trade,
)
from .tickers import TickerMethods

__all__ = ["MarketMethods"]


class MarketMethods(TickerMethods):
    """Market data methods of the Binance WebSocket API (security NONE: no keys needed)."""

    def depth(
        self,
        *,
        symbol: str,
        limit: int | None = None,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderBook:
        """Order book: a snapshot of the best ``limit`` price levels per side.

        Weight by ``limit``: 1-100: 5; 101-500: 25; 501-1000: 50; 1001-5000: 250. Security
        NONE; data source: memory.

        ``limit`` defaults to 100, maximum 5000. With ``symbol_status`` (TRADING, HALT, BREAK)
        a symbol in another state gives error -1220. To maintain a local book, combine this
        snapshot with the ``<symbol>@depth`` stream.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#order-book

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     book = client.depth(symbol="BTCUSDT", limit=5)
            >>> len(book.bids), book.best_bid.price < book.best_ask.price
            (5, True)
        """
        result: OrderBook = self._call(
            "depth",
            {"symbol": symbol, "limit": limit, "symbolStatus": symbol_status},
            OrderBook,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def trades_recent(
        self, *, symbol: str, limit: int | None = None, timeout: float | None = None, **unknown: NoReturn
    ) -> list[Trade]:
        """Recent trades, oldest first.

        Weight 25; security NONE; data source: memory. ``limit`` defaults to 500, maximum
        1000. For live trades use the ``<symbol>@trade`` stream.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#recent-trades

        Example::

            trades = client.trades_recent(symbol="BNBBTC", limit=1)
            trades[0].price, trades[0].is_buyer_maker  # -> (Decimal('0.01361000'), True)
        """
        result: list[Trade] = self._call(
            "trades.recent", {"symbol": symbol, "limit": limit}, list[Trade], timeout=timeout, unknown=unknown
        )
        return result

    def trades_historical(
        self,
        *,
        symbol: str,
        from_id: int | None = None,
        limit: int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[Trade]:
        """Historical trades, starting at trade id ``from_id``.

        Weight 25; security NONE; data source: database. Without ``from_id`` the most recent
        trades are returned. ``limit`` defaults to 500, maximum 1000.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#historical-trades

        Example::

            trades = client.trades_historical(symbol="BNBBTC", from_id=0, limit=1)
            trades[0].id, trades[0].qty  # -> (0, Decimal('40.00000000'))
        """
        result: list[Trade] = self._call(
            "trades.historical",
            {"symbol": symbol, "fromId": from_id, "limit": limit},
            list[Trade],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def block_trades_historical(
        self,
        *,
        symbol: str,
        from_id: int,
        limit: int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[Trade]:
        """Historical block trades, starting at block trade id ``from_id`` (mandatory).

        Weight 25; security NONE; data source: database. ``limit`` defaults to 500, maximum
        1000. Block trades carry no ``is_best_match`` (it stays ``None``).

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#historical-block-trades

        Example::

            trades = client.block_trades_historical(symbol="BNBBTC", from_id=582, limit=1)
            trades[0].quote_qty  # -> Decimal('303.576')
        """
        result: list[Trade] = self._call(
            "blockTrades.historical",
            {"symbol": symbol, "fromId": from_id, "limit": limit},
            list[Trade],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def trades_aggregate(
        self,
        *,
        symbol: str,
        from_id: int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[AggregateTrade]:
        """Aggregate trades: trades of one taker order at one price, merged.

        Weight 4; security NONE; data source: database.

        ``from_id`` returns aggregate trades with id >= ``from_id`` (page with ``from_id`` +
        ``limit``). ``start_time`` / ``end_time`` (epoch ms) filter on trade time and cannot
        be combined with ``from_id``. With no filter, the most recent aggregate trades.
        ``limit`` defaults to 500, maximum 1000.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#aggregate-trades

        Example::

            aggs = client.trades_aggregate(symbol="BNBBTC", from_id=50000000, limit=1)
            aggs[0].aggregate_trade_id, aggs[0].price  # -> (50000000, Decimal('0.00274100'))
        """
        result: list[AggregateTrade] = self._call(
            "trades.aggregate",
            {
                "symbol": symbol,
                "fromId": from_id,
                "startTime": start_time,
                "endTime": end_time,
                "limit": limit,
            },
            list[AggregateTrade],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def klines(
        self,
        *,
        symbol: str,
        interval: KlineInterval | str,
        start_time: int | None = None,
        end_time: int | None = None,
        time_zone: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[Kline]:
        """Klines (candlesticks), oldest first.

        Weight 2; security NONE; data source: database.

        ``interval`` is case-sensitive: 1s; 1m 3m 5m 15m 30m; 1h 2h 4h 6h 8h 12h; 1d 3d; 1w;
        1M (see :class:`~binance_ws.enums.KlineInterval`). Without ``start_time`` /
        ``end_time`` the most recent klines. ``time_zone`` (hours:minutes like ``"-1:00"`` or
        ``"05:45"``, or whole hours like ``"8"``, within -12:00..+14:00; default UTC) shifts
        the interval boundaries only: ``start_time`` / ``end_time`` are always UTC.
        ``limit`` defaults to 500, maximum 1000.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#klines

        Example::

            rows = client.klines(symbol="BNBBTC", interval=KlineInterval.HOUR_1, limit=1)
            rows[0].open_datetime, rows[0].close  # -> (datetime(2022, 6, 23, 8, 0, tzinfo=utc), Decimal('0.01083800'))
        """
        result: list[Kline] = self._call(
            "klines",
            {
                "symbol": symbol,
                "interval": interval,
                "startTime": start_time,
                "endTime": end_time,
                "timeZone": time_zone,
                "limit": limit,
            },
            list[Kline],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def ui_klines(
        self,
        *,
        symbol: str,
        interval: KlineInterval | str,
        start_time: int | None = None,
        end_time: int | None = None,
        time_zone: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[Kline]:
        """UI klines: like :meth:`klines`, with data adjusted for candlestick charts.

        Weight 2; security NONE; data source: database. Parameters and row layout are those
        of :meth:`klines` (``limit`` defaults to 500, maximum 1000; ``time_zone`` shifts the
        interval boundaries only).

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#ui-klines

        Example::

            rows = client.ui_klines(symbol="BNBBTC", interval="1d", limit=7)
        """
        result: list[Kline] = self._call(
            "uiKlines",
            {
                "symbol": symbol,
                "interval": interval,
                "startTime": start_time,
                "endTime": end_time,
                "timeZone": time_zone,
                "limit": limit,
            },
            list[Kline],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def avg_price(self, *, symbol: str, timeout: float | None = None, **unknown: NoReturn) -> AveragePrice:
        """Current average price of a symbol over the last ``mins`` minutes.

        Weight 2; security NONE; data source: memory.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#current-average-price

        Example::

            avg = client.avg_price(symbol="BNBBTC")
            avg.mins, avg.price  # -> (5, Decimal('9.35751834'))
        """
        result: AveragePrice = self._call(
            "avgPrice", {"symbol": symbol}, AveragePrice, timeout=timeout, unknown=unknown
        )
        return result

    def reference_price(
        self, *, symbol: str, timeout: float | None = None, **unknown: NoReturn
    ) -> ReferencePrice:
        """Query the reference price of a symbol (used by price filters when it is set).

        Weight 2; security NONE; data source: memory.

        ``reference_price`` is ``None`` while no reference price is set. For a symbol that
        never had one, Binance answers with status 200 and the error inside the result: the
        returned model then has ``code`` -2043 and ``msg`` set.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#query-reference-price

        Example::

            ref = client.reference_price(symbol="BAZUSD")
            ref.reference_price, ref.datetime  # -> (Decimal('0.00501900'), datetime(2026, 2, 13, ...))
        """
        result: ReferencePrice = self._call(
            "referencePrice", {"symbol": symbol}, ReferencePrice, timeout=timeout, unknown=unknown
        )
        return result

    def reference_price_calculation(
        self,
        *,
        symbol: str,
        symbol_status: SymbolStatus | str | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> ReferencePriceCalculation:
        """Query how the reference price of a symbol is calculated.

        Weight 2; security NONE; data source: memory.

        ``calculation_type`` is ``ARITHMETIC_MEAN`` (with ``bucket_count`` and
        ``bucket_width_ms``) or ``EXTERNAL`` (with ``external_calculation_id``). When no
        reference price is calculated for the symbol, raises :class:`BadRequestError`
        -2043. ``symbol_status`` (TRADING, HALT, BREAK): only if the symbol is in that state.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/market-data-requests#query-reference-price-calculation

        Example::

            calc = client.reference_price_calculation(symbol="BAZUSD")
            calc.calculation_type, calc.bucket_count  # -> (ReferencePriceCalculationType.ARITHMETIC_MEAN, 10)
        """
        result: ReferencePriceCalculation = self._call(
            "referencePrice.calculation",
            {"symbol": symbol, "symbolStatus": symbol_status},
            ReferencePriceCalculation,
            timeout=timeout,
            unknown=unknown,
        )
        return result
