"""After a 429 or a 418 the client sends nothing until the server's retryAfter.

Binance bans an IP that keeps sending after a 429; these tests count what reached the
exchange while the client held back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import binance_ws as bw
from binance_ws import Client
from binance_ws.enums import RateLimitInterval, RateLimitType
from binance_ws.exchange import LocalExchange


@pytest.fixture
def ex() -> Iterator[LocalExchange]:
    with LocalExchange(enforce_limits=False, book_levels=20) as exchange:
        yield exchange


def _now_ms() -> int:
    return int(time.time() * 1000)


@pytest.mark.parametrize(("status", "cls"), [(429, bw.RateLimitedError), (418, bw.IPBannedError)])
def test_nothing_is_sent_until_retry_after(
    ex: LocalExchange, status: int, cls: type[bw.RateLimitedError]
) -> None:
    with Client(ex.url, timeout=5) as c:
        retry_after = _now_ms() + 700
        ex.fail_next("ping", status, data={"serverTime": _now_ms(), "retryAfter": retry_after})
        with pytest.raises(cls) as first:
            c.ping()
        assert first.value.local is False
        seen = len(ex.requests)
        for call in (c.ping, c.time, lambda: c.depth(symbol="BTCUSDT", limit=5)):
            with pytest.raises(cls) as held:
                call()
            assert type(held.value) is cls and held.value.local is True
            assert held.value.retry_after == first.value.retry_after
            assert "not sent" in str(held.value)
        assert len(ex.requests) == seen  # nothing reached the exchange meanwhile
        deadline = time.monotonic() + 5
        while _now_ms() <= retry_after and time.monotonic() < deadline:
            time.sleep(0.02)
        assert c.ping() is not None  # sending resumes after retryAfter
        assert len(ex.requests) == seen + 1


def test_a_429_on_the_handshake_is_a_rate_limited_error(ex: LocalExchange) -> None:
    ex.refuse_connections(status=429)
    with pytest.raises(bw.RateLimitedError) as info:
        Client(ex.url, connect_timeout=5).connect()
    assert info.value.status == 429 and info.value.method == "connect"
    assert not isinstance(info.value, bw.ConnectError)
    ex.accept_connections()
    with Client(ex.url, timeout=5) as c:
        assert c.ping() is not None


def test_an_absurd_retry_after_still_reads() -> None:
    error = bw.RateLimitedError(429, -1003, "Too many requests", method="ping", data={"retryAfter": 10**20})
    assert error.retry_after is not None and error.retry_after.year == 9999
    assert "retry after" in str(error)


def test_windows_reset_on_calendar_boundaries() -> None:
    minute = bw.RateLimit(
        type=RateLimitType.REQUEST_WEIGHT,
        interval=RateLimitInterval.MINUTE,
        interval_num=1,
        limit=10,
        count=10,
    )
    ten_s = bw.RateLimit(
        type=RateLimitType.ORDERS, interval=RateLimitInterval.SECOND, interval_num=10, limit=5, count=1
    )
    now = 1_699_999_980 + 45.5  # 45.5 s past a full minute, 5.5 s past a 10-second mark
    assert minute.exhausted and not ten_s.exhausted
    assert minute.seconds_to_reset(now) == pytest.approx(14.5)
    assert ten_s.seconds_to_reset(now) == pytest.approx(4.5)


def test_the_unfilled_order_limit_holds_new_orders_only(ex: LocalExchange) -> None:
    key = ex.keys.hmac
    with Client(ex.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5) as c:
        ex.fail_next("order.place", 429, code=-1015, data={"retryAfter": _now_ms() + 60_000})
        with pytest.raises(bw.RateLimitedError):
            c.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
        with pytest.raises(bw.RateLimitedError) as held:
            c.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
        assert held.value.local is True and held.value.code == -1015
        # Queries, cancels and market data are not limited by the order count.
        assert c.account_status().balances is not None
        assert c.depth(symbol="BTCUSDT", limit=5) is not None
