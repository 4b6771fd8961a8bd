"""How results read: text reprs, Jupyter HTML, records and DataFrames (``binance_ws._display``).

Models come from a real round trip with a LocalExchange of this module's own (it places
orders, so the shared exchange's account is left alone) and from ``structure`` directly.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import pickle
import re
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import attrs
import nbclient
import nbformat
import pytest
from exchange_helpers import client_for

import binance_ws
from binance_ws import ResultList, models, structure, to_pandas, to_records, unstructure
from binance_ws._display import Displayable
from binance_ws.enums import OrderStatus, Side
from binance_ws.exchange import LocalExchange
from binance_ws.models import (
    AccountInfo,
    AccountTrade,
    Balance,
    ExchangeInfo,
    Kline,
    Order,
    OrderBook,
    OrderFull,
    PriceLevel,
    SessionStatus,
    Trade,
)
from binance_ws.models.events import decode_event

_HIGH = 10**9
_TIME = 1700000000000  # 2023-11-14 22:13:20 UTC
pd: Any = importlib.import_module("pandas")  # no stubs; in the test extra
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def exchange_here() -> Iterator[LocalExchange]:
    with LocalExchange(
        balances={"USDT": "100000", "BTC": "1", "DOGE": "0"},
        book_levels=30,
        enforce_limits=False,
        weight_limit=_HIGH,
        order_limit_10s=_HIGH,
        order_limit_day=_HIGH,
    ) as ex:
        yield ex


@pytest.fixture(scope="module")
def live(exchange_here: LocalExchange) -> Iterator[dict[str, Any]]:
    """One of each result, from the exchange: a book, klines, trades, an order, orders, the account."""
    key = exchange_here.keys.hmac
    with client_for(exchange_here, api_key=key.api_key, api_secret=key.api_secret, timeout=10) as c:
        book = c.depth(symbol="BTCUSDT", limit=100)
        assert book.best_bid is not None
        order = c.order_place(
            symbol="BTCUSDT",
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=Decimal("0.001"),
            price=book.best_bid.price,
        )
        yield {
            "book": book,
            "order": order,
            "orders": c.all_orders(symbol="BTCUSDT"),
            "account": c.account_status(),
            "klines": c.klines(symbol="BTCUSDT", interval="1m", limit=1000),
            "trades": c.trades_recent(symbol="BTCUSDT", limit=50),
            "info": c.exchange_info(symbol="BTCUSDT"),
            "ticker": c.ticker_24hr(symbol="BTCUSDT"),
            "session": c.session_status(),
        }


class _Html(HTMLParser):
    """Checks that every tag is closed in order and collects the rows' cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.rows: list[list[str]] = []
        self.depth = 0  # nested tables: only the outer table's rows are collected

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.stack.append(tag)
        if tag == "table":
            self.depth += 1
        if tag == "tr" and self.depth == 1:
            self.rows.append([])

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag == "table":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth == 1 and self.stack[-1] in ("td", "th") and self.rows:
            self.rows[-1].append(data)


def _parse(markup: str) -> _Html:
    parser = _Html()
    parser.feed(markup)
    parser.close()
    assert parser.stack == [], f"unclosed tags: {parser.stack}"
    return parser


def _kline_rows(n: int) -> list[list[Any]]:
    rows = []
    for i in range(n):
        start = _TIME + i * 60_000
        rows.append(
            [
                start,
                "1.00",
                "2.00",
                "0.50",
                "1.50",
                "0.00000000",
                start + 59_999,
                "10.0",
                i,
                "5.0",
                "7.5",
                "0",
            ]
        )
    return rows


def _public_models() -> list[type]:
    return [c for name in models.__all__ if isinstance(c := getattr(models, name), type)]


# -- text reprs ------------------------------------------------------------------------------


def test_decimals_show_in_fixed_point_with_the_digits_sent() -> None:
    b = Balance(asset="BTC", free=Decimal("0E-8"), locked=Decimal("1.50"))
    assert repr(b) == "Balance(asset='BTC', free=0.00000000, locked=1.50)"
    assert repr(Balance(free=Decimal("1E+2"))) == "Balance(free=100)"
    parsed = structure({"asset": "ETH", "free": "0.00000000", "locked": "12.30000000"}, Balance)
    assert repr(parsed) == "Balance(asset='ETH', free=0.00000000, locked=12.30000000)"


