"""Drops that reach every accepted connection, and faults, drops and events aimed at one client.

A client names itself with ``?tag=`` in its URL (``LocalExchange.url_for``); ``connection=tag``
then limits a fault to it.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from exchange_helpers import (
    PendingPing,
    closed_within,
    hang_up,
    no_reconnect_client,
    raw_call,
    raw_connect,
    wait_until,
)

import binance_ws as bw
from binance_ws import ClientState
from binance_ws.exchange import LocalExchange


@pytest.fixture
def fresh() -> Iterator[LocalExchange]:
    with LocalExchange(book_levels=20) as ex:
        yield ex


def test_server_shutdown_event_for_one_client(fresh: LocalExchange) -> None:
    mine, other = raw_connect(fresh.url_for("mine")), raw_connect(fresh.url)
    try:
        assert wait_until(lambda: fresh.connection_count == 2)
        fresh.send_server_shutdown(connection="mine")
        assert json.loads(mine.recv())["event"]["e"] == "serverShutdown"
        assert raw_call(other, "ping")["status"] == 200  # the answer, with no event before it
    finally:
        hang_up(mine, other)


def test_a_drop_reaches_every_connection_even_one_just_opened(fresh: LocalExchange) -> None:
    # The drop comes right after the client connected and made a request pending, while the
    # exchange may still be setting the connection up: every round must fail the request.
    outcomes: list[type[BaseException] | None] = []
    for n in range(150):
        tag = f"round-{n}"
        fresh.delay_next("ping", 60, connection=tag)  # never answered within the test
        with no_reconnect_client(fresh.url_for(tag), timeout=60) as c:
            call = PendingPing(c)
            assert fresh.drop_all_connections() >= 1
            outcomes.append(call.finish())
    assert outcomes == [bw.ConnectionClosedError] * 150


def test_a_drop_reaches_a_connection_before_its_handshake(fresh: LocalExchange) -> None:
    attempts = fresh.connection_attempts
    raw = socket.create_connection(("127.0.0.1", fresh.port), timeout=5)
    try:
        # TCP connected, no HTTP request sent yet: the exchange has seen the attempt.
        assert wait_until(lambda: fresh.connection_attempts == attempts + 1)
        assert fresh.drop_all_connections() == 1
        assert raw.recv(1) == b""  # cut: end of stream, no handshake answer
    finally:
        raw.close()
    ws = raw_connect(fresh.url)  # a connection made after the drop is served
    try:
        assert raw_call(ws, "ping")["status"] == 200
    finally:
        hang_up(ws)


# -- faults aimed at one connection -----------------------------------------------------------


def test_a_fault_with_a_tag_hits_only_that_connection(fresh: LocalExchange) -> None:
    mine, other = raw_connect(fresh.url_for("mine")), raw_connect(fresh.url)
    try:
        fresh.fail_next("ping", 503, connection="mine")
        assert raw_call(other, "ping")["status"] == 200  # not for it, though it asked first
        assert raw_call(mine, "ping")["status"] == 503
        assert raw_call(mine, "ping", rid=2)["status"] == 200  # used up
        fresh.fail_next("ping", 500)  # untargeted: whoever asks first
        assert raw_call(other, "ping", rid=3)["status"] == 500
        assert raw_call(mine, "ping", rid=4)["status"] == 200
    finally:
        hang_up(mine, other)


def test_a_tagged_connection_takes_its_own_fault_first(fresh: LocalExchange) -> None:
    ws = raw_connect(fresh.url_for("t"))
    try:
        fresh.fail_next("ping", 500)
        fresh.fail_next("ping", 503, connection="t")
        assert [raw_call(ws, "ping", rid=i)["status"] for i in range(3)] == [503, 500, 200]
    finally:
        hang_up(ws)


def test_every_fault_takes_a_target(fresh: LocalExchange) -> None:
    mine, other = raw_connect(fresh.url_for("mine")), raw_connect(fresh.url)
    try:
        fresh.delay_next("time", 0.01, connection="mine")
        fresh.garbage_next("time", "not json", connection="mine")
        fresh.wrong_id_next("time", connection="mine")
        fresh.duplicate_id_next("time", connection="mine")
        fresh.drop_next("time", connection="mine")
        for rid in range(5):
            assert raw_call(other, "time", rid=rid)["id"] == rid  # none of them reaches it
        assert fresh.faults.pending("mine") == 5
        assert raw_call(mine, "time", rid="a")["id"] == "a"  # delayed
        mine.send(json.dumps({"id": "b", "method": "time"}))
        assert mine.recv() == "not json"
        assert json.loads(mine.recv())["id"] == "b"
        assert raw_call(mine, "time", rid="c")["id"] == "not-c"
        first = raw_call(mine, "time", rid="d")
        assert json.loads(mine.recv()) == first
        mine.send(json.dumps({"id": "e", "method": "time"}))
        assert closed_within(mine, 3)  # dropped
        assert fresh.faults.pending() == 0
    finally:
        hang_up(mine, other)


def test_a_drop_with_a_tag_cuts_only_that_client(fresh: LocalExchange) -> None:
    with (
        no_reconnect_client(fresh.url_for("a"), timeout=5) as a,
        no_reconnect_client(fresh.url_for("b"), timeout=5) as b,
    ):
        assert fresh.drop_all_connections(connection="a") == 1
        assert wait_until(lambda: a.state is ClientState.CLOSED)
        assert b.request("ping").status == 200
        assert b.state is ClientState.OPEN


def test_the_tag_and_unknown_query_keys_leave_return_rate_limits_working(fresh: LocalExchange) -> None:
    hidden = raw_connect(fresh.url_for("q") + "&returnRateLimits=false&foo=bar")
    shown = raw_connect(fresh.url + "?foo=bar")
    try:
        assert raw_call(hidden, "ping") == {"id": 1, "status": 200, "result": {}}
        assert raw_call(shown, "ping")["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"
        fresh.fail_next("ping", 503, connection="q")
        assert raw_call(hidden, "ping", rid=2)["status"] == 503
    finally:
        hang_up(hidden, shown)


def test_fault_arguments_are_checked(fresh: LocalExchange) -> None:
    with pytest.raises(ValueError, match="connection"):
        fresh.fail_next("ping", 500, connection="")
    with pytest.raises(ValueError, match="times"):
        fresh.delay_next("ping", 1, times=0)
    with pytest.raises(ValueError, match="tag"):
        fresh.url_for("")
    assert fresh.faults.pending() == 0
