"""WebSocket frames (RFC 6455) on the hot path: a buffered reader and a client frame builder.

websocket-client opens the connection (handshake, TLS, proxies); after that the reader
thread parses frames itself, from one ``recv_into`` of up to 256 KiB at a time, so a burst of
answers costs one system call instead of two or three per frame, and sending builds a frame
in one ``sendall``. Only what a client needs: servers never mask, and no extension is
negotiated.
"""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Iterator

__all__ = [
    "OP_BINARY",
    "OP_CLOSE",
    "OP_CONT",
    "OP_PING",
    "OP_PONG",
    "OP_TEXT",
    "FrameError",
    "FrameReader",
    "client_frame",
]

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
# Larger than any Binance answer in one frame is not needed: frames span reads as they come.
RECV_CHUNK = 256 * 1024
# exchangeInfo with every symbol is a few MB; anything far beyond is a broken stream.
MAX_MESSAGE = 64 * 1024 * 1024


class FrameError(Exception):
    """The byte stream is not a valid sequence of server frames."""


class FrameReader:
    """Turns received bytes into complete messages: ``feed(data)`` yields ``(opcode, payload)``.

    Fragmented messages are reassembled (their opcode is the first fragment's); control
    frames (ping, pong, close) may arrive between fragments and are yielded at once.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._parts: list[bytes] = []
        self._part_opcode = 0

    def feed(self, data: bytes | bytearray | memoryview) -> Iterator[tuple[int, bytes]]:
        buf = self._buf
        buf += data
        pos = 0
        end = len(buf)
        try:
            while end - pos >= 2:
                b0 = buf[pos]
                b1 = buf[pos + 1]
                if b1 & 0x80:
                    raise FrameError("the server sent a masked frame")
                if b0 & 0x70:
                    raise FrameError("the server set reserved bits (no extension was negotiated)")
                length = b1 & 0x7F
                head = 2
                if length == 126:
                    if end - pos < 4:
                        break
                    length = (buf[pos + 2] << 8) | buf[pos + 3]
                    head = 4
                elif length == 127:
                    if end - pos < 10:
                        break
                    (length,) = struct.unpack_from("!Q", buf, pos + 2)
                    head = 10
                if length > MAX_MESSAGE:
                    raise FrameError(f"a frame of {length} bytes is larger than any answer")
                stop = pos + head + length
                if stop > end:
                    break
                payload = bytes(buf[pos + head : stop])
                pos = stop
                opcode = b0 & 0x0F
                if opcode >= OP_CLOSE:
                    yield opcode, payload
                    continue
                fin = b0 & 0x80
                if opcode == OP_CONT:
                    if not self._parts:
                        raise FrameError("a continuation frame without a first fragment")
                    self._parts.append(payload)
                    if fin:
                        message = b"".join(self._parts)
                        self._parts = []
                        yield self._part_opcode, message
                elif fin:
                    yield opcode, payload
                else:
                    self._parts = [payload]
                    self._part_opcode = opcode
        finally:
            if pos:
                del buf[:pos]


def _mask(key: bytes, data: bytes) -> bytes:
    # XOR through one big integer: far faster in CPython than a loop over bytes.
    n = len(data)
    if not n:
        return data
    repeated = (key * ((n >> 2) + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(repeated, "little")).to_bytes(n, "little")


class _MaskKeys:
    """Fresh 4-byte masking keys from the OS's CSPRNG, drawn 4 KiB at a time.

    RFC 6455 wants each key unpredictable; reading them in bulk keeps that (every key is
    used once) while sparing a ``getrandom`` system call per frame.
    """

    _BULK = 4096

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        # Also the fork hook: a child must not reuse its parent's pool (nor a held lock).
        self._lock = threading.Lock()
        self._pool = b""
        self._at = 0

    def take(self) -> bytes:
        with self._lock:
            at = self._at
            if at >= len(self._pool):
                self._pool = os.urandom(self._BULK)
                at = 0
            self._at = at + 4
            return self._pool[at : at + 4]


_mask_keys = _MaskKeys()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_mask_keys.reset)


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One complete, masked client frame (FIN set) carrying ``payload``."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    key = _mask_keys.take()
    return head + key + _mask(key, payload)
