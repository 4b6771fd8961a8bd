"""The frame reader: any split of valid frames reassembles; anything RFC 6455 forbids raises
FrameError with the close code to fail with. Close frames to send are always valid."""

from __future__ import annotations

import pickle
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from raw_server import server_frame

from binance_ws import _framing
from binance_ws._framing import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONT,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    FrameError,
    FrameReader,
    client_frame,
    close_echo,
    close_frame,
    close_payload,
    handshake_problem,
    parse_close,
)


def unmask(frame: bytes) -> tuple[int, bytes]:
    b0, b1 = frame[0], frame[1]
    assert b0 & 0x80 and b1 & 0x80  # FIN and MASK set
    n, pos = b1 & 0x7F, 2
    if n == 126:
        (n,), pos = struct.unpack_from("!H", frame, 2), 4
    elif n == 127:
        (n,), pos = struct.unpack_from("!Q", frame, 2), 10
    key, data = frame[pos : pos + 4], frame[pos + 4 :]
    assert len(data) == n
    return b0 & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(data))


def refused(*frames: bytes) -> FrameError:
    """The FrameError that feeding ``frames`` (one feed each) raises."""
    reader = FrameReader()
    with pytest.raises(FrameError) as raised:
        for frame in frames:
            list(reader.feed(frame))
    assert type(raised.value) is FrameError
    return raised.value


sizes = st.sampled_from([0, 1, 125, 126, 127, 65535, 65536, 70000]) | st.integers(0, 300)
# ASCII, 2-, 3- and 4-byte characters: fragment cuts fall inside characters too.
ALPHABET = "a{}\u00e9\u20ac\U0001f600"


