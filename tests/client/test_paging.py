"""The history iterators: klines_history, my_trades_history and all_orders_history.

Multi-page walks run against a scripted loopback server that answers from generated data the
way Binance does (klines open at or after startTime; myTrades refuses time spans over 24 h;
allOrders filters by update time), so the exact params of every page can be checked; the
shorter walks also run against the real LocalExchange.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from binance_ws import (
    Client,
    InvalidParameterError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
)
from binance_ws.models.account import AccountTrade, Order
from binance_ws.models.market import Kline

MINUTE = 60_000
DAY = 24 * 3600 * 1000
T0 = 1_700_000_000_000 - 1_700_000_000_000 % DAY  # a UTC midnight
SIGNING = frozenset({"apiKey", "signature", "timestamp"})

Answer = Callable[[str, dict[str, Any]], Any]


class HistoryServer:
    """Answers klines / myTrades / allOrders from generated rows; records every request."""

    def __init__(self, answer: Answer, rate_limits: list[dict[str, Any]] | None = None) -> None:
        self.answer = answer
        self.rate_limits = rate_limits
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None, max_size=None)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/ws-api/v3"
        self._thread = threading.Thread(target=self._server.serve_forever, name="history-server", daemon=True)
        self._thread.start()

    def _handle(self, conn: ServerConnection) -> None:
        try:
            for message in conn:
                request = json.loads(message)
                params = {k: v for k, v in request.get("params", {}).items() if k not in SIGNING}
                self.requests.append((request["method"], params))
                frame: dict[str, Any] = {"id": request["id"]}
                try:
                    result = self.answer(request["method"], params)
                except _Refused as exc:
                    frame.update(status=400, error={"code": exc.code, "msg": exc.msg})
                else:
                    if result is _SILENT:
                        continue
                    frame.update(status=200, result=result)
                if self.rate_limits is not None:
                    frame["rateLimits"] = self.rate_limits
                conn.send(json.dumps(frame))
        except ConnectionClosed:
            pass

    def pages(self, method: str) -> list[dict[str, Any]]:
        return [p for m, p in self.requests if m == method]

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


class _Refused(Exception):
    def __init__(self, code: int, msg: str) -> None:
        self.code, self.msg = code, msg


_SILENT = object()


def _limit(params: dict[str, Any]) -> int:
    return int(params.get("limit", 500))


def _span(params: dict[str, Any]) -> tuple[int | None, int | None]:
    start, end = params.get("startTime"), params.get("endTime")
    if start is not None and end is not None and end - start > DAY:
        raise _Refused(-1127, "More than 24 hours between startTime and endTime.")
    return start, end


def kline_rows(count: int, step: int = MINUTE) -> list[list[Any]]:
    return [
        [
            T0 + i * step,
            f"{100 + i}.5",
            f"{101 + i}",
            f"{99 + i}",
            f"{100 + i}.25",
            "1.5",
            T0 + (i + 1) * step - 1,
            "150.0",
            i,
            "0.7",
            "70.0",
            "0",
        ]
        for i in range(count)
    ]


def klines_answer(rows: list[list[Any]]) -> Answer:
    def answer(method: str, params: dict[str, Any]) -> Any:
        assert method == "klines"
        start, end = params.get("startTime"), params.get("endTime")
        chosen = [r for r in rows if (start is None or r[0] >= start) and (end is None or r[0] <= end)]
        return chosen[: _limit(params)]

    return answer


def trade_rows(times: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "symbol": "BTCUSDT",
            "id": 5000 + i,
            "orderId": 90 + i,
            "orderListId": -1,
            "price": "30000.10000000",
            "qty": "0.00100000",
            "quoteQty": "30.00010000",
            "commission": "0.00000100",
            "commissionAsset": "BTC",
            "time": t,
            "isBuyer": True,
            "isMaker": False,
            "isBestMatch": True,
        }
        for i, t in enumerate(times)
    ]


def trades_answer(rows: list[dict[str, Any]]) -> Answer:
    def answer(method: str, params: dict[str, Any]) -> Any:
        assert method == "myTrades"
        start, end = _span(params)
        if "fromId" in params:
            if start is not None or end is not None:
                raise _Refused(-1128, "Combination of optional parameters invalid.")
            return [r for r in rows if r["id"] >= params["fromId"]][: _limit(params)]
        chosen = [
            r for r in rows if (start is None or r["time"] >= start) and (end is None or r["time"] <= end)
        ]
        return chosen[: _limit(params)]

    return answer


def order_rows(update_times: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "symbol": "BTCUSDT",
            "orderId": 700 + i,
            "orderListId": -1,
            "clientOrderId": f"c{i}",
            "price": "30000.00000000",
            "origQty": "0.00100000",
            "executedQty": "0.00100000",
            "cummulativeQuoteQty": "30.00000000",
            "status": "FILLED",
            "timeInForce": "GTC",
            "type": "LIMIT",
            "side": "BUY",
            "time": t - 5,
            "updateTime": t,
        }
        for i, t in enumerate(update_times)
    ]


def orders_answer(rows: list[dict[str, Any]]) -> Answer:
    def answer(method: str, params: dict[str, Any]) -> Any:
        assert method == "allOrders"
        start, end = _span(params)
        if start is None and end is None:
            return [r for r in rows if r["orderId"] >= params.get("orderId", 0)][: _limit(params)]
        # As Binance: filtered by update time, in order id order (not update time order).
        chosen = [
            r
            for r in rows
            if (start is None or r["updateTime"] >= start) and (end is None or r["updateTime"] <= end)
        ]
        return chosen[: _limit(params)]

    return answer


@pytest.fixture
def history() -> Iterator[Callable[..., tuple[HistoryServer, Client]]]:
    made: list[tuple[HistoryServer, Client]] = []

    def make(answer: Answer, **client_options: Any) -> tuple[HistoryServer, Client]:
        server = HistoryServer(answer, client_options.pop("rate_limits", None))
        options: dict[str, Any] = {"api_key": "demo-key", "api_secret": "demo-secret", "timeout": 5}
        client = Client(server.url, **(options | client_options)).connect()
        made.append((server, client))
        return server, client

    yield make
    for server, client in made:
        client.close()
        server.close()


# -- klines -----------------------------------------------------------------------------------


def test_klines_page_by_open_time_without_repeats_or_gaps(history: Any) -> None:
    rows = kline_rows(2500)
    server, client = history(klines_answer(rows))
    got = list(client.klines_history(symbol="BTCUSDT", interval="1m", start_time=T0))
    assert [k.open_time for k in got] == [r[0] for r in rows]
    assert all(type(k) is Kline for k in got)
    assert type(got[0].close) is Decimal and got[0].close == Decimal("100.25")
    assert type(got[-1].number_of_trades) is int and got[-1].number_of_trades == 2499
    pages = server.pages("klines")
    assert pages == [
        {"symbol": "BTCUSDT", "interval": "1m", "startTime": T0 + n * 1000 * MINUTE, "limit": 1000}
        for n in range(3)
    ]


def test_klines_stop_at_the_end_time_without_asking_again(history: Any) -> None:
    rows = kline_rows(2500)
    server, client = history(klines_answer(rows))
    end = T0 + 1999 * MINUTE  # the last row of the second page
    got = list(
        client.klines_history(
            symbol="BTCUSDT",
            interval="1m",
            start_time=dt.datetime.fromtimestamp(T0 / 1000, dt.timezone.utc),
            end_time=end,
            page_size=1000,
        )
    )
    assert len(got) == 2000 and got[-1].open_time == end
    assert [p["startTime"] for p in server.pages("klines")] == [T0, T0 + 1000 * MINUTE]
    assert all(p["endTime"] == end for p in server.pages("klines"))


def test_klines_a_short_page_ends_the_walk(history: Any) -> None:
    server, client = history(klines_answer(kline_rows(25)))
    got = list(client.klines_history(symbol="BTCUSDT", interval="1m", start_time=T0, page_size=10))
    assert len(got) == 25
    assert [p["startTime"] for p in server.pages("klines")] == [T0, T0 + 10 * MINUTE, T0 + 20 * MINUTE]
    assert [p["limit"] for p in server.pages("klines")] == [10, 10, 10]


def test_klines_from_a_server_answering_the_bucket_that_holds_start_time(history: Any) -> None:
    """A server that answers from the kline *containing* startTime repeats no row for us."""
    rows = kline_rows(30)

    def answer(method: str, params: dict[str, Any]) -> Any:
        start = params["startTime"] - (params["startTime"] - T0) % MINUTE
        return [r for r in rows if r[0] >= start][: _limit(params)]

    _, client = history(answer)
    got = list(client.klines_history(symbol="BTCUSDT", interval="1m", start_time=T0 + 30_000, page_size=7))
    assert [k.open_time for k in got] == [r[0] for r in rows[1:]]


def test_klines_against_the_local_exchange(client: Client) -> None:
    end = int(time.time() * 1000) - 2 * MINUTE
    start = end - 3600_000
    whole = [
        k for k in client.klines(symbol="BTCUSDT", interval="1m", start_time=start, end_time=end, limit=1000)
    ]
    walked = list(
        client.klines_history(symbol="BTCUSDT", interval="1m", start_time=start, end_time=end, page_size=7)
    )
    assert len(walked) > 14  # more than two pages
    assert walked == [k for k in whole if k.open_time is not None and k.open_time >= start]
    assert all(type(k) is Kline for k in walked)


def _weight(interval: str, limit: int, count: int) -> list[dict[str, Any]]:
    return [
        {
            "rateLimitType": "REQUEST_WEIGHT",
            "interval": interval,
            "intervalNum": 1,
            "limit": limit,
            "count": count,
        }
    ]


def test_each_page_goes_through_the_rate_governor(history: Any) -> None:
    # The server reports the minute's weight as used up: the next page must not be sent.
    server, client = history(
        klines_answer(kline_rows(50)), rate_limit="raise", rate_limits=_weight("MINUTE", 6000, 6000)
    )
    pages = client.klines_history(symbol="BTCUSDT", interval="1m", start_time=T0, page_size=10)
    first = [next(pages) for _ in range(10)]
    assert len(first) == 10
    with pytest.raises(RateLimitedError):
        next(pages)
    assert len(server.pages("klines")) == 1


def test_a_page_held_back_past_its_timeout_is_asked_again_after_the_reset(
    history: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Every answer reports this second's weight as used up: the next page waits for the
    # next second, longer than its 0.1 s timeout, and is asked again then (never sooner).
    # (A page whose answer straddles a second boundary is not held: four pages, three holds
    # expected, at least one certain.)
    server, client = history(klines_answer(kline_rows(35)), rate_limits=_weight("SECOND", 4, 4))
    caplog.set_level(logging.INFO, logger="binance_ws._paging")
    got = list(
        client.klines_history(symbol="BTCUSDT", interval="1m", start_time=T0, page_size=10, timeout=0.1)
    )
    assert [k.open_time for k in got] == [T0 + i * MINUTE for i in range(35)]
    assert [p["startTime"] for p in server.pages("klines")] == [T0 + n * 10 * MINUTE for n in range(4)]
    assert "held back by the rate limit" in caplog.text


def test_timeout_applies_to_each_page(history: Any) -> None:
    _, client = history(lambda method, params: _SILENT)
    pages = client.klines_history(symbol="BTCUSDT", interval="1m", start_time=T0, timeout=0.3)
    with pytest.raises(RequestTimeoutError):
        next(pages)


def test_a_full_page_that_does_not_advance_is_an_error(history: Any) -> None:
    rows = kline_rows(10)
    server, client = history(lambda method, params: rows[:5])  # ignores startTime
    with pytest.raises(ProtocolError, match="cannot page on"):
        list(client.klines_history(symbol="BTCUSDT", interval="1m", start_time=T0, page_size=5))
    assert len(server.pages("klines")) == 2


# -- myTrades ---------------------------------------------------------------------------------


def test_my_trades_page_by_from_id(history: Any) -> None:
    rows = trade_rows([T0 + i * 1000 for i in range(2300)])
    server, client = history(trades_answer(rows))
    got = list(client.my_trades_history(symbol="BTCUSDT"))
    assert [t.id for t in got] == [r["id"] for r in rows]
    assert all(type(t) is AccountTrade for t in got)
    assert type(got[0].price) is Decimal and got[0].price == Decimal("30000.1")
    params = [{k: v for k, v in p.items() if k != "recvWindow"} for p in server.pages("myTrades")]
    assert params == [
        {"symbol": "BTCUSDT", "fromId": 0, "limit": 1000},
        {"symbol": "BTCUSDT", "fromId": 6000, "limit": 1000},
        {"symbol": "BTCUSDT", "fromId": 7000, "limit": 1000},
    ]


def test_my_trades_by_time_keep_every_window_within_24_hours(history: Any) -> None:
    # Nothing on the first two days, then 1500 trades, a quiet day, and 500 more.
    times = [T0 + 2 * DAY + i * 10 for i in range(1500)] + [T0 + 4 * DAY + i for i in range(500)]
    rows = trade_rows(times)
    server, client = history(trades_answer(rows))
    end = T0 + 4 * DAY + 299
    got = list(client.my_trades_history(symbol="BTCUSDT", start_time=T0, end_time=end))
    assert [t.id for t in got] == [r["id"] for r in rows if r["time"] <= end]
    pages = server.pages("myTrades")
    windows = [p for p in pages if "startTime" in p]
    assert [(p["startTime"], p["endTime"]) for p in windows] == [
        (T0 + n * DAY, T0 + n * DAY + DAY - 1) for n in range(3)
    ]
    assert all(p["endTime"] - p["startTime"] < DAY for p in windows)
    # After the first trade is found: by id, from the one after the last seen.
    # (the third window's page was full: 5000..5999; the next stops at end_time).
    assert [p.get("fromId") for p in pages[3:]] == [6000]


def test_my_trades_against_the_local_exchange(signed_client: Client) -> None:
    for _ in range(5):
        signed_client.order_place(symbol="ETHUSDT", side="BUY", type="MARKET", quantity="0.01")
    whole = signed_client.my_trades(symbol="ETHUSDT", limit=1000)
    walked = list(signed_client.my_trades_history(symbol="ETHUSDT", page_size=2))
    assert len(walked) >= 5 and walked == whole
    later = list(signed_client.my_trades_history(symbol="ETHUSDT", from_id=whole[-3].id, page_size=2))
    assert later == whole[-3:]
    since = list(signed_client.my_trades_history(symbol="ETHUSDT", start_time=whole[0].time, page_size=2))
    assert since == whole


# -- allOrders --------------------------------------------------------------------------------


def test_all_orders_page_by_order_id(history: Any) -> None:
    rows = order_rows([T0 + i for i in range(25)])
    server, client = history(orders_answer(rows))
    got = list(client.all_orders_history(symbol="BTCUSDT", order_id=703, page_size=10))
    assert [o.order_id for o in got] == list(range(703, 725))
    assert all(type(o) is Order for o in got)
    assert [p["orderId"] for p in server.pages("allOrders")] == [703, 713, 723]


def test_all_orders_by_time_split_full_windows(history: Any) -> None:
    # Update times out of id order, crowded into a few minutes of the second day.
    updates = [T0 + DAY + ((i * 7919) % 40) * 1000 for i in range(40)] + [T0 + 5]
    rows = order_rows(updates)
    server, client = history(orders_answer(rows))
    got = list(
        client.all_orders_history(symbol="BTCUSDT", start_time=T0, end_time=T0 + 2 * DAY - 1, page_size=9)
    )
    assert sorted(o.order_id for o in got if o.order_id is not None) == [r["orderId"] for r in rows]
    assert len({o.order_id for o in got}) == len(got)
    pages = server.pages("allOrders")
    assert all(p["endTime"] - p["startTime"] < DAY for p in pages)
    assert len(pages) > 3  # the crowded day was split


def test_all_orders_against_the_local_exchange(signed_client: Client) -> None:
    for _ in range(3):
        signed_client.order_place(symbol="BNBUSDT", side="BUY", type="MARKET", quantity="0.1")
    whole = signed_client.all_orders(symbol="BNBUSDT", limit=1000)
    walked = list(signed_client.all_orders_history(symbol="BNBUSDT", page_size=2))
    assert walked == whole and len(walked) >= 3
    first = min(o.update_time for o in whole if o.update_time is not None)
    timed = list(signed_client.all_orders_history(symbol="BNBUSDT", start_time=first, page_size=1000))
    assert [o.order_id for o in timed] == [o.order_id for o in whole]


# -- parameters, progress ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "param", "fix"),
    [
        (
            lambda c: c.klines_history(symbol="X", interval="1m", start_time=20, end_time=10),
            "start_time",
            "swap",
        ),
        (lambda c: c.klines_history(symbol="X", interval="2m", start_time=1), "interval", "1s, 1m"),
        (
            lambda c: c.klines_history(symbol="X", interval="1m", start_time=1, page_size=0),
            "page_size",
            "1 to 1000",
        ),
        (
            lambda c: c.klines_history(symbol="X", interval="1m", start_time=1, page_size=1001),
            "page_size",
            "1000",
        ),
        (
            lambda c: c.klines_history(symbol="X", interval="1m", start_time=10**15),
            "start_time",
            "divide by 1000",
        ),
        (
            lambda c: c.klines_history(symbol="X", interval="1m", start_time=dt.datetime(2024, 1, 1)),
            "start_time",
            "tzinfo",
        ),
        (
            lambda c: c.klines_history(symbol="X", interval="1m", start_time="2024"),
            "start_time",
            "epoch milli",
        ),
        (
            lambda c: c.klines_history(symbol="X", interval="1m", start_time=1, timeout=0),
            "timeout",
            "positive",
        ),
        (
            lambda c: c.klines_history(symbol="X", interval="1m", start_time=1, progress="yes"),
            "progress",
            "True",
        ),
        (lambda c: c.my_trades_history(symbol="X", from_id=3, start_time=1), "from_id", "give one"),
        (lambda c: c.my_trades_history(symbol="X", from_id=-1), "from_id", ">= 0"),
        (lambda c: c.all_orders_history(symbol="X", order_id=3, end_time=1), "order_id", "give one"),
        (lambda c: c.all_orders_history(symbol="X", end_time=1), "start_time", "is needed"),
    ],
)
def test_parameters_are_checked_at_the_call(offline: Client, call: Any, param: str, fix: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        call(offline)  # nothing is sent: the client was never connected
    assert caught.value.param == param
    assert fix in str(caught.value)


def test_progress_bar_on_stderr(history: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, client = history(klines_answer(kline_rows(30)))
    got = list(
        client.klines_history(symbol="BTCUSDT", interval="1m", start_time=T0, page_size=10, progress=True)
    )
    assert len(got) == 30
    assert "kline" in capsys.readouterr().err


def test_progress_without_tqdm_names_the_extra(offline: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'binance-ws\[progress\]'"):
        offline.my_trades_history(symbol="BTCUSDT", progress=True)
