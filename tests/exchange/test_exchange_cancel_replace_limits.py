"""order.cancelReplace when the order-count limit is exhausted: DO_NOTHING vs CANCEL_ONLY."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import binance_ws as bw
from binance_ws import Client
from binance_ws.enums import OrderStatus
from binance_ws.exchange import LocalExchange


@pytest.fixture
def tight() -> Iterator[tuple[LocalExchange, Client]]:
    with LocalExchange(book_levels=20, order_limit_10s=2) as ex:
        key = ex.keys.hmac
        # rate_limit=None: the exchange's own refusal is under test, not the client's governor.
        with Client(
            ex.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5, rate_limit=None
        ) as client:
            yield ex, client


def _rest(client: Client) -> int:
    order = client.order_place(
        symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC", price="50000", quantity="0.001"
    )
    assert order.order_id is not None
    return order.order_id


def _replace(client: Client, order_id: int, mode: str) -> object:
    return client.order_cancel_replace(
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        time_in_force="GTC",
        price="50001",
        quantity="0.001",
        cancel_replace_mode="ALLOW_FAILURE",
        cancel_order_id=order_id,
        order_rate_limit_exceeded_mode=mode,
    )


def test_do_nothing_refuses_the_whole_request(tight: tuple[LocalExchange, Client]) -> None:
    _, client = tight
    first = _rest(client)
    _rest(client)
    with pytest.raises(bw.RateLimitedError) as info:
        _replace(client, first, "DO_NOTHING")
    assert (info.value.status, info.value.code) == (429, -1015)
    assert "orders per 10 SECOND" in info.value.msg
    assert client.order_status(symbol="BTCUSDT", order_id=first).status is OrderStatus.NEW


def test_cancel_only_cancels_and_refuses_the_new_order(tight: tuple[LocalExchange, Client]) -> None:
    _, client = tight
    first = _rest(client)
    _rest(client)
    with pytest.raises(bw.PartialSuccessError) as info:
        _replace(client, first, "CANCEL_ONLY")
    exc = info.value
    assert (exc.status, exc.code) == (409, -2021)
    assert exc.cancel_result == "SUCCESS" and exc.new_order_result == "FAILURE"
    assert exc.cancel_response["orderId"] == first and exc.cancel_response["status"] == "CANCELED"
    assert exc.new_order_response["code"] == -1015
    assert client.order_status(symbol="BTCUSDT", order_id=first).status is OrderStatus.CANCELED
