"""Typed market data methods end to end against the local exchange, their models and validation.

Each call's typed result is checked, and so is the request the exchange recorded: exactly the
wire method name and wire parameter names, built from the snake_case keyword arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from binance_ws import BadRequestError, Client, InvalidParameterError, structure, unstructure
from binance_ws.enums import KlineInterval, ReferencePriceCalculationType, SymbolStatus, TickerType
from binance_ws.exchange import LocalExchange
from binance_ws.models import (
    AggregateTrade,
    AveragePrice,
    BookTicker,
    Kline,
    MiniTicker,
    OrderBook,
    PriceLevel,
    PriceTicker,
    ReferencePrice,
    ReferencePriceCalculation,
    Ticker,
    Ticker24hr,
    Trade,
)
from tools import reference


def _examples() -> dict[str, Any]:
    """Result of each 200 example, keyed ``"method"`` or ``"method:label"``."""
    out: dict[str, Any] = {}
    for m in reference.methods():
        out[m["method"]] = m["example_response"].get("result")
        for v in m.get("example_responses", []):
            out[f"{m['method']}:{v['label']}"] = v["response"].get("result")
    return out


EXAMPLES = _examples()


def call_checking_request(
    exchange: LocalExchange,
    fn: Callable[..., Any],
    wire: str,
    sent: dict[str, Any],
    accept_codes: tuple[int, ...] = (),
    **kwargs: Any,
) -> Any:
    """Call ``fn(**kwargs)``; its result, or None for an error listed in ``accept_codes``.

    Either way the exchange must have received exactly ``(wire, sent)``.
    """
    try:
        result = fn(**kwargs)
    except BadRequestError as exc:
        assert exc.code in accept_codes, exc
        result = None
    assert exchange.requests[-1] == (wire, sent)
    return result


# -- depth --------------------------------------------------------------------------------------


def test_depth_returns_an_order_book(client: Client, exchange: LocalExchange) -> None:
    book = client.depth(symbol="BTCUSDT", limit=10, symbol_status=SymbolStatus.TRADING)
    assert exchange.requests[-1] == ("depth", {"symbol": "BTCUSDT", "limit": 10, "symbolStatus": "TRADING"})
    assert isinstance(book, OrderBook) and isinstance(book.last_update_id, int)
    assert book.bids is not None and book.asks is not None
    assert len(book.bids) == len(book.asks) == 10
    level = book.bids[0]
    assert isinstance(level, PriceLevel) and isinstance(level.price, Decimal)
    assert level == (level.price, level.quantity)
    bids = [lvl.price for lvl in book.bids]
    asks = [lvl.price for lvl in book.asks]
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
    assert book.best_bid == book.bids[0] and book.best_ask == book.asks[0]
    assert bids[0] < asks[0]
    assert "<10 levels, best" in repr(book)


def test_depth_5000_levels_round_trip(client: Client) -> None:
    raw = client.request("depth", {"symbol": "BTCUSDT", "limit": 5000}).result
    book = structure(raw, OrderBook)
    assert unstructure(book) == raw
    typed = client.depth(symbol="BTCUSDT", limit=5000)
    assert typed.bids is not None and len(typed.bids) == 5000
    assert unstructure(typed) == raw


def test_depth_status_mismatch_is_an_api_error(client: Client) -> None:
    with pytest.raises(BadRequestError) as exc:
        client.depth(symbol="BTCUSDT", symbol_status="HALT")
    assert exc.value.code == -1220


def test_depth_example_keeps_decimal_strings() -> None:
    result = EXAMPLES["depth"]
    book = structure(result, OrderBook)
    assert book.last_update_id == 2731179239
    assert book.bids is not None and book.bids[0] == PriceLevel(Decimal("0.01379900"), Decimal("3.43200000"))
    assert unstructure(book)["bids"][0] == ["0.01379900", "3.43200000"]
    assert unstructure(book) == result


# -- trades -------------------------------------------------------------------------------------


def test_trades_recent(client: Client, exchange: LocalExchange) -> None:
    trades = call_checking_request(
        exchange,
        client.trades_recent,
        "trades.recent",
        {"symbol": "BTCUSDT", "limit": 3},
        symbol="BTCUSDT",
        limit=3,
    )
    if trades is not None:
        assert all(isinstance(t, Trade) and isinstance(t.price, Decimal) for t in trades)
        assert len(trades) <= 3


def test_trades_historical(client: Client, exchange: LocalExchange) -> None:
    trades = call_checking_request(
        exchange,
        client.trades_historical,
        "trades.historical",
        {"symbol": "BTCUSDT", "fromId": 0, "limit": 2},
        symbol="BTCUSDT",
        from_id=0,
        limit=2,
    )
    if trades is not None:
        assert all(isinstance(t, Trade) for t in trades)


def test_block_trades_historical(client: Client, exchange: LocalExchange) -> None:
    trades = call_checking_request(
        exchange,
        client.block_trades_historical,
        "blockTrades.historical",
        {"symbol": "BTCUSDT", "fromId": 582},
        symbol="BTCUSDT",
        from_id=582,
    )
    if trades is not None:
        assert all(isinstance(t, Trade) for t in trades)


def test_trades_aggregate(client: Client, exchange: LocalExchange) -> None:
    aggs = call_checking_request(
        exchange,
        client.trades_aggregate,
        "trades.aggregate",
        {"symbol": "BNBBTC", "startTime": 1565877971000, "endTime": 1565877972000, "limit": 5},
        symbol="BNBBTC",
        start_time=1565877971000,
        end_time=1565877972000,
        limit=5,
    )
    if aggs is not None:
        assert all(isinstance(a, AggregateTrade) for a in aggs)


def test_trade_models_from_examples() -> None:
    trade = structure(EXAMPLES["trades.recent"][0], Trade)
    assert (trade.id, trade.price, trade.qty, trade.quote_qty) == (
        194686783,
        Decimal("0.01361000"),
        Decimal("0.01400000"),
        Decimal("0.00019054"),
    )
    assert trade.is_buyer_maker is True and trade.is_best_match is True
    assert trade.datetime is not None and trade.datetime.year == 2022
    block = structure(EXAMPLES["blockTrades.historical"][0], Trade)
    assert block.is_best_match is None and block.qty == Decimal("5838")
    assert unstructure(block) == EXAMPLES["blockTrades.historical"][0]
    agg = structure(EXAMPLES["trades.aggregate"][0], AggregateTrade)
    assert (agg.aggregate_trade_id, agg.first_trade_id, agg.last_trade_id) == (50000000, 59120167, 59120170)
    assert (agg.price, agg.quantity, agg.time) == (
        Decimal("0.00274100"),
        Decimal("57.19000000"),
        1565877971222,
    )
    assert agg.is_buyer_maker is True and agg.is_best_match is True
    assert unstructure(agg) == EXAMPLES["trades.aggregate"][0]


# -- klines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "wire"), [("klines", "klines"), ("ui_klines", "uiKlines")])
def test_klines_request(client: Client, exchange: LocalExchange, method: str, wire: str) -> None:
    rows = call_checking_request(
        exchange,
        getattr(client, method),
        wire,
        {"symbol": "BTCUSDT", "interval": "1h", "timeZone": "05:45", "limit": 2},
        symbol="BTCUSDT",
        interval=KlineInterval.HOUR_1,
        time_zone="05:45",
        limit=2,
    )
    if rows is not None:
        assert all(isinstance(k, Kline) and isinstance(k.open, Decimal) for k in rows)


def test_kline_rows_are_named_tuples() -> None:
    row = EXAMPLES["klines"][0]
    (k,) = structure(EXAMPLES["klines"], list[Kline])
    assert isinstance(k, Kline)
    assert (k.open_time, k.close_time, k.number_of_trades) == (1655971200000, 1655974799999, 2283)
    assert (k.open, k.high, k.low, k.close) == (
        Decimal("0.01086000"),
        Decimal("0.01086600"),
        Decimal("0.01083600"),
        Decimal("0.01083800"),
    )
    assert k.taker_buy_quote_asset_volume == Decimal("12.71225884") and k.unused == "0"
    assert k.open_datetime.isoformat() == "2022-06-23T08:00:00+00:00"
    assert unstructure(k) == row
    # Elements Binance might append later survive the round trip.
    longer = [*row, "42.5", 7]
    assert structure(longer, Kline).extra == ("42.5", 7)
    assert unstructure(structure([longer], list[Kline])) == [longer]


def test_klines_1000_rows() -> None:
    row = EXAMPLES["klines"][0]
    rows = [[row[0] + i * 3_600_000, *row[1:6], row[6] + i * 3_600_000, *row[7:]] for i in range(1000)]
    parsed = structure(rows, list[Kline])
    assert len(parsed) == 1000 and parsed[999].open_time == rows[999][0]
    assert unstructure(parsed) == rows


# -- avgPrice, reference price --------------------------------------------------------------------


def test_avg_price(client: Client, exchange: LocalExchange) -> None:
    avg = call_checking_request(
        exchange, client.avg_price, "avgPrice", {"symbol": "BTCUSDT"}, symbol="BTCUSDT"
    )
    if avg is not None:
        assert isinstance(avg, AveragePrice) and isinstance(avg.price, Decimal)
    example = structure(EXAMPLES["avgPrice"], AveragePrice)
    assert (example.mins, example.price, example.close_time) == (5, Decimal("9.35751834"), 1694061154503)
    assert example.close_datetime is not None


def test_reference_price(client: Client, exchange: LocalExchange) -> None:
    ref = call_checking_request(
        exchange,
        client.reference_price,
        "referencePrice",
        {"symbol": "BTCUSDT"},
        accept_codes=(-2043,),
        symbol="BTCUSDT",
    )
    if ref is not None:
        assert isinstance(ref, ReferencePrice) and ref.symbol in ("BTCUSDT", None)


def test_reference_price_variants_from_examples() -> None:
    is_set = structure(EXAMPLES["referencePrice:reference price set"], ReferencePrice)
    assert is_set.reference_price == Decimal("0.00501900") and is_set.code is None
    assert is_set.datetime is not None and is_set.datetime.year == 2026
    unset = structure(EXAMPLES["referencePrice:reference price currently null"], ReferencePrice)
    assert unset.reference_price is None and unset.timestamp == 1770946889251
    assert unstructure(unset)["referencePrice"] is None
    never = EXAMPLES["referencePrice:symbol never had a reference price (-2043 inside result)"]
    model = structure(never, ReferencePrice)
    assert (model.code, model.reference_price, model.symbol) == (-2043, None, None)
    assert unstructure(model) == never


def test_reference_price_calculation(client: Client, exchange: LocalExchange) -> None:
    calc = call_checking_request(
        exchange,
        client.reference_price_calculation,
        "referencePrice.calculation",
        {"symbol": "BTCUSDT", "symbolStatus": "TRADING"},
        accept_codes=(-2043,),
        symbol="BTCUSDT",
        symbol_status="TRADING",
    )
    if calc is not None:
        assert isinstance(calc, ReferencePriceCalculation)
    mean = structure(
        EXAMPLES["referencePrice.calculation:ARITHMETIC_MEAN calculation"], ReferencePriceCalculation
    )
    assert mean.calculation_type is ReferencePriceCalculationType.ARITHMETIC_MEAN
    assert (mean.bucket_count, mean.bucket_width_ms, mean.external_calculation_id) == (10, 1000, None)
    ext = structure(EXAMPLES["referencePrice.calculation:EXTERNAL calculation"], ReferencePriceCalculation)
    assert (
        ext.calculation_type is ReferencePriceCalculationType.EXTERNAL and ext.external_calculation_id == 42
    )


# -- tickers ------------------------------------------------------------------------------------


TICKERS = [
    # (method, wire, FULL model, needs symbol or symbols)
    ("ticker_24hr", "ticker.24hr", Ticker24hr, False),
    ("ticker_trading_day", "ticker.tradingDay", Ticker, True),
    ("ticker", "ticker", Ticker, True),
]


@pytest.mark.parametrize(("method", "wire", "full", "_"), TICKERS)
def test_ticker_one_symbol(
    client: Client, exchange: LocalExchange, method: str, wire: str, full: type[Any], _: bool
) -> None:
    result = call_checking_request(
        exchange, getattr(client, method), wire, {"symbol": "BTCUSDT"}, symbol="BTCUSDT"
    )
    if result is not None:
        assert type(result) is full and result.symbol == "BTCUSDT"
    mini = call_checking_request(
        exchange,
        getattr(client, method),
        wire,
        {"symbol": "BTCUSDT", "type": "MINI"},
        symbol="BTCUSDT",
        type=TickerType.MINI,
    )
    if mini is not None:
        assert type(mini) is MiniTicker


@pytest.mark.parametrize(("method", "wire", "full", "_"), TICKERS)
def test_ticker_many_symbols(
    client: Client, exchange: LocalExchange, method: str, wire: str, full: type[Any], _: bool
) -> None:
    result = call_checking_request(
        exchange,
        getattr(client, method),
        wire,
        {"symbols": ["BTCUSDT", "ETHUSDT"], "type": "FULL", "symbolStatus": "TRADING"},
        symbols=["BTCUSDT", "ETHUSDT"],
        type="FULL",
        symbol_status=SymbolStatus.TRADING,
    )
    if result is not None:
        assert isinstance(result, list) and all(type(t) is full for t in result)
    minis = call_checking_request(
        exchange,
        getattr(client, method),
        wire,
        {"symbols": ["BTCUSDT"], "type": "MINI"},
        symbols=["BTCUSDT"],
        type="MINI",
    )
    if minis is not None:
        assert isinstance(minis, list) and all(type(t) is MiniTicker for t in minis)


def test_ticker_options_reach_the_wire(client: Client, exchange: LocalExchange) -> None:
    call_checking_request(
        exchange,
        client.ticker,
        "ticker",
        {"symbol": "BNBBTC", "windowSize": "7d"},
        symbol="BNBBTC",
        window_size="7d",
    )
    call_checking_request(
        exchange,
        client.ticker_trading_day,
        "ticker.tradingDay",
        {"symbol": "BNBBTC", "timeZone": "-1:00"},
        symbol="BNBBTC",
        time_zone="-1:00",
    )
    everything = call_checking_request(exchange, client.ticker_24hr, "ticker.24hr", {})
    if everything is not None:
        assert isinstance(everything, list) and {t.symbol for t in everything} >= {"BTCUSDT"}


@pytest.mark.parametrize(
    ("method", "wire", "model"),
    [("ticker_price", "ticker.price", PriceTicker), ("ticker_book", "ticker.book", BookTicker)],
)
def test_price_and_book_tickers(
    client: Client, exchange: LocalExchange, method: str, wire: str, model: type[Any]
) -> None:
    fn = getattr(client, method)
    one = call_checking_request(exchange, fn, wire, {"symbol": "BTCUSDT"}, symbol="BTCUSDT")
    if one is not None:
        assert type(one) is model and one.symbol == "BTCUSDT"
    some = call_checking_request(
        exchange, fn, wire, {"symbols": ["BTCUSDT", "BNBBTC"]}, symbols=["BTCUSDT", "BNBBTC"]
    )
    if some is not None:
        assert isinstance(some, list) and all(type(t) is model for t in some)
    every = call_checking_request(exchange, fn, wire, {"symbolStatus": "TRADING"}, symbol_status="TRADING")
    if every is not None:
        assert isinstance(every, list)


def test_ticker_models_from_examples() -> None:
    full = EXAMPLES["ticker.24hr:type=FULL, single symbol"]
    t = structure(full, Ticker24hr)
    assert (t.price_change_percent, t.prev_close_price, t.bid_qty) == (
        Decimal("1.020"),
        Decimal("0.01362800"),
        Decimal("4.64600000"),
    )
    assert (t.first_id, t.last_id, t.count) == (194696115, 194968287, 272173)
    assert t.open_datetime is not None and t.close_datetime is not None
    assert isinstance(t, Ticker) and isinstance(t, MiniTicker)
    assert unstructure(t) == full
    mini = structure(EXAMPLES["ticker.24hr:type=MINI, single symbol"], MiniTicker)
    assert mini.last_price == Decimal("0.01376700") and mini.extra is None
    day = structure(EXAMPLES["ticker.tradingDay:type=FULL, symbol"], Ticker)
    assert day.weighted_avg_price == Decimal("26234.58803036") and day.extra is None
    rolling = structure(EXAMPLES["ticker:multiple symbols (array)"], list[Ticker])
    assert [r.symbol for r in rolling] == ["BNBBTC", "BTCUSDT"] and all(r.extra is None for r in rolling)
    prices = structure(EXAMPLES["ticker.price:multiple symbols (array)"], list[PriceTicker])
    assert prices[2] == PriceTicker(symbol="BNBBUSD", price=Decimal("331.10000000"))
    book = structure(EXAMPLES["ticker.book:single symbol"], BookTicker)
    assert (book.bid_price, book.ask_qty) == (Decimal("0.01358000"), Decimal("17.83700000"))


# -- validation: nothing is sent ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "param", "words"),
    [
        (lambda c: c.depth(symbol=None), "symbol", "mandatory"),
        (lambda c: c.klines(symbol="BTCUSDT", interval=None), "interval", "mandatory"),
        (lambda c: c.block_trades_historical(symbol="BTCUSDT", from_id=None), "from_id", "mandatory"),
        (lambda c: c.depth(symbol="BTCUSDT", limit=5.0), "limit", "pass 5"),
        (lambda c: c.depth(symbol="BTCUSDT", limit=True), "limit", "int"),
        (lambda c: c.klines(symbol="BTCUSDT", interval=1), "interval", "enum"),
        (lambda c: c.trades_recent(symbol=7), "symbol", "str"),
        (lambda c: c.ticker_price(symbol="BTCUSDT", symbols=["ETHUSDT"]), "symbols", "symbol"),
        (lambda c: c.ticker_book(symbol="BTCUSDT", symbols=["ETHUSDT"]), "symbols", "symbol"),
        (lambda c: c.ticker_24hr(symbol="BTCUSDT", symbols=["ETHUSDT"]), "symbols", "symbol"),
        (lambda c: c.ticker_price(symbols="BTCUSDT"), "symbols", "list"),
        (lambda c: c.ticker_24hr(symbols=[]), "symbols", "non-empty"),
        (lambda c: c.ticker_trading_day(), "symbol / symbols", "exactly one"),
        (lambda c: c.ticker(symbol="BTCUSDT", symbols=["ETHUSDT"]), "symbol / symbols", "exactly one"),
        (lambda c: c.depth(symbol="BTCUSDT", limt=5), "limt", "valid"),
        (lambda c: c.depth(symbol="BTCUSDT", symbolStatus="TRADING"), "symbolStatus", "symbol_status="),
        (lambda c: c.avg_price(symbol="BTCUSDT", timeout=0), "timeout", "positive"),
    ],
)
def test_bad_input_is_refused_before_sending(
    client: Client, exchange: LocalExchange, call: Callable[[Any], Any], param: str, words: str
) -> None:
    before = len(exchange.requests)
    with pytest.raises(InvalidParameterError) as exc:
        call(client)
    assert exc.value.param == param
    assert words in str(exc.value)
    assert len(exchange.requests) == before
