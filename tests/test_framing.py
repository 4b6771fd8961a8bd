"""The frame reader reassembles any split of any frame sequence; client frames are masked."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from binance_ws._framing import (
    OP_BINARY,
    OP_CONT,
    OP_PING,
    OP_TEXT,
    FrameError,
    FrameReader,
    client_frame,
)


def server_frame(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    n = len(payload)
    first = (0x80 if fin else 0) | opcode
    if n < 126:
        head = bytes((first, n))
    elif n < 65536:
        head = struct.pack("!BBH", first, 126, n)
    else:
        head = struct.pack("!BBQ", first, 127, n)
    return head + payload


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


sizes = st.sampled_from([0, 1, 125, 126, 127, 65535, 65536, 70000]) | st.integers(0, 300)


@settings(max_examples=60, deadline=None)
@given(
    messages=st.lists(st.tuples(sizes, st.integers(1, 3), st.booleans()), min_size=1, max_size=6),
    cuts=st.lists(st.integers(1, 4000), max_size=30),
)
def test_any_split_yields_the_messages(messages: list[tuple[int, int, bool]], cuts: list[int]) -> None:
    stream = b""
    expected = []
    for i, (size, parts, ping_inside) in enumerate(messages):
        payload = bytes((i + k) % 251 for k in range(size))
        pieces = [payload[j * size // parts : (j + 1) * size // parts] for j in range(parts)]
        for j, piece in enumerate(pieces):
            stream += server_frame(OP_TEXT if j == 0 else OP_CONT, piece, fin=j == parts - 1)
            if ping_inside and j == 0:
                stream += server_frame(OP_PING, b"hb")
                expected.append((OP_PING, b"hb"))
        expected.append((OP_TEXT, payload))
    # A ping inside a fragmented message comes out before the message it interrupts.
    reader = FrameReader()
    got: list[tuple[int, bytes]] = []
    pos = 0
    for cut in [*cuts, len(stream)]:
        got.extend(reader.feed(stream[pos : pos + cut]))
        pos += cut
    got.extend(reader.feed(stream[pos:]))
    assert sorted(got, key=lambda m: (m[0], m[1])) == sorted(expected, key=lambda m: (m[0], m[1]))
    assert [m for m in got if m[0] == OP_TEXT] == [m for m in expected if m[0] == OP_TEXT]


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536])
def test_client_frames_are_masked_and_exact(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    frame = client_frame(OP_BINARY, payload)
    assert unmask(frame) == (OP_BINARY, payload)


def test_masked_server_frame_is_refused() -> None:
    with pytest.raises(FrameError, match="masked"):
        list(FrameReader().feed(bytes((0x81, 0x80 | 1)) + b"abcd" + b"x"))


def test_continuation_without_start_is_refused() -> None:
    with pytest.raises(FrameError, match="continuation"):
        list(FrameReader().feed(server_frame(OP_CONT, b"x")))


def test_masking_keys_are_never_reused() -> None:
    # More frames than one bulk read of keys holds: each key still appears once.
    keys = {client_frame(OP_TEXT, b"x")[2:6] for _ in range(3000)}
    assert len(keys) > 2990  # 4-byte random keys: a collision among 3000 is ~0.1 % likely
