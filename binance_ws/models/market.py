"""Results of the market data methods: order book, trades, klines, tickers, reference prices.

Order book levels and klines arrive as JSON arrays, not objects; they become the named
tuples :class:`PriceLevel` and :class:`Kline` (built and written back by the converter, see
``binance_ws._converter``), so ``book.bids[0].price`` and ``kline.close`` read naturally
while a 5000-level book still parses in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal, NamedTuple

import attrs

from .._display import model_html, model_repr, to_pandas, to_records
from ..enums import ReferencePriceCalculationType
from ._base import WireModel, lazy, ms_to_datetime, structure_later

__all__ = [
    "AggregateTrade",
    "AveragePrice",
    "BookTicker",
    "Kline",
    "MiniTicker",
    "OrderBook",
    "PriceLevel",
    "PriceTicker",
    "ReferencePrice",
    "ReferencePriceCalculation",
    "Ticker",
    "Ticker24hr",
    "Trade",
]


class PriceLevel(NamedTuple):
    """One order book level; on the wire ``["0.01379900", "3.43200000"]``.

    A level the server sends shorter than two elements has ``None`` for what is missing;
    elements after the quantity are not part of the level, but the book keeps its sides
    as sent (``OrderBook.raw_bids`` / ``raw_asks``), so ``unstructure(book)`` is exact.
    """

    price: Decimal | None
    quantity: Decimal | None

    def __repr__(self) -> str:
        return model_repr(self)

    def _repr_html_(self) -> str:
        return model_html(self)


class Kline(NamedTuple):
    """One candlestick row of ``klines`` / ``uiKlines`` (the wire's 12-element array, in order).

    A row of another shape never fails the call: elements it lacks are ``None``, elements
    after the documented twelve (should Binance append some) are kept in ``extra``, and a
    row that the fields cannot rebuild exactly (shorter than twelve, or a value that is not
    a decimal string where one belongs) is kept whole in ``raw``, so
    :func:`binance_ws.unstructure` always gives back the row as sent::

        >>> from binance_ws import structure, unstructure
        >>> (k,) = structure([[1499040000000]], list[Kline])
        >>> k.open_time, k.close, k.raw
        (1499040000000, None, (1499040000000,))
        >>> unstructure(k)
        [1499040000000]
    """

    open_time: int | None
    open: Decimal | None
    high: Decimal | None
    low: Decimal | None
    close: Decimal | None
    volume: Decimal | None
    close_time: int | None
    quote_asset_volume: Decimal | None
    number_of_trades: int | None
    taker_buy_base_asset_volume: Decimal | None
    taker_buy_quote_asset_volume: Decimal | None
    #: Documented as unused ("0"); kept as sent.
    unused: Any
    #: Elements after the documented twelve, as sent.
    extra: tuple[Any, ...] = ()
    #: The whole row as sent when the fields cannot rebuild it; ``None`` for a regular row.
    raw: tuple[Any, ...] | None = None

    def __repr__(self) -> str:
        return model_repr(self)

    def _repr_html_(self) -> str:
        return model_html(self)

    @property
    def open_datetime(self) -> dt.datetime:
        """``open_time`` as a timezone-aware UTC datetime (``ValueError`` if the row had none)."""
        return _row_datetime(self.open_time, "open_time")

    @property
    def close_datetime(self) -> dt.datetime:
        """``close_time`` as a timezone-aware UTC datetime (``ValueError`` if the row had none)."""
        return _row_datetime(self.close_time, "close_time")


def _row_datetime(ms: int | None, name: str) -> dt.datetime:
    # Not Optional like the models' datetimes: every kline row Binance documents has both
    # times, and a row without one is malformed enough to say so.
    value = ms_to_datetime(ms)
    if value is None:
        raise ValueError(f"Kline.{name}: this kline row has no {name}; the row as sent is in Kline.raw")
    return value


def _to_levels(raw: list[Any]) -> list[PriceLevel]:
    levels: list[PriceLevel] = structure_later(raw, list[PriceLevel])
    return levels


@attrs.frozen(kw_only=True, repr=False)
class OrderBook(WireModel):
    """An order book snapshot (``depth``): bids best (highest) first, asks best (lowest) first.

    Example::

        >>> from binance_ws import structure
        >>> book = structure(
        ...     {"lastUpdateId": 7, "bids": [["0.0137", "3.4"]], "asks": [["0.0138", "5.9"]]}, OrderBook
        ... )
        >>> book.bids[0].price, book.best_ask
        (Decimal('0.0137'), PriceLevel(price=0.0138, quantity=5.9))
        >>> book
        OrderBook(last_update_id=7, bids=<1 levels, best 0.0137 x 3.4>, asks=<1 levels, best 0.0138 x 5.9>)

    Its repr counts the levels and shows the best (a 5000-level book is not converted for
    it); in Jupyter it shows as bids beside asks, the best 20 of each.
    """

    last_update_id: int | None = None
    #: The bids as sent (``[[price, quantity], ...]``); :attr:`bids` converts them on first use.
    raw_bids: list[Any] | None = attrs.field(default=None, metadata={"wire": "bids"})
    #: The asks as sent; :attr:`asks` converts them on first use.
    raw_asks: list[Any] | None = attrs.field(default=None, metadata={"wire": "asks"})
    _bids: list[PriceLevel] | None = attrs.field(default=None, init=False, eq=False)
    _asks: list[PriceLevel] | None = attrs.field(default=None, init=False, eq=False)

    #: Bid levels, best (highest) first, as :class:`PriceLevel` (converted once, on first use).
    bids = lazy("raw_bids", "_bids", _to_levels)
    #: Ask levels, best (lowest) first, as :class:`PriceLevel` (converted once, on first use).
    asks = lazy("raw_asks", "_asks", _to_levels)

    @property
    def best_bid(self) -> PriceLevel | None:
        """The highest bid, or ``None`` when there is none."""
        return _to_levels(self.raw_bids[:1])[0] if self.raw_bids else None

    @property
    def best_ask(self) -> PriceLevel | None:
        """The lowest ask, or ``None`` when there is none."""
        return _to_levels(self.raw_asks[:1])[0] if self.raw_asks else None

    def to_records(self) -> list[dict[str, Any]]:
        """Every level as a dict: ``side`` (``"bid"``/``"ask"``), ``price``, ``quantity`` (Decimals).

        Example::

            >>> from binance_ws import structure
            >>> book = structure({"lastUpdateId": 7, "bids": [["0.0137", "3.4"]], "asks": []}, OrderBook)
            >>> book.to_records()
            [{'side': 'bid', 'price': Decimal('0.0137'), 'quantity': Decimal('3.4')}]
        """
        return to_records(self)

    def to_pandas(self, *, decimals: Literal["decimal", "float"] = "decimal") -> Any:
        """The levels as a ``pandas.DataFrame`` (columns of :meth:`to_records`; needs the
        ``pandas`` extra; see :func:`binance_ws.to_pandas`).

        Example::

            >>> from binance_ws import structure
            >>> book = structure({"bids": [["0.0137", "3.4"]], "asks": [["0.0138", "5.9"]]}, OrderBook)
            >>> book.to_pandas(decimals="float")["price"].tolist()
            [0.0137, 0.0138]
        """
        return to_pandas(self, decimals=decimals)


@attrs.frozen(kw_only=True, repr=False)
class Trade(WireModel):
    """A trade (``trades.recent``, ``trades.historical``, ``blockTrades.historical``)."""

    id: int | None = None
    price: Decimal | None = None
    qty: Decimal | None = None
    quote_qty: Decimal | None = None
    time: int | None = None
    is_buyer_maker: bool | None = None
    #: Not sent for block trades.
    is_best_match: bool | None = None

    @property
    def datetime(self) -> dt.datetime | None:
        """``time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.time)