def test_unset_and_none_marker_fields_are_omitted_and_trading_fields_lead() -> None:
    order = Order(
        order_id=5,
        order_list_id=-1,  # Binance's "not in a list"
        client_order_id="",
        price=Decimal("30000.00000000"),
        status=OrderStatus.FILLED,
        side=Side.BUY,
        symbol="BTCUSDT",
    )
    assert repr(order) == "Order(symbol='BTCUSDT', side=BUY, status=FILLED, price=30000.00000000, order_id=5)"
    assert repr(Order()) == "Order()"


def test_an_unknown_enum_value_shows_as_sent() -> None:
    order = structure({"status": "SOMETHING_NEW"}, Order)
    assert repr(order) == "Order(status=SOMETHING_NEW)"


def test_a_full_order_stays_short_and_counts_what_it_leaves_out() -> None:
    values: dict[str, Any] = {}
    for f in attrs.fields(Order):
        if f.init:
            values[f.name] = {"symbol": "BTCUSDT", "client_order_id": "x" * 30}.get(f.name, 7)
    values["price"] = Decimal("30000.00000000")
    order = Order(**values)
    text = repr(order)
    assert len(text) <= 260, text
    shown = text.count("=")
    left = int(re.search(r"\.\.\. \+(\d+) fields\)$", text).group(1))  # type: ignore[union-attr]
    assert shown + left == len([f for f in attrs.fields(Order) if f.init])
    assert text.startswith("Order(symbol='BTCUSDT', side=7, type=7, status=7, price=30000.00000000,")


def test_every_public_model_uses_the_shared_display() -> None:
    checked = 0
    for cls in _public_models():
        if attrs.has(cls):
            assert cls.__repr__ is Displayable.__repr__, cls
            assert issubclass(cls, Displayable) and cls._repr_html_ is Displayable._repr_html_, cls
            checked += 1
    assert checked > 40
    for row in (PriceLevel(Decimal("1"), Decimal("2")), structure(_kline_rows(1), list[Kline])[0]):
        assert repr(row).startswith(type(row).__name__ + "(") and "Decimal(" not in repr(row)
        assert "<table" in row._repr_html_()


def test_the_shared_base_adds_no_slot_and_no_dict() -> None:
    assert Displayable.__slots__ == ()
    # A slotted model stays slotted (Order and SymbolFilter are dict-backed on purpose).
    assert "__dict__" not in dir(structure({"symbol": "X"}, AccountTrade))
    assert type(structure({"symbol": "X"}, AccountTrade)).__slots__ == AccountTrade.__slots__


def test_live_reprs_are_short_and_fixed_point(live: dict[str, Any]) -> None:
    for name, value in live.items():
        text = repr(value)
        assert "Decimal(" not in text and "E-" not in text, (name, text)
        assert "<OrderStatus" not in text and "<Side" not in text, (name, text)
        assert len(text) <= 500, (name, len(text), text)
    order = live["order"]
    assert type(order) is OrderFull and order.order_list_id == -1
    assert repr(order).startswith(f"OrderFull(symbol='BTCUSDT', side=BUY, type=LIMIT, status={order.status},")
    assert f"price={format(order.price, 'f')}" in repr(order) and "order_list_id" not in repr(order)


def test_live_order_book_repr_summarises_without_converting(exchange_here: LocalExchange) -> None:
    with client_for(exchange_here, timeout=10) as c:
        book = c.depth(symbol="BTCUSDT", limit=100)
    assert type(book) is OrderBook and book.raw_bids and book.raw_asks
    bid, ask = book.raw_bids[0], book.raw_asks[0]
    assert repr(book) == (
        f"OrderBook(last_update_id={book.last_update_id}, bids=<{len(book.raw_bids)} levels, best "
        f"{bid[0]} x {bid[1]}>, asks=<{len(book.raw_asks)} levels, best {ask[0]} x {ask[1]}>)"
    )
    book._repr_html_()
    assert book._bids is None and book._asks is None  # neither view converted a side


def test_long_list_results_show_count_first_and_last(live: dict[str, Any]) -> None:
    klines = live["klines"]
    assert type(klines) is ResultList and len(klines) > 3
    text = repr(klines)
    assert text.startswith(f"<{len(klines)} Kline: first Kline(open_time={klines[0].open_time}, open=")
    assert f", last Kline(open_time={klines[-1].open_time}, " in text and text.endswith(")>")
    assert len(text) <= 360  # two brief items and the count
    levels = structure([["1.5", "2"], ["1.4", "0.00000000"]], list[PriceLevel])
    assert repr(levels) == "[PriceLevel(price=1.5, quantity=2), PriceLevel(price=1.4, quantity=0.00000000)]"
    assert repr(structure([], list[Trade])) == "[]"


