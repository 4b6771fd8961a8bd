"""Bad input is refused locally with InvalidParameterError naming the parameter and the fix.

Nothing of it reaches the server (the exchange's request log does not grow), and the
connection stays up for everyone else.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from exchange_helpers import client_for

from binance_ws import APIError, Client, InvalidParameterError
from binance_ws._errors import RateLimitedError, error_for_response
from binance_ws._request import MAX_REQUEST_SIZE
from binance_ws._spec import INT64_MAX, INT64_MIN, METHODS
from binance_ws.exchange import LocalExchange


@pytest.fixture
def signed(exchange: LocalExchange) -> Iterator[Client]:
    key = exchange.keys.hmac
    with client_for(exchange, timeout=5, api_key=key.api_key, api_secret=key.api_secret) as c:
        yield c


def _refused(exchange: LocalExchange, call: Any, param: str) -> str:
    """Call ``call``; it must raise InvalidParameterError for ``param`` and send nothing."""
    before = len(exchange.requests)
    with pytest.raises(InvalidParameterError) as exc:
        call()
    assert type(exc.value) is InvalidParameterError
    assert exc.value.param == param, str(exc.value)
    assert len(exchange.requests) == before, "a refused request reached the server"
    return str(exc.value)


def _order_test(client: Client, **params: Any) -> Any:
    base: dict[str, Any] = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "time_in_force": "GTC"}
    base.setdefault("price", "50000")
    base.setdefault("quantity", "0.001")
    return client.order_test(**{**base, **params})


# -- integers beyond 64 bits (3) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [INT64_MAX + 1, INT64_MIN - 1, 10**30, 10**5000], ids=["max+1", "min-1", "1e30", "1e5000"]
)
def test_an_int_beyond_64_bits_is_refused_naming_the_range(
    exchange: LocalExchange, client: Client, value: int
) -> None:
    message = _refused(exchange, lambda: client.order_status(symbol="BTCUSDT", order_id=value), "order_id")
    assert "64-bit" in message and str(INT64_MAX) in message
    assert client.ping() is not None  # the connection is fine


def test_every_int_parameter_checks_the_range() -> None:
    for spec in METHODS.values():
        for param in spec.params:
            if param.kind != "int":
                continue
            assert param.encode(INT64_MAX) == INT64_MAX
            with pytest.raises(InvalidParameterError) as exc:
                param.encode(INT64_MAX + 1)
            assert exc.value.param == param.python_name


def test_the_int_kind_refuses_bools_floats_and_digit_strings_with_the_fix(
    exchange: LocalExchange, client: Client
) -> None:
    call = client.order_status
    assert "pass 7" in _refused(exchange, lambda: call(symbol="BTCUSDT", order_id=7.0), "order_id")  # type: ignore[arg-type]
    assert "pass 7" in _refused(exchange, lambda: call(symbol="BTCUSDT", order_id="7"), "order_id")  # type: ignore[arg-type]
    assert "pass 1" in _refused(exchange, lambda: call(symbol="BTCUSDT", order_id=True), "order_id")
    assert "got float" in _refused(exchange, lambda: call(symbol="BTCUSDT", order_id=7.5), "order_id")  # type: ignore[arg-type]


def test_raw_params_json_cannot_carry_are_refused_by_name(exchange: LocalExchange, client: Client) -> None:
    message = _refused(exchange, lambda: client.request("ping", {"fine": 1, "huge": 10**5000}), "huge")
    assert message.startswith("huge: ping: cannot be sent as JSON")
    assert client.ping() is not None


def test_absurd_timeouts(exchange: LocalExchange) -> None:
    with client_for(exchange, timeout=10**400) as client:
        assert client.timeout == threading.TIMEOUT_MAX
        assert client.request("ping", timeout=10**400).status == 200
        for bad in (-(10**400), -(10**5000), float("nan"), 0, True, "5"):
            message = _refused(exchange, lambda bad=bad: client.request("ping", timeout=bad), "timeout")
            assert "positive number of seconds" in message


@pytest.mark.parametrize(
    "retry_after", [10**400, -(10**400), 10**30, -5], ids=["1e400", "-1e400", "1e30", "-5"]
)
def test_a_rate_limit_error_with_an_absurd_retry_after(retry_after: int) -> None:
    error = error_for_response(
        429,
        {"code": -1003, "msg": "Too many requests.", "data": {"retryAfter": retry_after}},
        method="ping",
        request_id=1,
        rate_limits=(),
    )
    assert type(error) is RateLimitedError
    assert str(error).startswith("ping [429] -1003: Too many requests.")
    assert repr(error) and str(error.held_back("depth"))
    seconds = error.seconds_left()
    assert seconds is not None and seconds >= 0.0
    assert (seconds > 10**9) is (retry_after > 0)


# -- decimals (4) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "fix"),
    [
        ("1e-7", '"0.0000001"'),
        (" 0.001", '"0.001"'),
        ("1_000", '"1000"'),
        ("+5", '"5"'),
        (".5", '"0.5"'),
        ("0x10", '"0.001"'),
        ("1,5", '"0.001"'),
        ("NaN", "finite"),
        ("Infinity", "finite"),
        ("0.000", "greater than zero"),
        ("-1", "greater than zero"),
        ("0." + "1" * 21, "at most 20"),
        ("x" * 50_000, "plain decimal"),
    ],
    ids=lambda value: value[:24],
)
def test_a_decimal_string_that_is_not_plain_is_refused_with_the_fix(
    exchange: LocalExchange, signed: Client, given: str, fix: str
) -> None:
    message = _refused(exchange, lambda: _order_test(signed, quantity=given), "quantity")
    assert message.startswith("quantity: ") and fix in message
    assert len(message) < 300  # a huge value is not echoed whole


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.00100000"), "0.00100000"),
        (Decimal("12345678901234567890.12345678901234567890"), "12345678901234567890.12345678901234567890"),
        ("0.00100000", "0.00100000"),
        (INT64_MAX + 1, str(INT64_MAX + 1)),
    ],
)
def test_a_decimal_goes_out_in_plain_digits(
    exchange: LocalExchange, signed: Client, given: Any, sent: str
) -> None:
    try:
        _order_test(signed, quantity=given)
    except APIError:
        pass  # the exchange's filters may refuse the amount: what matters is what it was sent
    method, params = exchange.requests[-1]
    assert method == "order.test"
    assert params["quantity"] == sent and type(params["quantity"]) is str


@pytest.mark.parametrize(
    "given", [Decimal("1E-21"), Decimal("1E+20"), Decimal("1E-999999999"), Decimal("0.1" + "0" * 20), 10**20]
)
def test_a_decimal_with_more_digits_than_binance_reads_is_refused(
    exchange: LocalExchange, signed: Client, given: Any
) -> None:
    assert "at most 20" in _refused(exchange, lambda: _order_test(signed, price=given), "price")


# -- request size (5) ----------------------------------------------------------------------------


def test_a_request_over_the_size_limit_is_refused_and_the_connection_stays(
    exchange: LocalExchange, client: Client
) -> None:
    message = _refused(exchange, lambda: client.request("ping", {"pad": "x" * MAX_REQUEST_SIZE}), "pad")
    assert str(MAX_REQUEST_SIZE) in message and "bytes" in message
    # Far over what the exchange accepts (1 MiB): sending it would have closed the connection.
    _refused(exchange, lambda: client.exchange_info(symbols=["BTCUSDT"] * 200_000), "symbols")
    assert client.ping() is not None
    assert client.connected and client.reconnects == 0


def test_the_exchange_accepts_a_request_at_the_limit(exchange: LocalExchange, client: Client) -> None:
    overhead = len(b'{"id":1,"method":"ping","params":{"pad":""}}') + 16  # id digits and slack
    before = len(exchange.requests)
    with pytest.raises(APIError):  # ping takes no pad: refused, but read and answered
        client.request("ping", {"pad": "x" * (MAX_REQUEST_SIZE - overhead)})
    assert len(exchange.requests) == before + 1
    assert client.connected and client.reconnects == 0
