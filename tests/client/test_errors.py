"""Each error status maps to its exception class, with its attributes and a one-line message."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from exchange_helpers import Tagged

import binance_ws as bw
from binance_ws import Client


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, bw.BadRequestError),
        (401, bw.UnauthorizedError),
        (403, bw.WAFBlockedError),
        (409, bw.PartialSuccessError),
        (418, bw.IPBannedError),
        (429, bw.RateLimitedError),
        (500, bw.ServerError),
        (503, bw.ServerError),
    ],
)
def test_status_maps_to_class(tagged: Tagged, status: int, cls: type) -> None:
    # A 5xx to a read is retried once: both attempts get it.
    times = 2 if status >= 500 else 1
    tagged.exchange.fail_next(
        "ping", status, code=-1234, msg="something went wrong", times=times, connection=tagged.tag
    )
    with pytest.raises(cls) as info:
        tagged.client.request("ping")
    exc = info.value
    assert type(exc) is cls
    assert isinstance(exc, bw.APIError) and isinstance(exc, bw.BinanceWSError)
    assert exc.status == status
    assert exc.code == -1234
    assert exc.msg == "something went wrong"
    assert exc.method == "ping"
    assert isinstance(exc.request_id, int)
    assert exc.rate_limits and exc.rate_limits[0].type is bw.enums.RateLimitType.REQUEST_WEIGHT
    text = str(exc)
    assert "\n" not in text
    assert f"[{status}]" in text and "-1234" in text and "ping" in text and f"id={exc.request_id}" in text
    # Pickles (for multiprocessing and log shipping) with every attribute intact.
    clone: bw.APIError = pickle.loads(pickle.dumps(exc))
    assert type(clone) is cls and clone.code == -1234 and clone.status == status and str(clone) == text


def test_server_error_is_execution_unknown(tagged: Tagged) -> None:
    client = tagged.client
    tagged.exchange.fail_next("ping", 500, times=2, connection=tagged.tag)  # and its one retry
    with pytest.raises(bw.ExecutionUnknownError) as info:
        client.request("ping")
    assert type(info.value) is bw.ServerError
    # ping changes nothing: the advice is to retry, not to look an order up.
    assert info.value.changes_state is False
    assert str(info.value).endswith("; nothing was changed by this read-only request: it is safe to retry")
    assert "query" not in str(info.value) and "execution status is unknown" not in str(info.value)
    assert client.request("ping").result == {}


@pytest.mark.parametrize("status", [418, 429])
def test_retry_after_is_aware_datetime(tagged: Tagged, status: int) -> None:
    data: dict[str, object] = {"serverTime": 1700000000000, "retryAfter": 1700000060000}
    tagged.exchange.fail_next("ping", status, data=data, connection=tagged.tag)
    with pytest.raises(bw.RateLimitedError) as info:
        tagged.client.request("ping")
    after = info.value.retry_after
    assert after == dt.datetime(2023, 11, 14, 22, 14, 20, tzinfo=dt.timezone.utc)
    assert after is not None and after.tzinfo is not None
    assert after.isoformat() in str(info.value)


def test_ip_banned_is_a_stronger_429() -> None:
    assert issubclass(bw.IPBannedError, bw.RateLimitedError)


def test_partial_success_exposes_both_halves(tagged: Tagged) -> None:
    data: dict[str, object] = {
        "cancelResult": "SUCCESS",
        "newOrderResult": "FAILURE",
        "cancelResponse": {"symbol": "BTCUSDT", "orderId": 12, "status": "CANCELED"},
        "newOrderResponse": {"code": -2010, "msg": "Order would immediately match and take."},
    }
    tagged.exchange.fail_next(
        "ping",
        409,
        code=-2021,
        msg="Order cancel-replace partially failed.",
        data=data,
        connection=tagged.tag,
    )
    with pytest.raises(bw.PartialSuccessError) as info:
        tagged.client.request("ping")
    exc = info.value
    assert exc.data == data
    assert exc.cancel_result == "SUCCESS" and exc.new_order_result == "FAILURE"
    assert exc.cancel_response["orderId"] == 12
    assert exc.new_order_response["code"] == -2010


def test_unknown_method_is_bad_request(client: Client) -> None:
    with pytest.raises(bw.BadRequestError) as info:
        client.request("no.such.method")
    assert info.value.code == -1100
    assert "method" in info.value.msg


def test_unknown_symbol(client: Client) -> None:
    with pytest.raises(bw.BadRequestError) as info:
        client.request("depth", {"symbol": "NOPE"})
    assert (info.value.code, info.value.msg) == (-1121, "Invalid symbol.")


def test_missing_mandatory_param(client: Client) -> None:
    with pytest.raises(bw.BadRequestError) as info:
        client.request("depth", {})
    assert info.value.code == -1102
    assert "'symbol'" in info.value.msg


def test_timeout_and_closed_errors_are_execution_unknown() -> None:
    assert issubclass(bw.RequestTimeoutError, bw.ExecutionUnknownError)
    assert issubclass(bw.RequestTimeoutError, TimeoutError)
    assert issubclass(bw.ConnectionClosedError, bw.ExecutionUnknownError)
    assert issubclass(bw.InvalidParameterError, ValueError)
    err = bw.ConnectionClosedError("gone", method="order.place", request_id=7)
    assert "execution status is unknown" in str(err) and "order_status(" in str(err)
    assert err.changes_state is True
    clone = pickle.loads(pickle.dumps(err))
    assert (clone.reason, clone.method, clone.request_id, clone.sent) == ("gone", "order.place", 7, True)
    assert clone.changes_state is True and str(clone) == str(err)
    timeout = bw.RequestTimeoutError("depth", 8, 0.5)
    assert timeout.changes_state is False
    assert str(timeout) == (
        "depth (id=8): no response within 0.5 s; "
        "nothing was changed by this read-only request: it is safe to retry"
    )
    clone_timeout = pickle.loads(pickle.dumps(timeout))
    assert type(clone_timeout) is bw.RequestTimeoutError and str(clone_timeout) == str(timeout)


def test_public_names_live_in_the_package() -> None:
    assert bw.ServerError.__module__ == "binance_ws"
    for name in bw.__all__:
        assert hasattr(bw, name)