def test_nested_lists_are_inline_when_short_and_counted_when_long() -> None:
    one = structure({"symbol": "X", "fills": [{"price": "1.0", "qty": "2"}]}, OrderFull)
    assert repr(one) == "OrderFull(symbol='X', fills=[Fill(price=1.0, qty=2)])"
    many = structure({"balances": [{"asset": f"A{i}", "free": "0"} for i in range(30)]}, AccountInfo)
    assert repr(many) == "AccountInfo(balances=<30 balances, 0 non-zero>)"
    info = structure({"timezone": "UTC", "symbols": [{"symbol": f"S{i}"} for i in range(2000)]}, ExchangeInfo)
    assert repr(info) == "ExchangeInfo(timezone='UTC', symbols=<2000 symbols>)"
    assert "2000 symbols: S0, S1, S2" in info._repr_html_() and "S20" not in info._repr_html_()
    assert info._symbols is None  # counted and named from the raw list


def test_user_data_events_share_the_style() -> None:
    event = decode_event(
        {
            "e": "executionReport",
            "E": _TIME,
            "s": "BTCUSDT",
            "S": "SELL",
            "o": "LIMIT",
            "X": "NEW",
            "p": "0.00000000",
            "q": "1.00000000",
            "g": -1,
            "C": "",
        }
    )
    assert repr(event) == (
        "ExecutionReport(symbol='BTCUSDT', event_type='executionReport', side=SELL, order_type=LIMIT, "
        "order_status=NEW, price=0.00000000, quantity=1.00000000, event_time=1700000000000)"
    )
    assert '<th>event_time</th><td title="1700000000000">2023-11-14 22:13:20.000</td>' in event._repr_html_()


def test_a_masked_field_stays_masked_in_text_and_html() -> None:
    key = "k" * 24 + "SECRETTAIL"
    status = SessionStatus(api_key=key, authorized_since=_TIME)
    assert "SECRETTAIL" not in repr(status) and "SECRETTAIL" not in status._repr_html_()
    assert repr(status).startswith("SessionStatus(api_key='kkkk")


# -- HTML ------------------------------------------------------------------------------------


def test_html_escapes_every_value() -> None:
    nasty = "<script>alert('x')</script> & \"q\""
    for html in (
        Balance(asset=nasty, free=Decimal("1"))._repr_html_(),
        structure([{"asset": nasty, "free": "1"}], list[Balance])._repr_html_(),
        structure({"balances": [{"asset": nasty, "free": "1"}]}, AccountInfo)._repr_html_(),
        structure({"bids": [[nasty, "1"]], "asks": []}, OrderBook)._repr_html_(),
        structure({"symbol": nasty, "fills": [{"commissionAsset": nasty}]}, OrderFull)._repr_html_(),
    ):
        assert "<script>" not in html and "&lt;script&gt;" in html
        _parse(html)


def test_html_of_a_model_is_a_field_value_table_with_readable_times() -> None:
    trade = structure({"id": 3, "price": "0.00000000", "time": _TIME, "isBuyerMaker": True}, Trade)
    parsed = _parse(trade._repr_html_())
    assert parsed.rows == [
        ["price", "0.00000000"],
        ["id", "3"],
        ["time", "2023-11-14 22:13:20.000"],
        ["is_buyer_maker", "True"],
    ]
    assert f'title="{_TIME}"' in trade._repr_html_()


def test_html_of_an_order_book_is_bids_beside_asks_capped() -> None:
    bids = [[f"{100 - i}.00", f"{i}.5"] for i in range(30)]
    asks = [[f"{101 + i}.00", "0.00000000"] for i in range(25)]
    book = structure({"lastUpdateId": 9, "bids": bids, "asks": asks}, OrderBook)
    parsed = _parse(book._repr_html_())
    assert parsed.rows[0] == ["bids", "asks"] and parsed.rows[1] == ["price", "quantity"] * 2
    levels = parsed.rows[2:-1]
    assert len(levels) == 20
    assert levels[0] == ["100.00", "0.5", "101.00", "0.00000000"]
    assert levels[19] == ["81.00", "19.5", "120.00", "0.00000000"]
    assert parsed.rows[-1] == ["... 10 more", "... 5 more"]
    assert "OrderBook last_update_id=9 · 30 bids · 25 asks" in book._repr_html_()
    assert book._bids is None


def test_html_of_a_long_list_shows_head_gap_and_tail() -> None:
    klines = structure(_kline_rows(1000), list[Kline])
    parsed = _parse(klines._repr_html_())
    header, rows = parsed.rows[0], parsed.rows[1:]
    assert header[:3] == ["open_time", "open", "high"] and "extra" not in header and "raw" not in header
    assert len(rows) == 21 and rows[10] == ["... 980 more"]
    assert rows[0][:2] == ["2023-11-14 22:13:20.000", "1.00"] and rows[0][5] == "0.00000000"
    assert rows[-1][header.index("number_of_trades")] == "999"


