"""Typed general and User Data Stream methods end to end against the local exchange."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from binance_ws import BadRequestError, Client, InvalidParameterError, structure, unstructure
from binance_ws.enums import (
    ExecutionRuleType,
    OrderType,
    Permission,
    RateLimitInterval,
    RateLimitType,
    SelfTradePreventionMode,
    SymbolStatus,
)
from binance_ws.exchange import LocalExchange
from binance_ws.models import (
    Empty,
    ExchangeInfo,
    ExecutionRules,
    ServerTime,
    Subscription,
    SymbolFilter,
    SymbolInfo,
)
from tools import reference

METHODS = {m["method"]: m for m in reference.methods()}


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "BINANCE_API_KEY",
        "BINANCE_API_SECRET",
        "BINANCE_PRIVATE_KEY",
        "BINANCE_PRIVATE_KEY_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)


# -- ping, time ---------------------------------------------------------------------------------


def test_ping_and_time(client: Client, exchange: LocalExchange) -> None:
    assert client.ping() == Empty()
    assert exchange.requests[-1] == ("ping", {})
    now = client.time()
    assert isinstance(now, ServerTime) and now.server_datetime is not None
    assert abs(now.server_time - time.time() * 1000) < 5_000  # type: ignore[operator]


# -- exchangeInfo -------------------------------------------------------------------------------


def test_exchange_info_everything(client: Client, exchange: LocalExchange) -> None:
    info = client.exchange_info()
    assert exchange.requests[-1] == ("exchangeInfo", {})
    assert isinstance(info, ExchangeInfo) and info.timezone == "UTC"
    assert info.rate_limits is not None and info.symbols is not None
    kinds = {(r.rate_limit_type, r.interval) for r in info.rate_limits}
    assert (RateLimitType.REQUEST_WEIGHT, RateLimitInterval.MINUTE) in kinds
    assert all(r.count is None for r in info.rate_limits)
    btc = info.symbol("BTCUSDT")
    assert isinstance(btc, SymbolInfo) and btc.status is SymbolStatus.TRADING
    assert (btc.base_asset, btc.quote_asset) == ("BTC", "USDT")
    assert btc.order_types is not None and OrderType.LIMIT in btc.order_types
    price = btc.filter("PRICE_FILTER")
    lot = btc.filter("LOT_SIZE")
    assert price is not None and lot is not None
    assert isinstance(price.tick_size, Decimal) and price.tick_size > 0
    assert isinstance(lot.step_size, Decimal) and lot.min_qty is not None and lot.min_qty > 0
    assert btc.filter("NO_SUCH_FILTER") is None
    assert info.symbol("NOPE") is None
    assert repr(info).startswith("ExchangeInfo(timezone='UTC'")
    assert f"symbols=<{len(info.symbols)} symbols>" in repr(info)
    # The typed view gives back exactly what the server sent (serverTime aside, it moves).
    raw = client.request("exchangeInfo").result
    doc = unstructure(info)
    assert {**doc, "serverTime": 0} == {**raw, "serverTime": 0}
    assert list(doc) == list(raw)


def test_exchange_info_params_reach_the_wire(client: Client, exchange: LocalExchange) -> None:
    two = client.exchange_info(symbols=["BTCUSDT", "ETHUSDT"], show_permission_sets=False)
    assert exchange.requests[-1] == (
        "exchangeInfo",
        {"symbols": ["BTCUSDT", "ETHUSDT"], "showPermissionSets": False},
    )
    assert two.symbols is not None and [s.symbol for s in two.symbols] == ["BTCUSDT", "ETHUSDT"]
    one = client.exchange_info(symbol="BNBBTC")
    assert exchange.requests[-1] == ("exchangeInfo", {"symbol": "BNBBTC"})
    assert one.symbols is not None and [s.symbol for s in one.symbols] == ["BNBBTC"]
    client.exchange_info(permissions=[Permission.SPOT, "MARGIN"], symbol_status=SymbolStatus.TRADING)
    assert exchange.requests[-1] == (
        "exchangeInfo",
        {"permissions": ["SPOT", "MARGIN"], "symbolStatus": "TRADING"},
    )


def test_exchange_info_unknown_symbol(client: Client) -> None:
    with pytest.raises(BadRequestError) as exc:
        client.exchange_info(symbol="NOPEUSDT")
    assert exc.value.code == -1121


def test_exchange_info_example_round_trips() -> None:
    result = METHODS["exchangeInfo"]["example_response"]["result"]
    info = structure(result, ExchangeInfo)
    assert unstructure(info) == result
    (sym,) = info.symbols or []
    assert sym.permission_sets == [[Permission.SPOT, Permission.MARGIN, Permission.TRD_GRP_004]]
    assert sym.default_self_trade_prevention_mode is SelfTradePreventionMode.NONE
    assert sym.amend_allowed is False and sym.is_margin_trading_allowed is True
    assert info.sors is not None and info.sors[0].symbols == ["BTCUSDT", "BTCUSDC"]
    assert info.exchange_filters == []
    assert info.server_datetime is not None and info.server_datetime.year == 2022


def _big_exchange_info(count: int) -> dict[str, Any]:
    template = METHODS["exchangeInfo"]["example_response"]["result"]["symbols"][0]
    filters = [
        {
            "filterType": "PRICE_FILTER",
            "minPrice": "0.00010000",
            "maxPrice": "1000.00000000",
            "tickSize": "0.00010000",
        },
        {
            "filterType": "LOT_SIZE",
            "minQty": "0.10000000",
            "maxQty": "9000000.00000000",
            "stepSize": "0.10000000",
        },
        {"filterType": "ICEBERG_PARTS", "limit": 10},
        {
            "filterType": "TRAILING_DELTA",
            "minTrailingAboveDelta": 10,
            "maxTrailingAboveDelta": 2000,
            "minTrailingBelowDelta": 10,
            "maxTrailingBelowDelta": 2000,
        },
        {
            "filterType": "PERCENT_PRICE_BY_SIDE",
            "bidMultiplierUp": "5",
            "bidMultiplierDown": "0.2",
            "askMultiplierUp": "5",
            "askMultiplierDown": "0.2",
            "avgPriceMins": 5,
        },
        {
            "filterType": "NOTIONAL",
            "minNotional": "5.00000000",
            "applyMinToMarket": True,
            "maxNotional": "9000000.00000000",
            "applyMaxToMarket": False,
            "avgPriceMins": 5,
        },
        {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
        {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
    ]
    symbols = [{**template, "symbol": f"S{i:05d}USDT", "filters": filters} for i in range(count)]
    return {
        "timezone": "UTC",
        "serverTime": 1,
        "rateLimits": [],
        "exchangeFilters": [{"filterType": "EXCHANGE_MAX_NUM_ORDERS", "maxNumOrders": 1000}],
        "symbols": symbols,
    }


def test_large_exchange_info() -> None:
    # Speed is measured by the benchmark (bench/), not asserted here.
    doc = json.loads(json.dumps(_big_exchange_info(2000)))
    info = structure(doc, ExchangeInfo)
    assert info.symbols is not None and len(info.symbols) == 2000
    assert info.symbol("S01999USDT") is not None
    assert unstructure(info) == doc
    assert repr(info).count("symbols=<2000 symbols>") == 1


def test_filters_of_any_type_round_trip() -> None:
    docs = [
        {"filterType": "ICEBERG_PARTS", "limit": 10},
        {"filterType": "MAX_ASSET", "asset": "JPY", "limit": "1000000.00000000"},
        {"filterType": "MAX_POSITION", "maxPosition": "10.00000000"},
        {
            "filterType": "PERCENT_PRICE",
            "multiplierUp": "1.3000",
            "multiplierDown": "0.7000",
            "avgPriceMins": 5,
        },
        {"filterType": "MIN_NOTIONAL", "minNotional": "0.00100000", "applyToMarket": True, "avgPriceMins": 5},
        {"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": 10},
        {"filterType": "EXCHANGE_MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 20},
        {"filterType": "SOMETHING_NEW", "threshold": "1.5", "nested": {"a": [1, 2]}},
    ]
    parsed = [structure(d, SymbolFilter) for d in docs]
    assert [unstructure(f) for f in parsed] == docs
    assert parsed[0].limit == 10 and isinstance(parsed[0].limit, int)
    assert parsed[1].limit == Decimal("1000000.00000000") and parsed[1].asset == "JPY"
    assert parsed[2].max_position == Decimal("10.00000000")
    assert parsed[7].filter_type == "SOMETHING_NEW"
    assert parsed[7].extra == {"threshold": "1.5", "nested": {"a": [1, 2]}}
    assert (
        repr(parsed[6]) == "SymbolFilter(filter_type='EXCHANGE_MAX_NUM_ORDER_LISTS', max_num_order_lists=20)"
    )


def test_symbol_info_missing_fields_are_none() -> None:
    info = structure({"symbol": "XYZ"}, SymbolInfo)
    assert info.status is None and info.filters is None and info.filter("LOT_SIZE") is None
    assert unstructure(info) == {"symbol": "XYZ"}
    built = SymbolInfo(symbol="ABC", status=SymbolStatus.HALT)
    assert unstructure(built) == {"symbol": "ABC", "status": "HALT"}


# -- executionRules ----------------------------------------------------------------------------


def test_execution_rules(client: Client, exchange: LocalExchange) -> None:
    rules = client.execution_rules(symbol="BTCUSDT")
    assert isinstance(rules, ExecutionRules) and rules.symbol_rules
    assert exchange.requests[-1] == ("executionRules", {"symbol": "BTCUSDT"})
    example = METHODS["executionRules"]["example_response"]["result"]
    parsed = structure(example, ExecutionRules)
    (sym,) = parsed.symbol_rules or []
    (rule,) = sym.rules or []
    assert sym.symbol == "BAZUSD" and rule.rule_type is ExecutionRuleType.PRICE_RANGE
    assert (rule.bid_limit_mult_up, rule.ask_limit_mult_down) == (Decimal("1.0001"), Decimal("0.9999"))
    assert unstructure(parsed) == example


# -- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "param", "words"),
    [
        ({"symbol": "BTCUSDT", "symbols": ["ETHUSDT"]}, "symbols", "cannot be combined with symbol"),
        ({"symbols": ["BTCUSDT"], "permissions": ["SPOT"]}, "permissions", "cannot be combined"),
        ({"symbol": "BTCUSDT", "symbol_status": "TRADING"}, "symbol_status", "cannot be combined"),
        ({"symbols": "BTCUSDT"}, "symbols", "list"),
        ({"permissions": "SPOT"}, "permissions", "list"),
        ({"show_permission_sets": "no"}, "show_permission_sets", "True or False"),
        ({"symbol_status": 3}, "symbol_status", "enum"),
        ({"simbol": "BTCUSDT"}, "simbol", "valid"),
        ({"showPermissionSets": False}, "showPermissionSets", "show_permission_sets="),
    ],
)
def test_exchange_info_bad_input(
    client: Client, exchange: LocalExchange, kwargs: dict[str, Any], param: str, words: str
) -> None:
    before = len(exchange.requests)
    with pytest.raises(InvalidParameterError) as exc:
        client.exchange_info(**kwargs)
    assert exc.value.param == param and words in str(exc.value)
    assert len(exchange.requests) == before


def test_execution_rules_params_are_exclusive(client: Client, exchange: LocalExchange) -> None:
    before = len(exchange.requests)
    with pytest.raises(InvalidParameterError) as exc:
        client.execution_rules(symbol="BTCUSDT", symbol_status="TRADING")
    assert exc.value.param == "symbol_status"
    with pytest.raises(InvalidParameterError) as exc:
        client.ping(symbol="BTCUSDT")  # type: ignore[arg-type]
    assert exc.value.param == "symbol" and "none besides timeout" in str(exc.value)
    assert len(exchange.requests) == before


# -- User Data Stream -------------------------------------------------------------------------------


@pytest.fixture
def ed_client(exchange: LocalExchange) -> Iterator[Client]:
    key = exchange.keys.ed25519
    with Client(exchange.url, api_key=key.api_key, private_key=key.private_key_pem, timeout=5) as c:
        yield c


def test_user_data_stream_by_logon(ed_client: Client, exchange: LocalExchange) -> None:
    with pytest.raises(BadRequestError):
        ed_client.user_data_stream_subscribe()  # needs session.logon first
    ed_client.session_logon()
    sub = ed_client.user_data_stream_subscribe()
    assert exchange.requests[-1] == ("userDataStream.subscribe", {})
    assert isinstance(sub, Subscription) and isinstance(sub.subscription_id, int)
    listed = ed_client.session_subscriptions()
    assert exchange.requests[-1] == ("session.subscriptions", {})
    assert [s.subscription_id for s in listed] == [sub.subscription_id]
    assert ed_client.user_data_stream_unsubscribe(subscription_id=sub.subscription_id) == Empty()
    assert exchange.requests[-1] == ("userDataStream.unsubscribe", {"subscriptionId": sub.subscription_id})
    assert ed_client.session_subscriptions() == []


def test_user_data_stream_by_signature(exchange: LocalExchange) -> None:
    key = exchange.keys.hmac
    with Client(exchange.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5) as client:
        first = client.user_data_stream_subscribe_signature(recv_window=5000)
        method, sent = exchange.requests[-1]
        assert method == "userDataStream.subscribe.signature"
        assert str(sent["recvWindow"]) == "5000" and sent["apiKey"] == key.api_key
        assert {"timestamp", "signature"} <= set(sent)
        assert isinstance(first.subscription_id, int)
        assert [s.subscription_id for s in client.session_subscriptions()] == [first.subscription_id]
        # Without an id every subscription of the connection ends.
        assert client.user_data_stream_unsubscribe() == Empty()
        assert exchange.requests[-1] == ("userDataStream.unsubscribe", {})
        assert client.session_subscriptions() == []


def test_user_data_stream_bad_input(client: Client, exchange: LocalExchange) -> None:
    before = len(exchange.requests)
    with pytest.raises(InvalidParameterError) as exc:
        client.user_data_stream_subscribe_signature()
    assert exc.value.param == "api_key"  # no credentials on this client
    with pytest.raises(InvalidParameterError) as exc:
        client.user_data_stream_unsubscribe(subscription_id="1")  # type: ignore[arg-type]
    assert exc.value.param == "subscription_id"
    with pytest.raises(InvalidParameterError) as exc:
        client.session_subscriptions(subscription_id=1)  # type: ignore[arg-type]
    assert exc.value.param == "subscription_id"
    assert len(exchange.requests) == before


def test_user_data_stream_float_recv_window_is_refused(exchange: LocalExchange) -> None:
    key = exchange.keys.hmac
    with Client(exchange.url, api_key=key.api_key, api_secret=key.api_secret, timeout=5) as client:
        before = len(exchange.requests)
        with pytest.raises(InvalidParameterError) as exc:
            client.user_data_stream_subscribe_signature(recv_window=5000.0)  # type: ignore[arg-type]
        assert exc.value.param == "recv_window" and "float" in str(exc.value)
        assert len(exchange.requests) == before
