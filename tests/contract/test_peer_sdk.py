"""Binance's own async SDK (``binance-sdk-spot``) against the local exchange, over loopback.

If Binance's client can ping, read the book, place a signed order and read the account,
the simulator speaks the protocol as Binance does: the SDK sends every value as text,
signs with its own code and needs ``rateLimits`` on every answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from binance_ws.exchange import LocalExchange

spot_sdk = pytest.importorskip("binance_sdk_spot.spot", reason="needs the test extra (binance-sdk-spot)")
config_module = pytest.importorskip("binance_common.configuration")
ws_models = pytest.importorskip("binance_sdk_spot.websocket_api.models")

# The SDK's own aiohttp call uses a deprecated argument; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:parameter 'timeout':DeprecationWarning")

# The whole scenario, SDK import aside, takes well under a second; this bounds a hang.
SCENARIO_TIMEOUT = 8.0


@pytest.fixture(scope="module")
def ex() -> Iterator[LocalExchange]:
    with LocalExchange(book_levels=50) as exchange:
        yield exchange


async def _connect(ex: LocalExchange, **credentials: Any) -> Any:
    config = config_module.ConfigurationWebSocketAPI(
        stream_url=ex.url, timeout=5000, reconnect_attempts=1, **credentials
    )
    return await spot_sdk.Spot(config_ws_api=config).websocket_api.create_connection()


def test_binance_sdk_scenario(ex: LocalExchange, caplog: pytest.LogCaptureFixture) -> None:
    hmac_key = ex.keys.hmac

    async def scenario() -> dict[str, Any]:
        conn = await _connect(ex, api_key=hmac_key.api_key, api_secret=hmac_key.api_secret)
        try:
            out: dict[str, Any] = {}
            out["ping"] = (await conn.ping()).data()
            out["depth"] = (await conn.depth(symbol="BTCUSDT", limit=5)).data()
            order = await conn.order_place(
                symbol="BTCUSDT",
                side=ws_models.OrderPlaceSideEnum.BUY,
                type=ws_models.OrderPlaceTypeEnum.MARKET,
                quantity=0.001,
                new_order_resp_type=ws_models.OrderPlaceNewOrderRespTypeEnum.FULL,
            )
            out["order"], out["order_limits"] = order.data(), order.rate_limits
            out["account"] = (await conn.account_status(omit_zero_balances=True)).data()
            return out
        finally:
            await conn.close_connection(close_session=True)

    with caplog.at_level(logging.ERROR):
        out = asyncio.run(asyncio.wait_for(scenario(), SCENARIO_TIMEOUT))
    # The SDK logs server errors instead of raising them; there must be none.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []

    assert out["ping"].status == 200 and out["ping"].result is not None
    assert out["ping"].rate_limits[0].rate_limit_type == "REQUEST_WEIGHT"

    depth = out["depth"]
    assert depth.status == 200
    assert len(depth.result.bids) == len(depth.result.asks) == 5
    assert Decimal(depth.result.bids[0][0]) < Decimal(depth.result.asks[0][0])

    order = out["order"]
    assert order.status == 200, order
    assert order.result.symbol == "BTCUSDT" and order.result.status == "FILLED"
    assert Decimal(order.result.executed_qty) == Decimal("0.001")
    assert order.result.fills and Decimal(order.result.fills[0].price) == Decimal(depth.result.asks[0][0])
    assert [(r.rateLimitType, r.interval) for r in out["order_limits"]] == [
        ("ORDERS", "SECOND"),
        ("ORDERS", "DAY"),
        ("REQUEST_WEIGHT", "MINUTE"),
    ]

    account = out["account"]
    assert account.status == 200 and account.result.can_trade is True
    free = {b.asset: Decimal(b.free) for b in account.result.balances}
    assert free["BTC"] > Decimal(1)  # the demo account started with 1 BTC and bought 0.001 more
    assert ex.requests[-1][0] == "account.status"


def test_binance_sdk_session_logon_and_user_data(ex: LocalExchange, caplog: pytest.LogCaptureFixture) -> None:
    ed_key = ex.keys.ed25519

    async def scenario() -> tuple[Any, Any, list[Any]]:
        conn = await _connect(ex, api_key=ed_key.api_key, private_key=ed_key.private_key_pem.decode("ascii"))
        events: list[Any] = []
        try:
            logon = (await conn.session_logon()).data()
            subscription = await conn.user_data_stream_subscribe()
            subscription.stream.on("message", events.append)
            order = (
                await conn.order_place(
                    symbol="BTCUSDT",
                    side=ws_models.OrderPlaceSideEnum.SELL,
                    type=ws_models.OrderPlaceTypeEnum.MARKET,
                    quantity=0.001,
                )
            ).data()
            for _ in range(100):  # events may trail the answer by a moment
                if any(type(e.actual_instance).__name__ == "OutboundAccountPosition" for e in events):
                    break
                await asyncio.sleep(0.02)
            return logon, (subscription.response.data(), order), events
        finally:
            await conn.close_connection(close_session=True)

    with caplog.at_level(logging.ERROR):
        logon, (subscribed, order), events = asyncio.run(asyncio.wait_for(scenario(), SCENARIO_TIMEOUT))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert logon.status == 200 and logon.result.api_key == ed_key.api_key
    assert subscribed.status == 200 and subscribed.result.subscription_id == 0
    assert order.status == 200 and order.result.status == "FILLED"
    # Parsed by the SDK's strict models: a MARKET order's NEW and TRADE reports, then the balances.
    seen = [(type(e.actual_instance).__name__, getattr(e.actual_instance, "x", None)) for e in events]
    assert seen == [
        ("ExecutionReport", "NEW"),
        ("ExecutionReport", "TRADE"),
        ("OutboundAccountPosition", None),
    ]
    position = events[-1].actual_instance
    assert {b.a for b in position.B} == {"BTC", "USDT"}
