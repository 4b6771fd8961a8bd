"""RFC 6455 end to end: a raw server sends what a peer must refuse; the client fails properly.

For each hostile byte sequence the request in flight is woken at once (not after its 10 s
timeout) with ConnectionClosedError, and the client's last frame is a close frame with the
code RFC 6455 asks for: 1002 protocol error, 1007 invalid data, 1009 message too big.
"""

from __future__ import annotations

import json
import struct
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from raw_server import RawConnection, RawServer, server_frame

from binance_ws import Client, ClientClosedError, ConnectError, ConnectionClosedError, _framing
from binance_ws.models.general import Empty

TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA
# Far below the request timeout: a woken waiter returns in milliseconds, a forgotten one in 10 s.
PROMPT = 3.0


def answer(request: dict[str, Any]) -> bytes:
    return json.dumps({"id": request["id"], "status": 200, "result": {}}).encode()


def close_body(code: int, reason: bytes = b"") -> bytes:
    return struct.pack("!H", code) + reason


def after_request(*frames: bytes) -> Callable[[RawConnection], None]:
    """A script: read the client's request, then send ``frames`` as one write."""

    def script(conn: RawConnection) -> None:
        conn.wait_request()
        conn.send(b"".join(frames))

    return script


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[RawConnection], None]], RawServer]]:
    servers: list[RawServer] = []

    def start(script: Callable[[RawConnection], None]) -> RawServer:
        servers.append(RawServer(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()
        assert not server.errors, server.errors


def fails_at_once(server: RawServer) -> ConnectionClosedError:
    """Connect, send a ping and expect the connection to fail well before the timeout."""
    with Client(server.url, timeout=10, reconnect=False) as client:
        started = time.monotonic()
        with pytest.raises(ConnectionClosedError) as raised:
            client.ping()
        assert time.monotonic() - started < PROMPT
    assert type(raised.value) is ConnectionClosedError
    assert raised.value.sent is True
    return raised.value


HOSTILE = {
    "ping of 126 bytes": (server_frame(PING, b"p" * 126), 1002),
    "pong of 200 bytes": (server_frame(PONG, b"p" * 200), 1002),
    "close of 126 bytes": (server_frame(CLOSE, close_body(1000, b"r" * 124)), 1002),
    "fragmented ping": (server_frame(PING, b"hb", fin=False), 1002),
    "fragmented close": (server_frame(CLOSE, close_body(1000), fin=False), 1002),
    **{f"reserved opcode {op:#x}": (server_frame(op, b"x"), 1002) for op in (3, 7, 0xB, 0xF)},
    "text inside a fragmented message": (
        server_frame(TEXT, b'{"a":', fin=False) + server_frame(TEXT, b"1}"),
        1002,
    ),
    "binary inside a fragmented message": (
        server_frame(TEXT, b'{"a":', fin=False) + server_frame(BINARY, b"1}"),
        1002,
    ),
    "continuation without a start": (server_frame(CONT, b"{}"), 1002),
    **{f"rsv bits {rsv}": (server_frame(TEXT, b"{}", rsv=rsv), 1002) for rsv in (1, 2, 4)},
    "masked server frame": (server_frame(TEXT, b"{}", mask=True), 1002),
    "close payload of 1 byte": (server_frame(CLOSE, b"\x03"), 1002),
    **{
        f"close code {code}": (server_frame(CLOSE, close_body(code)), 1002)
        for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535)
    },
    "close reason not UTF-8": (server_frame(CLOSE, close_body(1000, b"\xff\xfe")), 1007),
    "text not UTF-8": (server_frame(TEXT, b'{"id":"\xc3\x28"}'), 1007),
    "text with a UTF-16 surrogate": (server_frame(TEXT, b'{"a":"\xed\xa0\x80"}'), 1007),
    "fragmented text not UTF-8": (
        server_frame(TEXT, b'{"a":"\xe2\x82', fin=False) + server_frame(CONT, b'"}'),
        1007,
    ),
    "frame announcing 64 MiB + 1": (server_frame(BINARY, length=_framing.MAX_MESSAGE + 1), 1009),
    "64-bit length with its top bit set": (server_frame(TEXT, length=1 << 63), 1002),
}


@pytest.mark.parametrize(("frames", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_frames_fail_the_connection_with_the_right_code(
    serve: Callable[[Callable[[RawConnection], None]], RawServer], frames: bytes, code: int
) -> None:
    server = serve(after_request(frames))
    error = fails_at_once(server)
    assert "protocol error" in error.reason
    conn = server.connection()
    assert conn.wait_close()[0] == code
    conn.wait_eof()
    (close,) = conn.close_frames()  # one close frame, and it is the client's last frame
    assert conn.frames[-1] is close
    assert close.masked and close.fin
    assert _framing.parse_close(close.payload)[0] == code  # a valid close frame, UTF-8 reason
    assert [f.opcode for f in conn.frames if f.opcode == PONG] == []  # nothing echoed


def test_message_over_the_cap_in_fragments_fails_with_1009(
    serve: Callable[[Callable[[RawConnection], None]], RawServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each fragment is small; their sum crosses the cap. A 1 MiB cap keeps the test light:
    # the reader reads the module's cap at each frame, as it would the 64 MiB default.
    monkeypatch.setattr(_framing, "MAX_MESSAGE", 1 << 20)
    piece = b"x" * (64 << 10)
    frames = [server_frame(TEXT, b'{"a":"' + piece, fin=False)]
    frames += [server_frame(CONT, piece, fin=False) for _ in range(15)]  # 1 MiB + 6 bytes
    server = serve(after_request(*frames))
    fails_at_once(server)
    assert server.connection().wait_close()[0] == 1009


def test_ping_of_125_bytes_is_echoed_and_the_request_answered(
    serve: Callable[[Callable[[RawConnection], None]], RawServer],
) -> None:
    ping = bytes(range(125))

    def script(conn: RawConnection) -> None:
        request = conn.wait_request()
        conn.send(server_frame(PING, ping))
        conn.wait_for(lambda: [f for f in conn.frames if f.opcode == PONG])
        conn.send(server_frame(TEXT, answer(request)))

    server = serve(script)
    with Client(server.url, timeout=10, reconnect=False) as client:
        client.ping()
    conn = server.connection()
    (pong,) = [f for f in conn.frames if f.opcode == PONG]
    assert pong.payload == ping and pong.masked and pong.fin
    assert conn.wait_close() == (1000, b"")  # the client's own close on exit


def test_fragmented_answer_with_pings_inside_is_delivered(
    serve: Callable[[Callable[[RawConnection], None]], RawServer],
) -> None:
    def script(conn: RawConnection) -> None:
        body = answer(conn.wait_request()).replace(b"{}", '{"note":"\u00e9\u20ac"}'.encode())
        # Split inside the 3-byte euro sign: UTF-8 is checked on the whole message.
        cut = body.index("\u20ac".encode()) + 1
        conn.send(server_frame(TEXT, body[:cut], fin=False) + server_frame(PING, b"one"))
        conn.send(server_frame(CONT, b"", fin=False) + server_frame(PING, b"two"))
        conn.send(server_frame(CONT, body[cut:]))

    server = serve(script)
    with Client(server.url, timeout=10, reconnect=False) as client:
        assert client.request("ping").result == {"note": "\u00e9\u20ac"}
    conn = server.connection()
    assert [f.payload for f in conn.frames if f.opcode == PONG] == [b"one", b"two"]


@pytest.mark.parametrize(
    ("received", "echoed"),
    [
        (b"", None),  # no code: answered without one, never with 1005
        (close_body(1000), 1000),
        (close_body(1001, b"going away"), 1001),
        (close_body(1011), 1011),
        (close_body(3000), 3000),
        (close_body(4999, "\u00e9".encode()), 4999),
    ],
)
def test_valid_close_is_echoed_and_wakes_the_waiter(
    serve: Callable[[Callable[[RawConnection], None]], RawServer], received: bytes, echoed: int | None
) -> None:
    server = serve(after_request(server_frame(CLOSE, received)))
    error = fails_at_once(server)
    assert error.reason.startswith("closed by the server")
    conn = server.connection()
    assert conn.wait_close() == (echoed, b"")
    assert len(conn.close_frames()) == 1


def test_close_1005_is_not_echoed(serve: Callable[[Callable[[RawConnection], None]], RawServer]) -> None:
    server = serve(after_request(server_frame(CLOSE, close_body(1005))))
    fails_at_once(server)
    conn = server.connection()
    assert conn.wait_close()[0] == 1002
    assert all(f.payload[:2] != close_body(1005) for f in conn.frames)


def test_invalid_utf8_wakes_the_waiter_after_earlier_answers_were_delivered(
    serve: Callable[[Callable[[RawConnection], None]], RawServer],
) -> None:
    def script(conn: RawConnection) -> None:
        first = conn.wait_request()
        conn.send(server_frame(TEXT, answer(first)))
        conn.wait_request()
        conn.send(server_frame(TEXT, b'{"id":"\xff","status":200,"result":{}}'))

    server = serve(script)
    with Client(server.url, timeout=10, reconnect=False) as client:
        assert type(client.ping()) is Empty
        started = time.monotonic()
        with pytest.raises(ConnectionClosedError, match="not UTF-8"):
            client.ping()
        assert time.monotonic() - started < PROMPT
    code, reason = server.connection().wait_close()
    assert code == 1007
    assert b"UTF-8" in reason


def test_every_waiter_is_woken_by_a_protocol_error(
    serve: Callable[[Callable[[RawConnection], None]], RawServer],
) -> None:
    def script(conn: RawConnection) -> None:
        for _ in range(4):
            conn.wait_request()
        conn.send(server_frame(7, b""))

    server = serve(script)
    errors: list[BaseException] = []
    with Client(server.url, timeout=10, reconnect=False) as client:
        started = time.monotonic()
        threads = [threading.Thread(target=_record_error, args=(client.ping, errors)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(PROMPT * 2)
        assert time.monotonic() - started < PROMPT
    assert [type(e) for e in errors] == [ConnectionClosedError] * 4
    assert server.connection().wait_close()[0] == 1002


def _record_error(call: Callable[[], object], errors: list[BaseException]) -> None:
    try:
        call()
    except BaseException as exc:
        errors.append(exc)


def test_a_101_naming_an_extension_not_offered_fails_the_connect() -> None:
    with RawServer(extra_headers={"Sec-WebSocket-Extensions": "permessage-deflate"}) as server:
        client = Client(server.url, timeout=10, reconnect=False)
        try:
            with pytest.raises(ConnectError, match="Sec-WebSocket-Extensions"):
                client.connect()
        finally:
            client.close()


def _answer_pings(conn: RawConnection) -> None:
    request = conn.wait_request()
    conn.send(server_frame(0x1, json.dumps({"id": request["id"], "status": 200, "result": {}}).encode()))


@pytest.mark.parametrize("piece", [1, 7, 64])
def test_a_101_answer_split_anywhere_still_opens_the_connection(piece: int) -> None:
    with RawServer(_answer_pings, answer_piece=piece) as server, Client(server.url, timeout=10) as c:
        result = c.ping()
        assert type(result) is Empty


def test_a_frame_in_the_same_write_as_the_101_reaches_the_reader() -> None:
    # The server pings before the client said anything; the pong proves the reader got
    # the bytes that came with the headers.
    ping = server_frame(0x9, b"right-after-101")
    server = RawServer(_answer_pings, after_answer=ping, answer_piece=5)
    with server, Client(server.url, timeout=10) as c:
        conn = server.connection()
        pong = conn.wait_for(lambda: next((f for f in conn.frames if f.opcode == 0xA), None))
        assert pong.payload == b"right-after-101"
        assert type(c.ping()) is Empty


def test_close_echo_and_reason_hold_under_cpu_contention(
    serve: Callable[[Callable[[RawConnection], None]], RawServer],
) -> None:
    # Two CPU-bound threads and two more senders contend for the GIL and the send lock
    # while the server closes; the echo must still go out and the reason name the code.
    stop = threading.Event()

    def burn() -> None:
        while not stop.is_set():
            sum(range(2000))

    burners = [threading.Thread(target=burn) for _ in range(2)]
    for t in burners:
        t.start()
    try:
        for _ in range(15):
            server = serve(after_request(server_frame(CLOSE, close_body(1001, b"going away"))))
            with Client(server.url, timeout=10, reconnect=False) as client:
                senders_done = threading.Event()

                def send_more(client: Client = client, senders_done: threading.Event = senders_done) -> None:
                    while not senders_done.is_set():
                        try:
                            client.ping(timeout=1)
                        except Exception:
                            return

                senders = [threading.Thread(target=send_more) for _ in range(2)]
                for t in senders:
                    t.start()
                # Whichever request the server read first, the connection ends with its close.
                with pytest.raises((ConnectionClosedError, ClientClosedError)):
                    client.ping()
                senders_done.set()
                for t in senders:
                    t.join(5)
                reason = client.last_disconnect_reason or ""
            assert reason == "closed by the server (code 1001: going away)", reason
            assert server.connection().wait_close() == (1001, b"")
            assert len(server.connection().close_frames()) == 1
    finally:
        stop.set()
        for t in burners:
            t.join(5)
