"""Connection behaviour of the local exchange: pings, lifetime, shutdown, limits, half-open,
refused connections, wss://. Drops and faults aimed at one client: test_exchange_targets.py."""

from __future__ import annotations

import json
import math
import os
import ssl
import threading
import time
from collections.abc import Iterator

import pytest
import websocket
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
from binance_ws import Client, ClientState
from binance_ws.exchange import LocalExchange


@pytest.fixture
def fresh() -> Iterator[LocalExchange]:
    with LocalExchange(book_levels=20) as ex:
        yield ex


def test_server_sends_pings_and_answers_them() -> None:
    with LocalExchange(book_levels=20, ping_interval=0.2) as ex:
        ws = raw_connect(ex.url)
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
            hang_up(ws)


def _closed_without_pong(ws: websocket.WebSocket, seconds: float) -> bool:
    """Like _closed_within, reading raw frames: websocket-client then answers no ping."""
    deadline = time.monotonic() + seconds
    try:
        while (left := deadline - time.monotonic()) > 0:
            ws.settimeout(left)
            if ws.recv_frame().opcode == websocket.ABNF.OPCODE_CLOSE:
                return True
    except websocket.WebSocketTimeoutException:
        return False
    except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
        return True
    return False


def test_client_that_never_pongs_is_dropped() -> None:
    with LocalExchange(book_levels=20, ping_interval=0.2, ping_timeout=0.3) as ex:
        ws = raw_connect(ex.url)
        try:
            assert _closed_without_pong(ws, 5)
        finally:
            hang_up(ws)
        assert wait_until(lambda: ex.connection_count == 0)


def test_connection_lifetime_limit() -> None:
    with LocalExchange(book_levels=20, max_connection_age=0.4) as ex:
        opened = time.monotonic()  # the exchange starts the connection's clock after this
        ws = raw_connect(ex.url)
        try:
            assert raw_call(ws, "ping")["status"] == 200
            assert closed_within(ws, 5)
            assert time.monotonic() - opened >= 0.39  # not before its lifetime was over
        finally:
            hang_up(ws)
        # The client is free to reconnect.
        with Client(ex.url, timeout=5) as c:
            assert c.request("ping").status == 200


def test_server_shutdown_event(fresh: LocalExchange) -> None:
    a, b = raw_connect(fresh.url), raw_connect(fresh.url)
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
            assert closed_within(ws, 3)
            hang_up(ws)
    finally:
        hang_up(a)
        hang_up(b)


def test_max_connections_refuses_handshake_with_429() -> None:
    with LocalExchange(book_levels=20, max_connections=2) as ex:
        first, second = raw_connect(ex.url), raw_connect(ex.url)
        try:
            with pytest.raises(websocket.WebSocketBadStatusException) as info:
                raw_connect(ex.url)
            assert info.value.status_code == 429
            body = json.loads(info.value.resp_body or b"{}")
            assert body == {"code": -1034, "msg": "Too many concurrent connections; current limit is '2'."}
            hang_up(first)
            deadline = time.monotonic() + 3
            while ex.connection_count > 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            third = raw_connect(ex.url)  # a slot is free again
            assert raw_call(third, "ping")["status"] == 200
            hang_up(third)
        finally:
            hang_up(first)
            hang_up(second)


def test_connection_attempt_limit_per_ip() -> None:
    with LocalExchange(book_levels=20, connection_attempt_limit=3) as ex:
        for _ in range(3):
            hang_up(raw_connect(ex.url))
        with pytest.raises(websocket.WebSocketBadStatusException) as info:
            raw_connect(ex.url)
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
    ws = raw_connect(fresh.url)
    try:
        answer = raw_call(ws, "ping")
        assert answer["rateLimits"][0]["count"] == 3  # 2 for the connection, 1 for ping
    finally:
        hang_up(ws)