def test_html_of_live_results(live: dict[str, Any]) -> None:
    orders = live["orders"]
    parsed = _parse(orders._repr_html_())
    header = parsed.rows[0]
    assert header[:3] == ["symbol", "order_id", "client_order_id"]
    assert "stop_price" in header or all(o.stop_price is None for o in orders)
    assert len(parsed.rows) == 1 + len(orders) and len(orders) <= 20
    price = parsed.rows[1][header.index("price")]
    assert price == format(orders[0].price, "f")
    for name in ("order", "info", "ticker", "trades", "klines", "session"):
        _parse(live[name]._repr_html_())
    book = _parse(live["book"]._repr_html_())
    assert len(book.rows) == 2 + 20 + 1  # the headers, 20 levels, the "more" row


def test_account_html_lists_the_held_balances(live: dict[str, Any]) -> None:
    account = live["account"]
    assert type(account) is AccountInfo and account.balances
    markup = account._repr_html_()
    _parse(markup)
    held = [b for b in account.balances if b.free or b.locked]
    zero = len(account.balances) - len(held)
    assert f"{len(held)} non-zero balances" in markup
    for b in held:
        assert f"<td>{b.asset}</td><td>{format(b.free, 'f')}</td>" in markup
    built = structure(
        {
            "balances": [
                {"asset": "BTC", "free": "1", "locked": "0"},
                {"asset": "XRP", "free": "0", "locked": "0"},
            ]
        },
        AccountInfo,
    )
    assert "1 non-zero balances, 1 zero not shown" in built._repr_html_()
    assert "XRP" not in built._repr_html_()
    assert zero >= 0


# -- records and DataFrames ------------------------------------------------------------------


def test_records_of_live_klines(live: dict[str, Any]) -> None:
    klines = live["klines"]
    records = klines.to_records()
    assert records == to_records(klines) and len(records) == len(klines)
    first = records[0]
    assert list(first) == [f for f in Kline._fields if f not in ("extra", "raw")]
    assert type(first["open"]) is Decimal and first["open"] == klines[0].open
    assert type(first["open_time"]) is dt.datetime and first["open_time"] == klines[0].open_datetime
    assert first["open_time"].tzinfo is dt.timezone.utc
    assert type(first["number_of_trades"]) is int


def test_records_of_live_orders_are_plain_python(live: dict[str, Any]) -> None:
    orders = live["orders"]
    assert type(orders) is ResultList
    row = orders.to_records()[0]
    assert list(row) == [f.name for f in attrs.fields(Order) if f.init]
    assert type(row["status"]) is str and row["status"] == orders[0].status.value
    assert type(row["price"]) is Decimal and row["price"] == orders[0].price
    assert type(row["time"]) is dt.datetime and row["time"] == orders[0].datetime
    assert row["stop_price"] is None or type(row["stop_price"]) is Decimal


def test_records_of_a_book_and_nested_models() -> None:
    book = structure({"bids": [["2.0", "1"]], "asks": [["2.1", "0.00000000"]]}, OrderBook)
    assert book.to_records() == [
        {"side": "bid", "price": Decimal("2.0"), "quantity": Decimal("1")},
        {"side": "ask", "price": Decimal("2.1"), "quantity": Decimal("0.00000000")},
    ]
    order = structure(
        {"workingTime": -1, "fills": [{"price": "1.5", "matchType": "ONE_PARTY_TRADE_REPORT"}]}, OrderFull
    )
    (row,) = to_records(order)
    assert row["working_time"] is None  # Binance's -1: not working yet
    assert row["fills"] == [
        {
            "match_type": "ONE_PARTY_TRADE_REPORT",
            "price": Decimal("1.5"),
            "qty": None,
            "commission": None,
            "commission_asset": None,
            "trade_id": None,
            "alloc_id": None,
        }
    ]
    assert type(row["fills"][0]["match_type"]) is str


def test_to_records_names_what_it_needs() -> None:
    with pytest.raises(TypeError, match=r"to_records: obj must hold result models.*int"):
        to_records([1, 2])
    with pytest.raises(TypeError, match=r"to_records: obj must be a result model.*str"):
        to_records("BTCUSDT")
    with pytest.raises(ValueError, match="decimals must be 'decimal' or 'float'"):
        to_pandas([], decimals="exact")  # type: ignore[arg-type]