@settings(max_examples=60, deadline=None)
@given(
    messages=st.lists(
        st.tuples(sizes, st.integers(1, 3), st.booleans(), st.booleans()), min_size=1, max_size=6
    ),
    cuts=st.lists(st.integers(1, 4000), max_size=30),
)
def test_any_split_yields_the_messages(messages: list[tuple[int, int, bool, bool]], cuts: list[int]) -> None:
    stream = b""
    expected = []
    for i, (size, parts, ping_inside, text) in enumerate(messages):
        if text:
            payload = "".join(ALPHABET[(i + k) % len(ALPHABET)] for k in range(size)).encode()[:size]
            payload = payload.decode("utf-8", "ignore").encode()
        else:
            payload = bytes((i + k) % 251 for k in range(size))
        opcode = OP_TEXT if text else OP_BINARY
        n = len(payload)
        pieces = [payload[j * n // parts : (j + 1) * n // parts] for j in range(parts)]
        for j, piece in enumerate(pieces):
            stream += server_frame(opcode if j == 0 else OP_CONT, piece, fin=j == parts - 1)
            if ping_inside and j == 0:
                stream += server_frame(OP_PING, b"hb")
                expected.append((OP_PING, b"hb"))
        expected.append((opcode, payload))
    # A ping inside a fragmented message comes out before the message it interrupts.
    reader = FrameReader()
    got: list[tuple[int, bytes]] = []
    pos = 0
    for cut in [*cuts, len(stream)]:
        got.extend(reader.feed(stream[pos : pos + cut]))
        pos += cut
    got.extend(reader.feed(stream[pos:]))
    assert [type(p) for _, p in got] == [bytes] * len(got)
    assert sorted(got) == sorted(expected)
    assert [m for m in got if m[0] != OP_PING] == [m for m in expected if m[0] != OP_PING]


def test_pings_and_pongs_between_fragments_come_out_at_once() -> None:
    reader = FrameReader()
    first = list(reader.feed(server_frame(OP_TEXT, b'{"a":', fin=False) + server_frame(OP_PING, b"1")))
    assert first == [(OP_PING, b"1")]
    second = list(reader.feed(server_frame(OP_CONT, b"", fin=False) + server_frame(OP_PONG, b"2")))
    assert second == [(OP_PONG, b"2")]
    assert list(reader.feed(server_frame(OP_CONT, b"1}"))) == [(OP_TEXT, b'{"a":1}')]
    # The reader is back outside any message: a new one may start.
    assert list(reader.feed(server_frame(OP_TEXT, b"{}"))) == [(OP_TEXT, b"{}")]


@pytest.mark.parametrize("size", [0, 1, 125])
def test_control_frames_up_to_125_bytes_pass(size: int) -> None:
    payload = bytes(range(size))
    assert list(FrameReader().feed(server_frame(OP_PING, payload))) == [(OP_PING, payload)]
    # ... so a pong echoing any ping the reader yields is a valid frame.
    assert unmask(client_frame(OP_PONG, payload)) == (OP_PONG, payload)


PROTOCOL_ERRORS = {
    "ping of 126 bytes": [server_frame(OP_PING, b"p" * 126)],
    "pong of 65536 bytes": [server_frame(OP_PONG, b"p" * 65536)],
    "close of 126 bytes": [server_frame(OP_CLOSE, b"\x03\xe8" + b"r" * 124)],
    "fragmented ping": [server_frame(OP_PING, b"", fin=False)],
    "fragmented close": [server_frame(OP_CLOSE, b"\x03\xe8", fin=False)],
    **{f"opcode {op:#x}": [server_frame(op, b"")] for op in (*range(3, 8), *range(0xB, 0x10))},
    "text inside a message": [server_frame(OP_TEXT, b"a", fin=False), server_frame(OP_TEXT, b"b")],
    "binary inside a message": [server_frame(OP_BINARY, b"a", fin=False), server_frame(OP_BINARY, b"b")],
    "unfinished text inside a message": [
        server_frame(OP_TEXT, b"a", fin=False),
        server_frame(OP_TEXT, b"b", fin=False),
    ],
    "continuation without a start": [server_frame(OP_CONT, b"x")],
    "final continuation without a start": [server_frame(OP_CONT, b"", fin=False)],
    "continuation after a finished message": [server_frame(OP_TEXT, b"{}"), server_frame(OP_CONT, b"x")],
    **{f"rsv {rsv}": [server_frame(OP_TEXT, b"{}", rsv=rsv)] for rsv in range(1, 8)},
    "rsv on a ping": [server_frame(OP_PING, b"", rsv=4)],
    "masked text": [server_frame(OP_TEXT, b"{}", mask=True)],
    "masked ping": [server_frame(OP_PING, b"", mask=True)],
    "close of 1 byte": [server_frame(OP_CLOSE, b"\x03")],
    **{
        f"close code {code}": [server_frame(OP_CLOSE, struct.pack("!H", code))]
        for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1999, 2999, 5000, 65535)
    },
    "64-bit length with the top bit set": [server_frame(OP_BINARY, length=(1 << 63) + 5)],
}


@pytest.mark.parametrize("frames", PROTOCOL_ERRORS.values(), ids=PROTOCOL_ERRORS.keys())
def test_protocol_errors_raise_1002(frames: list[bytes]) -> None:
    error = refused(*frames)
    assert error.code == 1002
    assert error.reason == str(error) and error.reason


def test_header_errors_need_no_payload() -> None:
    # Refused from the header alone: nothing of a 126-byte ping (or 64 MiB) is buffered first.
    assert refused(server_frame(OP_PING, length=126)).code == 1002
    assert refused(server_frame(OP_TEXT, b"a", fin=False), server_frame(OP_TEXT, length=50)).code == 1002


INVALID_DATA = {
    "text not UTF-8": [server_frame(OP_TEXT, b'{"a":"\xff"}')],
    "truncated character": [server_frame(OP_TEXT, b'{"a":"\xe2\x82')],
    "overlong encoding": [server_frame(OP_TEXT, b"\xc0\xaf")],
    "surrogate": [server_frame(OP_TEXT, b"\xed\xa0\x80")],
    "beyond U+10FFFF": [server_frame(OP_TEXT, b"\xf4\x90\x80\x80")],
    "UTF-16 with its BOM": [server_frame(OP_TEXT, '["a"]'.encode("utf-16"))],
    "fragmented text not UTF-8": [
        server_frame(OP_TEXT, b"\xe2\x82", fin=False),
        server_frame(OP_CONT, b"\x28"),
    ],
    "close reason not UTF-8": [server_frame(OP_CLOSE, b"\x03\xe8\xff")],
}


@pytest.mark.parametrize("frames", INVALID_DATA.values(), ids=INVALID_DATA.keys())
def test_invalid_utf8_raises_1007(frames: list[bytes]) -> None:
    assert refused(*frames).code == 1007


def test_a_character_split_across_fragments_is_valid() -> None:
    euro = "\u20ac".encode()
    reader = FrameReader()
    got = list(reader.feed(server_frame(OP_TEXT, b'"' + euro[:1], fin=False)))
    got += reader.feed(server_frame(OP_CONT, euro[1:2], fin=False))
    got += reader.feed(server_frame(OP_CONT, euro[2:] + b'"'))
    assert got == [(OP_TEXT, b'"' + euro + b'"')]


def test_binary_is_not_checked_as_text() -> None:
    assert list(FrameReader().feed(server_frame(OP_BINARY, b"\xff"))) == [(OP_BINARY, b"\xff")]


def test_a_frame_announcing_more_than_the_cap_is_refused_from_its_header() -> None:
    cap = _framing.MAX_MESSAGE
    assert refused(server_frame(OP_TEXT, length=cap + 1)).code == 1009
    assert refused(server_frame(OP_BINARY, length=cap + 1, fin=False)).code == 1009
    # Exactly the cap is allowed: the header alone raises nothing.
    assert list(FrameReader().feed(server_frame(OP_TEXT, length=cap))) == []


def test_the_cap_counts_every_fragment_of_a_message() -> None:
    # 64 fragments of 1 MiB make exactly the cap; one more byte is a message too big, even
    # though each frame alone is small (a 70 MiB message in 1 MiB fragments).
    mib = b"x" * (1 << 20)
    reader = FrameReader()
    assert list(reader.feed(server_frame(OP_BINARY, mib, fin=False))) == []
    for _ in range(62):
        assert list(reader.feed(server_frame(OP_CONT, mib, fin=False))) == []
    assert list(reader.feed(server_frame(OP_CONT, mib[:-1], fin=False))) == []
    with pytest.raises(FrameError) as raised:
        list(reader.feed(server_frame(OP_CONT, length=2)))  # the header alone: 1 byte too many
    assert raised.value.code == 1009
    assert "67108865" in raised.value.reason


def test_the_cap_starts_again_with_each_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_framing, "MAX_MESSAGE", 10)
    reader = FrameReader()
    for _ in range(3):
        frames = server_frame(OP_TEXT, b"12345", fin=False) + server_frame(OP_CONT, b"67890")
        assert list(reader.feed(frames)) == [(OP_TEXT, b"1234567890")]
    list(reader.feed(server_frame(OP_TEXT, b"12345", fin=False)))
    with pytest.raises(FrameError) as raised:
        list(reader.feed(server_frame(OP_CONT, b"678901")))
    assert raised.value.code == 1009


