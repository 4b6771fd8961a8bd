"""Connection behaviour of the local exchange: pings, lifetime, shutdown, limits, faults."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import websocket

import binance_ws as bw
from binance_ws import Client, ClientState
from binance_ws.exchange import LocalExchange


def _connect(url: str) -> websocket.WebSocket:
    return websocket.create_connection(url, timeout=5)


def _call(ws: websocket.WebSocket, method: str, params: dict[str, Any] | None = None, rid: Any = 1) -> Any:
    frame: dict[str, Any] = {"id": rid, "method": method}
    if params is not None:
        frame["params"] = params
    ws.send(json.dumps(frame))
    return json.loads(ws.recv())


def _hang_up(*sockets: websocket.WebSocket) -> None:
    for ws in sockets:
        if ws.connected:
            ws.close(timeout=1)
        ws.shutdown()  # also after the server closed: release the socket at once


def _closed_within(ws: websocket.WebSocket, seconds: float) -> bool:
    """True when the server ends the connection within ``seconds`` (close frame or EOF)."""
    ws.settimeout(seconds)
    try:
        while True:
            opcode, _ = ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return True
    except websocket.WebSocketTimeoutException:
        return False
    except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
        return True


@pytest.fixture
def fresh() -> Iterator[LocalExchange]:
    with LocalExchange(book_levels=20) as ex:
        yield ex


def test_server_sends_pings_and_answers_them() -> None:
    with LocalExchange(book_levels=20, ping_interval=0.2) as ex:
        ws = _connect(ex.url)
        try:
            ws.ping("hello")
            seen: set[int] = set()
            deadline = time.monotonic() + 3
            while {websocket.ABNF.OPCODE_PING, websocket.ABNF.OPCODE_PONG} - seen:
                assert time.monotonic() < deadline, f"saw only opcodes {seen}"
                frame = ws.recv_frame()
                seen.add(frame.opcode)
                if frame.opcode == websocket.ABNF.OPCODE_PONG:
                    assert frame.data == b"hello"
                if frame.opcode == websocket.ABNF.OPCODE_PING:
                    ws.pong(frame.data)
        finally:
            _hang_up(ws)


def test_client_that_never_pongs_is_dropped() -> None:
    with LocalExchange(book_levels=20, ping_interval=0.2, ping_timeout=0.3) as ex:
        ws = _connect(ex.url)
        try:
            time.sleep(0.9)  # not reading: websocket-client answers pings only inside recv
            assert _closed_within(ws, 2)
        finally:
            _hang_up(ws)
        deadline = time.monotonic() + 3
        while ex.connection_count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ex.connection_count == 0


def test_connection_lifetime_limit() -> None:
    with LocalExchange(book_levels=20, max_connection_age=0.4) as ex:
        ws = _connect(ex.url)
        try:
            assert _call(ws, "ping")["status"] == 200
            started = time.monotonic()
            assert _closed_within(ws, 3)
            assert 0.2 < time.monotonic() - started < 1.5
        finally:
            _hang_up(ws)
        # The client is free to reconnect.
        with Client(ex.url, timeout=5) as c:
            assert c.request("ping").status == 200


def test_server_shutdown_event(fresh: LocalExchange) -> None:
    a, b = _connect(fresh.url), _connect(fresh.url)
    try:
        deadline = time.monotonic() + 3
        while fresh.connection_count < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        before = int(time.time() * 1000)
        fresh.send_server_shutdown(close_after=0.3)
        for ws in (a, b):
            event = json.loads(ws.recv())
            assert set(event) == {"event"}  # no subscriptionId, no id
            assert event["event"]["e"] == "serverShutdown"
            assert before - 5 <= event["event"]["E"] <= int(time.time() * 1000) + 5
        for ws in (a, b):
            assert _closed_within(ws, 3)
            _hang_up(ws)
    finally:
        _hang_up(a)
        _hang_up(b)


def test_max_connections_refuses_handshake_with_429() -> None:
    with LocalExchange(book_levels=20, max_connections=2) as ex:
        first, second = _connect(ex.url), _connect(ex.url)
        try:
            with pytest.raises(websocket.WebSocketBadStatusException) as info:
                _connect(ex.url)
            assert info.value.status_code == 429
            body = json.loads(info.value.resp_body or b"{}")
            assert body == {"code": -1034, "msg": "Too many concurrent connections; current limit is '2'."}
            _hang_up(first)
            deadline = time.monotonic() + 3
            while ex.connection_count > 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            third = _connect(ex.url)  # a slot is free again
            assert _call(third, "ping")["status"] == 200
            _hang_up(third)
        finally:
            _hang_up(first)
            _hang_up(second)


def test_connection_attempt_limit_per_ip() -> None:
    with LocalExchange(book_levels=20, connection_attempt_limit=3) as ex:
        for _ in range(3):
            _hang_up(_connect(ex.url))
        with pytest.raises(websocket.WebSocketBadStatusException) as info:
            _connect(ex.url)
        assert info.value.status_code == 429
        body = json.loads(info.value.resp_body or b"{}")
        assert body["code"] == -1034 and "per '5 MINUTE'" in body["msg"]
        limits = {r["rateLimitType"]: r for r in ex.rate_limit_config()}
        assert limits["CONNECTIONS"] == {
            "rateLimitType": "CONNECTIONS",
            "interval": "MINUTE",
            "intervalNum": 5,
            "limit": 3,
        }


def test_opening_a_connection_costs_two_weight(fresh: LocalExchange) -> None:
    ws = _connect(fresh.url)
    try:
        answer = _call(ws, "ping")
        assert answer["rateLimits"][0]["count"] == 3  # 2 for the connection, 1 for ping
    finally:
        _hang_up(ws)


def test_restart_keeps_the_url_and_state(fresh: LocalExchange) -> None:
    url, accounts = fresh.url, fresh.accounts
    with Client(url, timeout=5) as before:
        assert before.request("ping").status == 200
        fresh.restart()
        deadline = time.monotonic() + 3
        while before.state is not ClientState.CLOSED and time.monotonic() < deadline:
            time.sleep(0.01)
        assert before.state is ClientState.CLOSED
    assert fresh.url == url and fresh.accounts is accounts
    with Client(url, timeout=5) as c:
        assert c.request("ping").status == 200


def test_duplicate_id_answers_twice(fresh: LocalExchange) -> None:
    ws = _connect(fresh.url)
    try:
        fresh.duplicate_id_next("ping")
        first = _call(ws, "ping", rid="dup-1")
        second = json.loads(ws.recv())
        assert first == second and first["id"] == "dup-1" and first["status"] == 200
        assert _call(ws, "ping", rid=2)["id"] == 2  # the next one is answered once
    finally:
        _hang_up(ws)


def test_client_survives_a_duplicate_answer(fresh: LocalExchange) -> None:
    with Client(fresh.url, timeout=5) as c:
        fresh.duplicate_id_next("time")
        assert c.request("time").status == 200
        assert c.request("ping").result == {}
        assert c.pending_count == 0


def test_return_rate_limits_from_the_url(fresh: LocalExchange) -> None:
    ws = _connect(fresh.url + "?returnRateLimits=false")
    try:
        assert _call(ws, "ping") == {"id": 1, "status": 200, "result": {}}
        shown = _call(ws, "ping", {"returnRateLimits": True}, rid=2)
        assert shown["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"
        error = _call(ws, "depth", {"symbol": "NOPE"}, rid=3)
        assert error["status"] == 400 and "rateLimits" not in error
    finally:
        _hang_up(ws)


def test_rate_limits_on_errors_and_per_request_switch(fresh: LocalExchange) -> None:
    ws = _connect(fresh.url)
    try:
        error = _call(ws, "depth", {"symbol": "NOPE"})
        assert error["error"] == {"code": -1121, "msg": "Invalid symbol."}
        assert error["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"
        hidden = _call(ws, "ping", {"returnRateLimits": "false"}, rid=2)  # as Binance's SDK sends it
        assert hidden == {"id": 2, "status": 200, "result": {}}
    finally:
        _hang_up(ws)


def test_text_encoded_params_are_accepted(fresh: LocalExchange) -> None:
    # Binance's own SDK sends every value as text; Binance accepts that.
    ws = _connect(fresh.url)
    try:
        book = _call(ws, "depth", {"symbol": "BTCUSDT", "limit": "7"})
        assert book["status"] == 200 and len(book["result"]["bids"]) == 7
        padded = _call(ws, "depth", {"symbol": "BTCUSDT", "limit": "007"}, rid=2)
        assert padded["status"] == 400 and padded["error"]["code"] == -1100
    finally:
        _hang_up(ws)


def test_mandatory_param_sent_empty(fresh: LocalExchange) -> None:
    ws = _connect(fresh.url)
    try:
        answer = _call(ws, "depth", {"symbol": ""})
        assert answer["status"] == 400 and answer["error"]["code"] == -1102
        assert "'symbol'" in answer["error"]["msg"]
    finally:
        _hang_up(ws)


def test_fault_injection_still_maps_to_client_errors(fresh: LocalExchange) -> None:
    with Client(fresh.url, timeout=5) as c:
        fresh.fail_next("ping", 503)
        with pytest.raises(bw.ServerError):
            c.request("ping")
        fresh.garbage_next("ping")
        assert c.request("ping").result == {}
        fresh.delay_next("ping", 0.2)
        started = time.monotonic()
        assert c.request("ping").status == 200
        assert time.monotonic() - started >= 0.15