@attrs.frozen(kw_only=True, repr=False)
class AggregateTrade(WireModel):
    """An aggregate trade (``trades.aggregate``); the wire uses one-letter keys."""

    aggregate_trade_id: int | None = attrs.field(default=None, metadata={"wire": "a"})
    price: Decimal | None = attrs.field(default=None, metadata={"wire": "p"})
    quantity: Decimal | None = attrs.field(default=None, metadata={"wire": "q"})
    first_trade_id: int | None = attrs.field(default=None, metadata={"wire": "f"})
    last_trade_id: int | None = attrs.field(default=None, metadata={"wire": "l"})
    time: int | None = attrs.field(default=None, metadata={"wire": "T"})
    is_buyer_maker: bool | None = attrs.field(default=None, metadata={"wire": "m"})
    is_best_match: bool | None = attrs.field(default=None, metadata={"wire": "M"})

    @property
    def datetime(self) -> dt.datetime | None:
        """``time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.time)


@attrs.frozen(kw_only=True, repr=False)
class AveragePrice(WireModel):
    """The current average price (``avgPrice``) over the last ``mins`` minutes."""

    mins: int | None = None
    price: Decimal | None = None
    #: Time of the last trade.
    close_time: int | None = None

    @property
    def close_datetime(self) -> dt.datetime | None:
        """``close_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.close_time)