def test_restart_keeps_the_url_and_state(fresh: LocalExchange) -> None:
    url, accounts = fresh.url, fresh.accounts
    with no_reconnect_client(url, timeout=5) as before:
        assert before.request("ping").status == 200
        fresh.restart()
        assert wait_until(lambda: before.state is ClientState.CLOSED)
    assert fresh.url == url and fresh.accounts is accounts
    with Client(url, timeout=5) as c:
        assert c.request("ping").status == 200


def test_duplicate_id_answers_twice(fresh: LocalExchange) -> None:
    ws = raw_connect(fresh.url)
    try:
        fresh.duplicate_id_next("ping")
        first = raw_call(ws, "ping", rid="dup-1")
        second = json.loads(ws.recv())
        assert first == second and first["id"] == "dup-1" and first["status"] == 200
        assert raw_call(ws, "ping", rid=2)["id"] == 2  # the next one is answered once
    finally:
        hang_up(ws)


def test_client_survives_a_duplicate_answer(fresh: LocalExchange) -> None:
    with Client(fresh.url, timeout=5) as c:
        fresh.duplicate_id_next("time")
        assert c.request("time").status == 200
        assert c.request("ping").result == {}
        assert c.pending_count == 0


def test_return_rate_limits_from_the_url(fresh: LocalExchange) -> None:
    ws = raw_connect(fresh.url + "?returnRateLimits=false")
    try:
        assert raw_call(ws, "ping") == {"id": 1, "status": 200, "result": {}}
        shown = raw_call(ws, "ping", {"returnRateLimits": True}, rid=2)
        assert shown["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"
        error = raw_call(ws, "depth", {"symbol": "NOPE"}, rid=3)
        assert error["status"] == 400 and "rateLimits" not in error
    finally:
        hang_up(ws)


def test_rate_limits_on_errors_and_per_request_switch(fresh: LocalExchange) -> None:
    ws = raw_connect(fresh.url)
    try:
        error = raw_call(ws, "depth", {"symbol": "NOPE"})
        assert error["error"] == {"code": -1121, "msg": "Invalid symbol."}
        assert error["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"
        hidden = raw_call(ws, "ping", {"returnRateLimits": "false"}, rid=2)  # as Binance's SDK sends it
        assert hidden == {"id": 2, "status": 200, "result": {}}
    finally:
        hang_up(ws)


def test_text_encoded_params_are_accepted(fresh: LocalExchange) -> None:
    # Binance's own SDK sends every value as text; Binance accepts that.
    ws = raw_connect(fresh.url)
    try:
        book = raw_call(ws, "depth", {"symbol": "BTCUSDT", "limit": "7"})
        assert book["status"] == 200 and len(book["result"]["bids"]) == 7
        padded = raw_call(ws, "depth", {"symbol": "BTCUSDT", "limit": "007"}, rid=2)
        assert padded["status"] == 400 and padded["error"]["code"] == -1100
    finally:
        hang_up(ws)


def test_mandatory_param_sent_empty(fresh: LocalExchange) -> None:
    ws = raw_connect(fresh.url)
    try:
        answer = raw_call(ws, "depth", {"symbol": ""})
        assert answer["status"] == 400 and answer["error"]["code"] == -1102
        assert "'symbol'" in answer["error"]["msg"]
    finally:
        hang_up(ws)


def test_fault_injection_still_maps_to_client_errors(fresh: LocalExchange) -> None:
    with Client(fresh.url, timeout=5, retry_reads=False) as c:
        fresh.fail_next("ping", 503)
        with pytest.raises(bw.ServerError):
            c.request("ping")
        fresh.garbage_next("ping")
        assert c.request("ping").result == {}
        fresh.delay_next("ping", 0.2)
        started = time.monotonic()
        assert c.request("ping").status == 200
        assert time.monotonic() - started >= 0.15


# -- half-open ---------------------------------------------------------------------------------


def _frames_within(ws: websocket.WebSocket, seconds: float) -> list[int]:
    """The opcodes of every frame that arrives within ``seconds`` (pings answered)."""
    opcodes: list[int] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        ws.settimeout(left)
        try:
            opcode, _ = ws.recv_data(control_frame=True)
        except websocket.WebSocketTimeoutException:
            break
        opcodes.append(opcode)
    return opcodes


def test_half_open_answers_nothing_and_keeps_the_connection() -> None:
    with LocalExchange(book_levels=20, ping_interval=0.2, ping_timeout=0.5) as ex:
        ws, other = raw_connect(ex.url_for("frozen")), raw_connect(ex.url)
        try:
            assert ex.go_half_open(connection="frozen") == 1
            assert raw_call(other, "ping")["status"] == 200  # only the tagged one is frozen
            hang_up(other)  # it would not answer the server's pings while we wait below
            ws.ping("are you there")
            ws.send(json.dumps({"id": 7, "method": "ping"}))
            # No answer, no pong and none of the server's own pings (every 0.2 s otherwise).
            assert _frames_within(ws, 1.0) == []
            assert ex.end_half_open(connection="frozen") == 1
            # Still open, not dropped for a missing pong: what was held back arrives now.
            ws.settimeout(5)
            seen: dict[int, bytes] = {}
            deadline = time.monotonic() + 5
            while {websocket.ABNF.OPCODE_PONG, websocket.ABNF.OPCODE_TEXT} - set(seen):
                assert time.monotonic() < deadline, f"saw only opcodes {set(seen)}"
                frame = ws.recv_frame()
                seen.setdefault(frame.opcode, frame.data)
                if frame.opcode == websocket.ABNF.OPCODE_PING:
                    ws.pong(frame.data)
            assert seen[websocket.ABNF.OPCODE_PONG] == b"are you there"
            assert json.loads(seen[websocket.ABNF.OPCODE_TEXT]) == {
                "id": 7,
                "status": 200,
                "result": {},
                "rateLimits": json.loads(seen[websocket.ABNF.OPCODE_TEXT])["rateLimits"],
            }
        finally:
            hang_up(ws, other)


def test_a_half_open_connection_can_still_be_dropped_and_the_exchange_closes() -> None:
    with LocalExchange(book_levels=20) as ex:
        with no_reconnect_client(ex.url, timeout=60) as c:
            assert ex.go_half_open() == 1
            call = PendingPing(c)
            assert ex.drop_all_connections() == 1
            assert call.finish() is bw.ConnectionClosedError
        frozen = raw_connect(ex.url)
        assert ex.go_half_open() == 1
        closed: list[bool] = []

        def watch() -> None:  # answers the close handshake and hangs up at once
            closed.append(closed_within(frozen, 10))
            hang_up(frozen)

        watcher = threading.Thread(target=watch)
        watcher.start()
        # close() lets frozen connections go before closing them (it would hang otherwise).
    watcher.join(10)
    assert closed == [True]


def test_new_connections_are_served_while_others_are_half_open(fresh: LocalExchange) -> None:
    old = raw_connect(fresh.url)
    try:
        assert fresh.go_half_open() == 1
        new = raw_connect(fresh.url)
        try:
            assert raw_call(new, "ping")["status"] == 200
        finally:
            hang_up(new)
        assert fresh.end_half_open() == 1
        assert fresh.end_half_open() == 0  # nothing left to let go
    finally:
        hang_up(old)


# -- refusing connections ----------------------------------------------------------------------


def test_refusing_resets_new_connections_and_counts_them(fresh: LocalExchange) -> None:
    kept = raw_connect(fresh.url)
    try:
        before = fresh.connection_attempts
        fresh.refuse_connections()
        assert fresh.refusing_connections
        for _ in range(3):
            with pytest.raises((websocket.WebSocketException, OSError)):
                raw_connect(fresh.url)
        with pytest.raises(bw.ConnectError):
            no_reconnect_client(fresh.url, connect_timeout=5).connect()
        assert fresh.connection_attempts == before + 4
        assert raw_call(kept, "ping")["status"] == 200  # open connections are left alone
        fresh.accept_connections()
        assert not fresh.refusing_connections
        with no_reconnect_client(fresh.url, timeout=5) as c:
            assert c.request("ping").status == 200
        assert fresh.connection_attempts == before + 5
    finally:
        hang_up(kept)


def test_refusing_with_a_status_answers_the_handshake(fresh: LocalExchange) -> None:
    fresh.refuse_connections(status=503)
    with pytest.raises(websocket.WebSocketBadStatusException) as info:
        raw_connect(fresh.url)
    assert info.value.status_code == 503
    body = json.loads(info.value.resp_body or b"{}")
    assert body == {
        "code": -1008,
        "msg": "Server is currently overloaded with other requests. Please try again in a few minutes.",
    }
    with pytest.raises(bw.ConnectError, match="503"):
        no_reconnect_client(fresh.url, connect_timeout=5).connect()
    assert fresh.connection_attempts >= 2


def test_refusing_for_a_while_ends_by_itself(fresh: LocalExchange) -> None:
    fresh.refuse_connections(0.3)
    with pytest.raises((websocket.WebSocketException, OSError)):
        raw_connect(fresh.url)
    assert wait_until(lambda: not fresh.refusing_connections)
    ws = raw_connect(fresh.url)
    try:
        assert raw_call(ws, "ping")["status"] == 200
    finally:
        hang_up(ws)


def test_refusal_arguments_are_checked(fresh: LocalExchange) -> None:
    for seconds in (0, -1, math.nan, True):
        with pytest.raises(ValueError, match="seconds"):
            fresh.refuse_connections(seconds)
    for status in (200, 101, 600, True):
        with pytest.raises(ValueError, match="status"):
            fresh.refuse_connections(status=status)
    assert not fresh.refusing_connections


# -- wss:// -------------------------------------------------------------------------------------


def test_tls_serves_wss_with_a_test_certificate() -> None:
    with LocalExchange(book_levels=20, tls=True) as ex:
        assert ex.url.startswith("wss://127.0.0.1:")
        assert ex.url_for("x").startswith("wss://127.0.0.1:")
        path = ex.ca_pem_path
        assert os.path.isfile(path)
        for sslopt in ({"ca_certs": path}, {"context": ex.client_ssl_context()}):
            ws = websocket.create_connection(ex.url, timeout=5, sslopt=sslopt)
            try:
                assert raw_call(ws, "ping")["status"] == 200
            finally:
                hang_up(ws)
        assert type(ex.client_ssl_context()) is ssl.SSLContext
        with pytest.raises((ssl.SSLError, websocket.WebSocketException, OSError)):
            websocket.create_connection(ex.url, timeout=5)  # the system's CAs do not know it
    assert not os.path.exists(path)  # removed by close()


def test_tls_with_a_context_of_ones_own() -> None:
    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    trust = ssl.create_default_context()
    ca.configure_trust(trust)
    with LocalExchange(book_levels=20, ssl_context=context) as ex:
        assert ex.url.startswith("wss://")
        ws = websocket.create_connection(ex.url, timeout=5, sslopt={"context": trust})
        try:
            assert raw_call(ws, "ping")["status"] == 200
        finally:
            hang_up(ws)
        with pytest.raises(RuntimeError, match="tls=True"):
            ex.client_ssl_context()
    with pytest.raises(ValueError, match="not both"):
        LocalExchange(tls=True, ssl_context=context)


def test_plain_exchange_has_no_test_certificate(fresh: LocalExchange) -> None:
    assert fresh.url.startswith("ws://")
    with pytest.raises(RuntimeError, match="tls=True"):
        fresh.ca_pem_path  # noqa: B018 - the property raises