def test_frames_before_an_error_are_yielded_first() -> None:
    reader = FrameReader()
    stream = server_frame(OP_TEXT, b"{}") + server_frame(OP_PING, b"p" * 126)
    got = []
    with pytest.raises(FrameError):
        for message in reader.feed(stream):
            got.append(message)
    assert got == [(OP_TEXT, b"{}")]


# -- close frames -------------------------------------------------------------------------


@pytest.mark.parametrize("code", [1000, 1001, 1002, 1003, *range(1007, 1015), 3000, 3999, 4000, 4999])
def test_codes_valid_on_the_wire_parse_and_echo(code: int) -> None:
    payload = struct.pack("!H", code) + "fin \u00e9".encode()
    assert parse_close(payload) == (code, "fin \u00e9")
    assert close_echo(payload) == struct.pack("!H", code)
    assert list(FrameReader().feed(server_frame(OP_CLOSE, payload))) == [(OP_CLOSE, payload)]


def test_a_close_without_code_is_answered_without_code() -> None:
    assert parse_close(b"") == (None, "")
    assert close_echo(b"") == b""  # never 1005, which no frame may carry
    assert unmask(close_frame()) == (OP_CLOSE, b"")


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"\x03", 1002),
        (b"\x03\xed", 1002),  # 1005
        (b"\x03\xee", 1002),  # 1006
        (b"\x03\xf7", 1002),  # 1015
        (b"\x03\xe8" + b"r" * 124, 1002),  # 126 bytes
        (b"\x03\xe8\xc3", 1007),
    ],
)
def test_invalid_close_payloads_raise(payload: bytes, code: int) -> None:
    with pytest.raises(FrameError) as parsed:
        parse_close(payload)
    assert parsed.value.code == code
    with pytest.raises(FrameError) as echoed:
        close_echo(payload)
    assert echoed.value.code == code