@attrs.frozen(kw_only=True, repr=False)
class MiniTicker(WireModel):
    """Price change statistics with ``type="MINI"`` (``ticker.24hr``, ``ticker.tradingDay``, ``ticker``)."""

    symbol: str | None = None
    open_price: Decimal | None = None
    high_price: Decimal | None = None
    low_price: Decimal | None = None
    last_price: Decimal | None = None
    volume: Decimal | None = None
    quote_volume: Decimal | None = None
    open_time: int | None = None
    close_time: int | None = None
    #: First trade id of the window (-1 when there was no trade).
    first_id: int | None = None
    #: Last trade id of the window (-1 when there was no trade).
    last_id: int | None = None
    #: Number of trades in the window.
    count: int | None = None

    @property
    def open_datetime(self) -> dt.datetime | None:
        """``open_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.open_time)

    @property
    def close_datetime(self) -> dt.datetime | None:
        """``close_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.close_time)


@attrs.frozen(kw_only=True, repr=False)
class Ticker(MiniTicker):
    """Full price change statistics of ``ticker.tradingDay`` and ``ticker`` (rolling window)."""

    price_change: Decimal | None = None
    price_change_percent: Decimal | None = None
    weighted_avg_price: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False)
class Ticker24hr(Ticker):
    """Full 24-hour price change statistics (``ticker.24hr``), with the current best bid and ask."""

    prev_close_price: Decimal | None = None
    last_qty: Decimal | None = None
    bid_price: Decimal | None = None
    bid_qty: Decimal | None = None
    ask_price: Decimal | None = None
    ask_qty: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False)
class PriceTicker(WireModel):
    """The latest price of a symbol (``ticker.price``)."""

    symbol: str | None = None
    price: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False)
class BookTicker(WireModel):
    """The best bid and ask of a symbol (``ticker.book``)."""

    symbol: str | None = None
    bid_price: Decimal | None = None
    bid_qty: Decimal | None = None
    ask_price: Decimal | None = None
    ask_qty: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False)
class ReferencePrice(WireModel):
    """The reference price of a symbol (``referencePrice``).

    ``reference_price`` is ``None`` while none is set. For a symbol that never had one,
    Binance answers status 200 with an error inside the result: then ``code`` (-2043) and
    ``msg`` are set and the other fields are ``None``.
    """

    symbol: str | None = None
    reference_price: Decimal | None = None
    timestamp: int | None = None
    code: int | None = None
    msg: str | None = None

    @property
    def datetime(self) -> dt.datetime | None:
        """``timestamp`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.timestamp)


@attrs.frozen(kw_only=True, repr=False)
class ReferencePriceCalculation(WireModel):
    """How a symbol's reference price is calculated (``referencePrice.calculation``).

    ``ARITHMETIC_MEAN`` comes with ``bucket_count`` and ``bucket_width_ms``; ``EXTERNAL``
    with ``external_calculation_id``.
    """

    symbol: str | None = None
    calculation_type: ReferencePriceCalculationType | None = None
    bucket_count: int | None = None
    bucket_width_ms: int | None = None
    external_calculation_id: int | None = None
