"""The local exchange answers every documented method in the shape of the spec's examples.

For each example response of each of the 55 methods (200 results, and the ``error.data`` of
the order.cancelReplace 400/409 examples), a recipe makes the exchange produce that kind
of answer; the answer must have the example's keys (conditional fields may be missing) and
no others (conditional fields, or keys the method shows in another example, may be added),
with values of the same kind: decimal strings where the example has decimal strings, ints
where it has ints, and so on, recursively.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from binance_ws import APIError, Client
from binance_ws.exchange import LocalExchange
from tools import reference

METHODS = {m["method"]: m for m in reference.methods()}
CONDITIONAL = {f["field"] for f in METHODS["order.place"]["conditional_response_fields"]}
DECIMAL = re.compile(r"^-?[0-9]+\.[0-9]+$")
SKIPPED = {
    ("referencePrice", "reference price currently null"): "every symbol here has a reference price",
    ("referencePrice", "symbol never had a reference price (-2043 inside result)"): "as above",
    ("referencePrice.calculation", "not calculated (400, -2043)"): "every symbol has a calculation",
    ("referencePrice.calculation", "EXTERNAL calculation"): "calculations here are arithmetic means",
    (
        "order.cancelReplace",
        "429 (-1015): orderRateLimitExceededMode=DO_NOTHING and unfilled order count exceeded",
    ): "covered with a low order limit in test_exchange_cancel_replace_limits.py",
    (
        "order.cancelReplace",
        "409 (-2021): orderRateLimitExceededMode=CANCEL_ONLY and unfilled order count exceeded",
    ): "covered with a low order limit in test_exchange_cancel_replace_limits.py",
}
# Lists the exchange may answer empty although the example shows items.
MAY_BE_EMPTY = {"blockTrades.historical", "myFilters.assetFilters"}


def _render(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _payload(params: dict[str, Any]) -> str:
    return "&".join(f"{k}={_render(v)}" for k, v in sorted(params.items()))


class Api:
    """Raw requests to the exchange, signed with the demo HMAC key when asked."""

    def __init__(self, ex: LocalExchange, client: Client) -> None:
        self.ex = ex
        self.client = client

    def signed(self, params: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in params.items() if v is not None}
        out["apiKey"] = self.ex.keys.hmac.api_key
        out["timestamp"] = int(time.time() * 1000)
        secret = self.ex.keys.hmac.api_secret
        out["signature"] = hmac.new(secret.encode(), _payload(out).encode(), hashlib.sha256).hexdigest()
        return out

    def call(self, method: str, params: dict[str, Any] | None = None, *, sign: bool = True) -> Any:
        body = self.signed(params or {}) if sign else dict(params or {})
        return self.client.request(method, body).result

    def error(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        with pytest.raises(APIError) as caught:
            self.call(method, params)
        return {"code": caught.value.code, "msg": caught.value.msg, "data": caught.value.data}

    def place(self, **params: Any) -> dict[str, Any]:
        return dict(self.call("order.place", {"symbol": "BTCUSDT", **params}))

    def limit(self, side: str, price: str, qty: str = "0.001", **extra: Any) -> dict[str, Any]:
        return self.place(side=side, type="LIMIT", timeInForce="GTC", price=price, quantity=qty, **extra)

    def oco(self) -> dict[str, Any]:
        return dict(
            self.call(
                "orderList.place.oco",
                {
                    "symbol": "BTCUSDT",
                    "side": "SELL",
                    "quantity": "0.001",
                    "aboveType": "LIMIT_MAKER",
                    "abovePrice": "60500",
                    "belowType": "STOP_LOSS_LIMIT",
                    "belowStopPrice": "59500",
                    "belowPrice": "59400",
                    "belowTimeInForce": "GTC",
                },
            )
        )

    def oto(self) -> dict[str, Any]:
        return dict(
            self.call(
                "orderList.place.oto",
                {
                    "symbol": "BTCUSDT",
                    "workingType": "LIMIT",
                    "workingSide": "BUY",
                    "workingPrice": "59000",
                    "workingQuantity": "0.002",
                    "workingTimeInForce": "GTC",
                    "pendingType": "MARKET",
                    "pendingSide": "SELL",
                    "pendingQuantity": "0.002",
                },
            )
        )


@pytest.fixture(scope="module")
def exchange_api() -> Iterator[Api]:
    with LocalExchange(book_levels=50) as ex, Client(ex.url, timeout=5) as client:
        yield Api(ex, client)


@pytest.fixture
def api(exchange_api: Api) -> Iterator[Api]:
    yield exchange_api
    # Leave no open orders behind: the order-count filters would refuse later recipes.
    for symbol in ("BTCUSDT", "ETHUSDT"):
        if exchange_api.call("openOrders.status", {"symbol": symbol}):
            exchange_api.call("openOrders.cancelAll", {"symbol": symbol})


# -- recipes: one per (method, example label) ------------------------------------------------

Recipe = Callable[[Api], Any]


def _public(method: str, **params: Any) -> Recipe:
    return lambda api: api.call(method, params, sign=False)


def _signed(method: str, **params: Any) -> Recipe:
    return lambda api: api.call(method, params)


def _cancel_list(api: Api) -> Any:
    placed = api.oco()
    return api.call("order.cancel", {"symbol": "BTCUSDT", "orderId": placed["orders"][0]["orderId"]})


def _cancel_one(api: Api) -> Any:
    order = api.limit("SELL", "60700")
    return api.call("order.cancel", {"symbol": "BTCUSDT", "orderId": order["orderId"]})


def _replace(mode: str, *, cancel_ok: bool, new_ok: bool) -> Recipe:
    def run(api: Api) -> Any:
        target = api.limit("SELL", "60800")["orderId"] if cancel_ok else 987654321
        new: dict[str, Any] = (
            {"type": "LIMIT", "timeInForce": "GTC", "price": "60900", "quantity": "0.001"}
            if new_ok
            else {"type": "LIMIT_MAKER", "price": "59000", "quantity": "0.001"}
        )
        params = {
            "symbol": "BTCUSDT",
            "cancelReplaceMode": mode,
            "cancelOrderId": target,
            "side": "SELL",
            **new,
        }
        if cancel_ok and new_ok:
            return api.call("order.cancelReplace", params)
        return api.error("order.cancelReplace", params)["data"]

    return run


def _amend(in_list: bool) -> Recipe:
    def run(api: Api) -> Any:
        order_id = (
            api.oto()["orders"][0]["orderId"] if in_list else api.limit("BUY", "59100", "0.002")["orderId"]
        )
        return api.call(
            "order.amend.keepPriority", {"symbol": "BTCUSDT", "orderId": order_id, "newQty": "0.001"}
        )

    return run


def _cancel_all(api: Api) -> Any:
    api.call(
        "order.place",
        {
            "symbol": "ETHUSDT",
            "side": "SELL",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "price": "3100",
            "quantity": "0.01",
            "strategyId": 7,
            "strategyType": 1000000,
        },
    )
    api.call(
        "orderList.place.oco",
        {
            "symbol": "ETHUSDT",
            "side": "SELL",
            "quantity": "0.01",
            "aboveType": "LIMIT_MAKER",
            "abovePrice": "3200",
            "belowType": "STOP_LOSS",
            "belowStopPrice": "2900",
        },
    )
    return api.call("openOrders.cancelAll", {"symbol": "ETHUSDT"})


def _list_place(method: str, **params: Any) -> Recipe:
    return lambda api: api.call(method, {"symbol": "BTCUSDT", **params})


def _order_status(api: Api) -> Any:
    order = api.limit("BUY", "60000.01", strategyId=37463720, strategyType=1000000)
    return api.call("order.status", {"symbol": "BTCUSDT", "orderId": order["orderId"]})


def _open_orders(api: Api) -> Any:
    api.limit("SELL", "61000")
    return api.call("openOrders.status", {"symbol": "BTCUSDT"})


def _prevented(api: Api) -> Any:
    maker = api.limit("SELL", "60000.00")
    api.limit("BUY", "60000.00", selfTradePreventionMode="EXPIRE_MAKER")
    return api.call("myPreventedMatches", {"symbol": "BTCUSDT", "orderId": maker["orderId"]})


def _allocations(api: Api) -> Any:
    api.call("sor.order.place", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"})
    return api.call("myAllocations", {"symbol": "BTCUSDT"})


def _amendments(api: Api) -> Any:
    order = api.limit("BUY", "59200", "0.003")
    api.call(
        "order.amend.keepPriority", {"symbol": "BTCUSDT", "orderId": order["orderId"], "newQty": "0.002"}
    )
    return api.call("order.amendments", {"symbol": "BTCUSDT", "orderId": order["orderId"]})


def _list_status(api: Api) -> Any:
    placed = api.oco()
    return api.call("orderList.status", {"orderListId": placed["orderListId"]})


def _list_cancel(api: Api) -> Any:
    placed = api.oco()
    return api.call("orderList.cancel", {"symbol": "BTCUSDT", "orderListId": placed["orderListId"]})


def _logon(api: Api) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = api.ex.keys.ed25519
    params: dict[str, Any] = {"apiKey": key.api_key, "timestamp": int(time.time() * 1000)}
    private = load_pem_private_key(key.private_key_pem, None)
    params["signature"] = base64.b64encode(private.sign(_payload(params).encode())).decode()  # type: ignore[call-arg, union-attr]
    return api.client.request("session.logon", params).result


def _logged_on(method: str) -> Recipe:
    def run(api: Api) -> Any:
        _logon(api)
        try:
            return api.call(method, sign=False)
        finally:
            api.client.request("userDataStream.unsubscribe", {})
            api.client.request("session.logout", {})

    return run


def _subscriptions(api: Api) -> Any:
    api.call("userDataStream.subscribe.signature")
    try:
        return api.call("session.subscriptions", sign=False)
    finally:
        api.call("userDataStream.unsubscribe", sign=False)


def _signature_subscribe(api: Api) -> Any:
    try:
        return api.call("userDataStream.subscribe.signature")
    finally:
        api.call("userDataStream.unsubscribe", sign=False)


def _unsubscribe(api: Api) -> Any:
    api.call("userDataStream.subscribe.signature")
    return api.call("userDataStream.unsubscribe", sign=False)


def _logout(api: Api) -> Any:
    _logon(api)
    return api.client.request("session.logout", {}).result


def _session_status(api: Api) -> Any:
    _logon(api)
    api.call("userDataStream.subscribe", sign=False)
    try:
        return api.client.request("session.status", {}).result
    finally:
        api.call("userDataStream.unsubscribe", sign=False)
        api.client.request("session.logout", {})


ONE = {"symbol": "BNBBTC"}
MANY = {"symbols": ["BNBBTC", "BTCUSDT"]}
RECIPES: dict[tuple[str, str], Recipe] = {
    ("ping", "example"): _public("ping"),
    ("time", "example"): _public("time"),
    ("exchangeInfo", "example"): _public("exchangeInfo", symbol="BNBBTC"),
    ("executionRules", "example"): _public("executionRules", symbol="BTCUSDT"),
    ("depth", "example"): _public("depth", symbol="BNBBTC", limit=5),
    ("trades.recent", "example"): _public("trades.recent", symbol="BNBBTC", limit=3),
    ("trades.historical", "example"): _public("trades.historical", symbol="BNBBTC", fromId=2, limit=3),
    ("blockTrades.historical", "example"): _public("blockTrades.historical", symbol="BNBBTC", fromId=1),
    ("trades.aggregate", "example"): _public("trades.aggregate", symbol="BNBBTC", limit=3),
    ("klines", "example"): _public("klines", symbol="BNBBTC", interval="1h", limit=2),
    ("uiKlines", "example"): _public("uiKlines", symbol="BNBBTC", interval="1m", limit=2),
    ("avgPrice", "example"): _public("avgPrice", symbol="BNBBTC"),
    ("ticker.24hr", "type=FULL, single symbol"): _public("ticker.24hr", **ONE),
    ("ticker.24hr", "type=MINI, single symbol"): _public("ticker.24hr", type="MINI", **ONE),
    ("ticker.24hr", "multiple symbols (array)"): _public("ticker.24hr", **MANY),
    ("ticker.tradingDay", "type=FULL, symbol"): _public("ticker.tradingDay", **ONE),
    ("ticker.tradingDay", "type=FULL, symbols (array)"): _public("ticker.tradingDay", **MANY),
    ("ticker.tradingDay", "type=MINI, symbol"): _public("ticker.tradingDay", type="MINI", **ONE),
    ("ticker.tradingDay", "type=MINI, symbols (array)"): _public("ticker.tradingDay", type="MINI", **MANY),
    ("ticker", "type=FULL, single symbol"): _public("ticker", windowSize="7d", **ONE),
    ("ticker", "type=MINI, single symbol"): _public("ticker", type="MINI", **ONE),
    ("ticker", "multiple symbols (array)"): _public("ticker", windowSize="15m", **MANY),
    ("ticker.price", "single symbol"): _public("ticker.price", **ONE),
    ("ticker.price", "multiple symbols (array)"): _public("ticker.price", **MANY),
    ("ticker.book", "single symbol"): _public("ticker.book", **ONE),
    ("ticker.book", "multiple symbols (array)"): _public("ticker.book", **MANY),
    ("referencePrice", "reference price set"): _public("referencePrice", symbol="BTCUSDT"),
    ("referencePrice.calculation", "ARITHMETIC_MEAN calculation"): _public(
        "referencePrice.calculation", symbol="BTCUSDT"
    ),
    ("session.logon", "example"): _logon,
    ("session.status", "example"): _session_status,
    ("session.logout", "example"): _logout,
    ("order.place", "newOrderRespType=ACK"): lambda api: api.limit("SELL", "61100", newOrderRespType="ACK"),
    ("order.place", "newOrderRespType=RESULT"): lambda api: api.limit(
        "SELL", "61100", newOrderRespType="RESULT"
    ),
    ("order.place", "newOrderRespType=FULL"): lambda api: api.limit(
        "SELL", "59999.99", newOrderRespType="FULL"
    ),
    ("order.test", "without computeCommissionRates"): _signed(
        "order.test", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001"
    ),
    ("order.test", "with computeCommissionRates"): _signed(
        "order.test",
        symbol="BTCUSDT",
        side="BUY",
        type="MARKET",
        quantity="0.001",
        computeCommissionRates=True,
    ),
    ("order.cancel", "single order canceled"): _cancel_one,
    ("order.cancel", "order list canceled"): _cancel_list,
    ("order.cancelReplace", "200: cancel and new order both succeeded"): _replace(
        "STOP_ON_FAILURE", cancel_ok=True, new_ok=True
    ),
    ("order.cancelReplace", "400 (-2022): STOP_ON_FAILURE, cancel failed, new order not attempted"): _replace(
        "STOP_ON_FAILURE", cancel_ok=False, new_ok=True
    ),
    ("order.cancelReplace", "409 (-2021): ALLOW_FAILURE, cancel succeeded, new order failed"): _replace(
        "ALLOW_FAILURE", cancel_ok=True, new_ok=False
    ),
    ("order.cancelReplace", "409 (-2021): ALLOW_FAILURE, cancel failed, new order succeeded"): _replace(
        "ALLOW_FAILURE", cancel_ok=False, new_ok=True
    ),
    ("order.cancelReplace", "400 (-2022): both cancel and new order failed"): _replace(
        "ALLOW_FAILURE", cancel_ok=False, new_ok=False
    ),
    ("order.amend.keepPriority", "standalone order"): _amend(False),
    ("order.amend.keepPriority", "order that belongs to an order list"): _amend(True),
    ("openOrders.cancelAll", "example"): _cancel_all,
    ("orderList.place", "example"): _list_place(
        "orderList.place",
        side="SELL",
        quantity="0.001",
        price="60600",
        stopPrice="59600",
        stopLimitPrice="59500",
        stopLimitTimeInForce="GTC",
    ),
    ("orderList.place.oco", "example"): lambda api: api.oco(),
    ("orderList.place.oto", "example"): lambda api: api.oto(),
    ("orderList.place.otoco", "example"): _list_place(
        "orderList.place.otoco",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="59000",
        workingQuantity="0.001",
        workingTimeInForce="GTC",
        pendingSide="SELL",
        pendingQuantity="0.001",
        pendingAboveType="LIMIT_MAKER",
        pendingAbovePrice="61000",
        pendingBelowType="STOP_LOSS",
        pendingBelowStopPrice="58000",
    ),
    ("orderList.place.opo", "example"): _list_place(
        "orderList.place.opo",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="59000",
        workingQuantity="0.001",
        workingTimeInForce="GTC",
        pendingType="MARKET",
        pendingSide="SELL",
    ),
    ("orderList.place.opoco", "example"): _list_place(
        "orderList.place.opoco",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="59000",
        workingQuantity="0.001",
        workingTimeInForce="GTC",
        pendingSide="SELL",
        pendingAboveType="LIMIT_MAKER",
        pendingAbovePrice="61000",
        pendingBelowType="STOP_LOSS_LIMIT",
        pendingBelowStopPrice="58000",
        pendingBelowPrice="57900",
        pendingBelowTimeInForce="IOC",
    ),
    ("orderList.cancel", "example"): _list_cancel,
    ("sor.order.place", "example"): _signed(
        "sor.order.place",
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        price="60000.01",
        quantity="0.001",
    ),
    ("sor.order.test", "without computeCommissionRates"): _signed(
        "sor.order.test", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001"
    ),
    ("sor.order.test", "with computeCommissionRates"): _signed(
        "sor.order.test",
        symbol="BTCUSDT",
        side="BUY",
        type="MARKET",
        quantity="0.001",
        computeCommissionRates=True,
    ),
    ("account.status", "example"): _signed("account.status"),
    ("order.status", "example"): _order_status,
    ("openOrders.status", "example"): _open_orders,
    ("allOrders", "example"): _signed("allOrders", symbol="BTCUSDT", limit=5),
    ("orderList.status", "example"): _list_status,
    ("openOrderLists.status", "example"): lambda api: (api.oco(), api.call("openOrderLists.status"))[1],
    ("allOrderLists", "example"): _signed("allOrderLists", limit=3),
    ("myTrades", "example"): lambda api: (
        api.place(side="BUY", type="MARKET", quantity="0.001"),
        api.call("myTrades", {"symbol": "BTCUSDT", "limit": 3}),
    )[1],
    ("account.rateLimits.orders", "example"): _signed("account.rateLimits.orders"),
    ("myPreventedMatches", "example"): _prevented,
    ("myAllocations", "example"): _allocations,
    ("account.commission", "example"): _signed("account.commission", symbol="BTCUSDT"),
    ("order.amendments", "example"): _amendments,
    ("myFilters", "example"): _signed("myFilters", symbol="BTCUSDT"),
    ("userDataStream.subscribe", "example"): _logged_on("userDataStream.subscribe"),
    ("userDataStream.unsubscribe", "example"): _unsubscribe,
    ("session.subscriptions", "example"): _subscriptions,
    ("userDataStream.subscribe.signature", "example"): _signature_subscribe,
}


def _examples() -> list[Any]:
    cases = []
    for name, method in METHODS.items():
        variants = method.get("example_responses") or [
            {"label": "example", "response": method["example_response"]}
        ]
        for variant in variants:
            response = variant["response"]
            body = (
                response.get("result")
                if response.get("status") == 200
                else (response.get("error") or {}).get("data")
            )
            if body is None and response.get("status") != 200:
                body = response.get("error")
            cases.append(pytest.param(name, variant["label"], body, id=f"{name}:{variant['label']}"))
    return cases


def _keys_of(value: Any, out: set[str]) -> set[str]:
    if isinstance(value, dict):
        out.update(value)
        for v in value.values():
            _keys_of(v, out)
    elif isinstance(value, list):
        for v in value:
            _keys_of(v, out)
    return out


def _method_keys(name: str) -> set[str]:
    method = METHODS[name]
    out: set[str] = set()
    for variant in method.get("example_responses") or [{"response": method["example_response"]}]:
        _keys_of(variant["response"], out)
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "decimal" if DECIMAL.match(value) else "str"
    return type(value).__name__


def assert_shape(ours: Any, example: Any, path: str, allowed: set[str]) -> None:
    """``ours`` has the example's keys (bar conditional ones), no unknown ones, same kinds."""
    if example is None:
        return  # null in the example: the field has no fixed kind to compare
    if isinstance(example, dict):
        assert isinstance(ours, dict), f"{path}: expected an object, got {ours!r}"
        missing = [k for k in example if k not in ours and k not in CONDITIONAL]
        extra = [k for k in ours if k not in example and k not in CONDITIONAL and k not in allowed]
        assert not missing, f"{path}: missing {missing}"
        assert not extra, f"{path}: unexpected {extra}"
        for key, value in example.items():
            if key in ours:
                assert_shape(ours[key], value, f"{path}.{key}", allowed)
        return
    if isinstance(example, list):
        assert isinstance(ours, list), f"{path}: expected an array, got {ours!r}"
        if example and not ours:
            assert path.split(".", 1)[-1] in MAY_BE_EMPTY or path in MAY_BE_EMPTY, f"{path}: empty array"
        for i, item in enumerate(ours):
            if example and isinstance(example[0], dict) and isinstance(item, dict):
                if "filterType" in item:
                    # Each filter type has its own fields: compare with the same type, if shown.
                    same = [e for e in example if e.get("filterType") == item["filterType"]]
                    if not same:
                        continue
                    best = same[0]
                elif i < len(example):
                    best = example[i]
                else:
                    best = max(example, key=lambda e: len(set(e) & set(item)))
            else:
                best = example[min(i, len(example) - 1)] if example else item
            assert_shape(item, best, f"{path}[{i}]", allowed)
        return
    assert _kind(ours) == _kind(example), f"{path}: {ours!r} is {_kind(ours)}, the example has {example!r}"


@pytest.mark.parametrize(("method", "label", "example"), _examples())
def test_answer_matches_the_example_shape(api: Api, method: str, label: str, example: Any) -> None:
    if (method, label) in SKIPPED:
        pytest.skip(SKIPPED[(method, label)])
    recipe = RECIPES.get((method, label))
    assert recipe is not None, f"no recipe for {method} / {label}"
    ours = recipe(api)
    assert_shape(ours, example, method, _method_keys(method))


def test_every_example_has_a_recipe_or_a_reason() -> None:
    labels = {(p.values[0], p.values[1]) for p in _examples()}
    assert labels == set(RECIPES) | set(SKIPPED)
    assert len(METHODS) == 55