def test_close_frames_to_send_are_valid() -> None:
    assert unmask(close_frame(1002, "a masked frame")) == (OP_CLOSE, b"\x03\xeaa masked frame")
    assert unmask(close_frame(1009)) == (OP_CLOSE, b"\x03\xf1")
    # A long reason is cut to fit 125 bytes, at a character boundary, and still parses.
    payload = close_payload(1007, "\u20ac" * 100)
    assert len(payload) == 2 + 123
    assert parse_close(payload) == (1007, "\u20ac" * 41)
    assert close_payload(4000, "x" * 200) == b"\x0f\xa0" + b"x" * 123


@pytest.mark.parametrize("code", [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000])
def test_codes_that_may_not_travel_are_never_built(code: int) -> None:
    with pytest.raises(ValueError, match=f"code {code} may not be sent"):
        close_payload(code)


def test_a_reason_needs_a_code() -> None:
    with pytest.raises(ValueError, match="a reason needs a code"):
        close_payload(None, "bye")


def test_frame_error_carries_its_code_through_pickle() -> None:
    error = FrameError(1009, "too big")
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), back.code, back.reason, str(back)) == (FrameError, 1009, "too big", "too big")


# -- client frames and the handshake ------------------------------------------------------


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536])
def test_client_frames_are_masked_and_exact(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    frame = client_frame(OP_BINARY, payload)
    assert unmask(frame) == (OP_BINARY, payload)


def test_masking_keys_are_never_reused() -> None:
    # More frames than one bulk read of keys holds: each key still appears once.
    keys = {client_frame(OP_TEXT, b"x")[2:6] for _ in range(3000)}
    assert len(keys) > 2990  # 4-byte random keys: a collision among 3000 is ~0.1 % likely


def test_handshake_problem_names_what_was_never_offered() -> None:
    ok = {"upgrade": "websocket", "connection": "Upgrade", "sec-websocket-accept": "x"}
    assert handshake_problem(ok) is None
    assert handshake_problem({**ok, "Sec-WebSocket-Extensions": " "}) is None
    problem = handshake_problem({**ok, "Sec-WebSocket-Extensions": "permessage-deflate"})
    assert problem is not None and "permessage-deflate" in problem
    problem = handshake_problem({**ok, "sec-websocket-protocol": "chat"})
    assert problem is not None and "Sec-WebSocket-Protocol" in problem
    assert handshake_problem({**ok, "sec-websocket-protocol": "Chat"}, subprotocols=["chat"]) is None