def test_to_pandas_dtypes(live: dict[str, Any]) -> None:
    klines = live["klines"]
    df = klines.to_pandas()
    assert type(df) is pd.DataFrame and len(df) == len(klines)
    assert isinstance(df["open_time"].dtype, pd.DatetimeTZDtype) and str(df["open_time"].dt.tz) == "UTC"
    assert df["open_time"].iloc[0] == pd.Timestamp(klines[0].open_datetime)
    assert df["open"].dtype == object and type(df["open"].iloc[0]) is Decimal
    assert df["number_of_trades"].dtype == "int64"
    floats = klines.to_pandas(decimals="float")
    assert floats["close"].dtype == "float64" and floats["close"].iloc[-1] == float(klines[-1].close)

    orders = to_pandas(live["orders"])
    assert orders["status"].iloc[0] == live["orders"][0].status.value
    assert orders["is_working"].dtype == bool
    built = to_pandas(structure([{"orderId": 1, "strategyId": 7}, {"orderId": 2}], list[Order]))
    assert str(built["strategy_id"].dtype) == "Int64" and built["strategy_id"].isna().tolist() == [
        False,
        True,
    ]
    assert built["order_id"].dtype == "int64"
    assert built["price"].isna().all()

    balances = to_pandas(live["account"].balances)  # a nested list: plain, through the function
    assert list(balances.columns) == ["asset", "free", "locked"]
    assert type(balances["free"].iloc[0]) is Decimal

    book = live["book"].to_pandas()
    assert list(book.columns) == ["side", "price", "quantity"]
    assert len(book) == len(live["book"].bids) + len(live["book"].asks)


def test_to_pandas_without_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    book = structure({"bids": [["1", "1"]], "asks": []}, OrderBook)
    klines = structure(_kline_rows(2), list[Kline])
    calls: list[Callable[[], Any]] = [klines.to_pandas, book.to_pandas, lambda: to_pandas(klines)]
    for call in calls:
        with pytest.raises(ImportError, match=re.escape("pip install 'binance-ws[pandas]'")):
            call()
    assert klines.to_records()[0]["open"] == Decimal("1.00")  # records need no pandas


def test_result_lists_are_still_plain_lists(live: dict[str, Any]) -> None:
    trades = live["trades"]
    assert type(trades) is ResultList and isinstance(trades, list) and trades == list(trades)
    doc = unstructure(trades)
    assert type(doc) is list and type(doc[0]) is dict
    back = pickle.loads(pickle.dumps(trades))
    assert type(back) is ResultList and back == trades
    assert json.loads(json.dumps(doc)) == doc
    assert type(trades[:2]) is list  # slicing gives a plain list, as any list subclass
    assert binance_ws.ResultList is ResultList


# -- a real Jupyter kernel -------------------------------------------------------------------


def test_jupyter_shows_html_and_short_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel imports this tree's package, whatever the shared install points at.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")])))
    source = (
        "from binance_ws import structure\n"
        "from binance_ws.models import Kline, OrderBook\n"
        "book = structure({'lastUpdateId': 7, 'bids': [['1.0', '0.00000000']], 'asks': [['<2>', '1']]}, OrderBook)\n"
        "rows = [[1700000000000 + i, '1', '2', '0', '1', '0.00000000', 1, '1', i, '1', '1', '0'] for i in range(50)]\n"
    )
    v4: Any = nbformat.v4  # untyped
    nb = v4.new_notebook()
    nb.cells = [
        v4.new_code_cell(source),
        v4.new_code_cell("book"),
        v4.new_code_cell("structure(rows, list[Kline])"),
    ]
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    book_out, klines_out = (cell.outputs[0]["data"] for cell in nb.cells[1:])
    assert book_out["text/plain"].startswith(
        "OrderBook(last_update_id=7, bids=<1 levels, best 1.0 x 0.00000000>"
    )
    assert "<td>0.00000000</td>" in book_out["text/html"] and "&lt;2&gt;" in book_out["text/html"]
    assert klines_out["text/plain"].startswith("<50 Kline: first Kline(open_time=1700000000000,")
    assert "... 30 more" in klines_out["text/html"]


def test_list_results_are_declared_as_result_lists(exchange_here: LocalExchange) -> None:
    # mypy checks this test too: the facade declares ResultList, so to_records() type-checks.
    with client_for(exchange_here, timeout=10) as c:
        trades: ResultList[Trade] = c.trades_recent(symbol="BTCUSDT", limit=5)
        records: list[dict[str, Any]] = trades.to_records()
    assert type(trades) is ResultList and all(type(t) is Trade for t in trades)
    assert len(records) == len(trades) and type(records[0]) is dict
