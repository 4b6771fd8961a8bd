"""WebSocket frames (RFC 6455) on the hot path: a buffered reader and a client frame builder.

websocket-client opens the connection (handshake, TLS, proxies); after that the reader
thread parses frames itself, from one ``recv_into`` of up to 256 KiB at a time, so a burst of
answers costs one system call instead of two or three per frame, and sending builds a frame
in one ``sendall``. Only what a client needs: servers never mask, and no extension is
negotiated.

The reader checks what RFC 6455 asks a client to check and raises :class:`FrameError` with
the close code to fail the connection with (1002 protocol error, 1007 text not UTF-8, 1009
message too big); :func:`close_payload` and :func:`close_echo` build the close frames to
send, so that the transport never sends an invalid one.
"""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Collection, Iterator, Mapping

__all__ = [
    "CLOSE_INVALID_DATA",
    "CLOSE_NORMAL",
    "CLOSE_PROTOCOL_ERROR",
    "CLOSE_TOO_BIG",
    "CONTROL_MAX",
    "MAX_MESSAGE",
    "OP_BINARY",
    "OP_CLOSE",
    "OP_CONT",
    "OP_PING",
    "OP_PONG",
    "OP_TEXT",
    "FrameError",
    "FrameReader",
    "client_frame",
    "close_echo",
    "close_frame",
    "close_payload",
    "handshake_problem",
    "parse_close",
]

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
# Larger than any Binance answer in one frame is not needed: frames span reads as they come.
RECV_CHUNK = 256 * 1024
# exchangeInfo with every symbol is a few MB; a message (all its fragments) far beyond is a
# broken or hostile stream.
MAX_MESSAGE = 64 * 1024 * 1024
# RFC 6455 5.5: a control frame carries at most 125 bytes, so a pong echoing a ping's
# payload, and a close reason (after its 2-byte code), always fit.
CONTROL_MAX = 125

CLOSE_NORMAL = 1000
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_INVALID_DATA = 1007
CLOSE_TOO_BIG = 1009
# RFC 6455 7.4 and the IANA registry: the codes a close frame may carry. 1004 is reserved;
# 1005, 1006 and 1015 only report locally what happened and never travel; 1016-2999 are
# unassigned (3000-4999 belong to libraries and applications).
_WIRE_CLOSE_CODES = frozenset((1000, 1001, 1002, 1003, *range(1007, 1015), *range(3000, 5000)))
_FIN_TEXT = 0x80 | OP_TEXT
# From this payload size on, copying out through a memoryview is cheaper than a slice.
_VIEW_FROM = 16 * 1024


class FrameError(Exception):
    """The server broke RFC 6455: the connection must fail with close ``code`` (1002, 1007, 1009).

    ``reason`` says what was wrong, in words fit for a close frame and a log line.

    Example::

        >>> err = FrameError(CLOSE_PROTOCOL_ERROR, "the server sent a masked frame")
        >>> err.code, str(err)
        (1002, 'the server sent a masked frame')
    """

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.code, self.reason))


class FrameReader:
    r"""Turns received bytes into complete messages: ``feed(data)`` yields ``(opcode, payload)``.

    Fragmented messages are reassembled (their opcode is the first fragment's); control
    frames (ping, pong, close) may arrive between fragments and are yielded at once.

    Everything yielded is valid, so the caller may answer it without checking: a text
    message is UTF-8, a control payload has at most ``CONTROL_MAX`` bytes (a pong echoing a
    ping is always a valid frame), a close payload passes :func:`parse_close`. Anything else
    raises :class:`FrameError` with the close code the connection must fail with; the
    reader is then unusable, as the connection is.

    Example::

        >>> reader = FrameReader()
        >>> list(reader.feed(b"\x01\x02{}\x89\x02hb\x80\x01 "))  # "{", a ping, "} "
        [(9, b'hb'), (1, b'{} ')]
        >>> list(reader.feed(b"\x89\x7e\x00\x7e"))  # a ping announcing 126 bytes
        Traceback (most recent call last):
        ...
        binance_ws._framing.FrameError: a control frame of 126 bytes (at most 125 are allowed)
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._parts: list[bytes] = []
        # The opcode of the fragmented message in progress (0: none) and its size so far.
        self._part_opcode = 0
        self._part_size = 0

    def feed(self, data: bytes | bytearray | memoryview) -> Iterator[tuple[int, bytes]]:
        buf = self._buf
        buf += data
        pos = 0
        end = len(buf)
        try:
            while end - pos >= 2:
                b0 = buf[pos]
                length = buf[pos + 1]
                if length & 0x80:
                    raise FrameError(CLOSE_PROTOCOL_ERROR, "the server sent a masked frame")
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
                # Checked from the header alone, before waiting for (or buffering) a payload.
                if b0 != _FIN_TEXT or self._part_opcode:
                    self._check_header(b0, length)
                elif length > MAX_MESSAGE:
                    raise _too_big(length)
                stop = pos + head + length
                if stop > end:
                    break
                if length < _VIEW_FROM:
                    payload = bytes(buf[pos + head : stop])
                else:  # one copy, not two (and big ones would fault in fresh pages twice)
                    with memoryview(buf) as view:
                        payload = bytes(view[pos + head : stop])
                pos = stop
                if b0 == _FIN_TEXT:  # the hot path: one whole text message
                    if not payload.isascii():
                        _check_utf8(payload)
                    yield OP_TEXT, payload
                    continue
                opcode = b0 & 0x0F
                if opcode >= OP_CLOSE:
                    if opcode == OP_CLOSE:
                        parse_close(payload)
                    yield opcode, payload
                    continue
                if opcode != OP_CONT:
                    self._part_opcode = opcode
                self._parts.append(payload)
                self._part_size += length
                if b0 & 0x80:
                    message = b"".join(self._parts)
                    opcode = self._part_opcode
                    self._parts = []
                    self._part_opcode = self._part_size = 0
                    if opcode == OP_TEXT and not message.isascii():
                        _check_utf8(message)
                    yield opcode, message
        finally:
            if pos:
                del buf[:pos]

    def _check_header(self, b0: int, length: int) -> None:
        """Raise FrameError for a header no server may send at this point of the stream."""
        if b0 & 0x70:
            raise FrameError(
                CLOSE_PROTOCOL_ERROR, "the server set reserved bits (no extension was negotiated)"
            )
        opcode = b0 & 0x0F
        if opcode >= OP_CLOSE:
            if opcode > OP_PONG:
                raise FrameError(
                    CLOSE_PROTOCOL_ERROR, f"the server sent a frame with reserved opcode {opcode:#x}"
                )
            if length > CONTROL_MAX:
                raise FrameError(
                    CLOSE_PROTOCOL_ERROR,
                    f"a control frame of {length} bytes (at most {CONTROL_MAX} are allowed)",
                )
            if not b0 & 0x80:
                raise FrameError(CLOSE_PROTOCOL_ERROR, "a fragmented control frame")
        elif opcode == OP_CONT:
            if not self._part_opcode:
                raise FrameError(CLOSE_PROTOCOL_ERROR, "a continuation frame without a first fragment")
            if length > MAX_MESSAGE - self._part_size:
                raise _too_big(self._part_size + length)
        elif opcode > OP_BINARY:
            raise FrameError(
                CLOSE_PROTOCOL_ERROR, f"the server sent a frame with reserved opcode {opcode:#x}"
            )
        elif self._part_opcode:
            raise FrameError(CLOSE_PROTOCOL_ERROR, "a new message started inside a fragmented message")
        elif length > MAX_MESSAGE:
            raise _too_big(length)


def _too_big(size: int) -> FrameError:
    if size >> 63:  # RFC 6455 5.2: the most significant bit of a 64-bit length must be 0
        return FrameError(CLOSE_PROTOCOL_ERROR, "a frame length with its most significant bit set")
    return FrameError(CLOSE_TOO_BIG, f"a message of {size} bytes or more (at most {MAX_MESSAGE} are allowed)")


def _check_utf8(payload: bytes) -> None:
    # Only for payloads that are not pure ASCII (isascii is several times cheaper than a
    # decode): the JSON decoders validate UTF-8 too, but a failure there cannot be told apart
    # from bad JSON, and the stdlib's would even accept UTF-16.
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError(
            CLOSE_INVALID_DATA, f"a text message that is not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None


def parse_close(payload: bytes) -> tuple[int | None, str]:
    r"""The code (None when absent) and reason of a received close frame's payload.

    Raises FrameError: 1002 for a 1-byte payload, an over-long one, or a code that may not
    travel (1005, 1006, 1015, reserved or unassigned ones); 1007 for a reason not UTF-8.

    Example::

        >>> parse_close(b"\x03\xe8bye"), parse_close(b"")
        ((1000, 'bye'), (None, ''))
        >>> parse_close(b"\x03\xed")
        Traceback (most recent call last):
        ...
        binance_ws._framing.FrameError: the server sent close code 1005, which no close frame may carry
    """
    n = len(payload)
    if not n:
        return None, ""
    if n == 1:
        raise FrameError(CLOSE_PROTOCOL_ERROR, "a close frame with a 1-byte payload (a code takes 2)")
    if n > CONTROL_MAX:
        raise FrameError(
            CLOSE_PROTOCOL_ERROR, f"a close frame of {n} bytes (at most {CONTROL_MAX} are allowed)"
        )
    code = (payload[0] << 8) | payload[1]
    if code not in _WIRE_CLOSE_CODES:
        raise FrameError(
            CLOSE_PROTOCOL_ERROR, f"the server sent close code {code}, which no close frame may carry"
        )
    try:
        reason = payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        raise FrameError(CLOSE_INVALID_DATA, "a close reason that is not UTF-8") from None
    return code, reason


def close_payload(code: int | None = None, reason: str = "") -> bytes:
    r"""The payload of a close frame to send: empty without a code, else code and reason.

    The reason is cut to the 123 bytes a control frame leaves for it, at a character
    boundary. Raises ValueError for a code no close frame may carry (1005 among them).

    Example::

        >>> close_payload(1002, "bad frame"), close_payload()
        (b'\x03\xeabad frame', b'')
    """
    if code is None:
        if reason:
            raise ValueError("close_payload: a reason needs a code; pass code= as well")
        return b""
    if code not in _WIRE_CLOSE_CODES:
        raise ValueError(f"close_payload: code {code} may not be sent; use 1000-1003, 1007-1014 or 3000-4999")
    raw = reason.encode("utf-8")
    if len(raw) > CONTROL_MAX - 2:
        raw = raw[: CONTROL_MAX - 2].decode("utf-8", "ignore").encode("utf-8")
    return struct.pack("!H", code) + raw


def close_echo(payload: bytes) -> bytes:
    r"""The close payload answering a received one: its code echoed, or empty when it had none.

    A received close without a code is answered without one (1005 "no status" is a local
    report and never sent). Raises FrameError as :func:`parse_close` does: then fail the
    connection with ``close_payload(exc.code, exc.reason)`` instead.

    Example::

        >>> close_echo(b"\x03\xe9going away"), close_echo(b"")
        (b'\x03\xe9', b'')
    """
    code, _ = parse_close(payload)
    return close_payload(code)


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
    """One complete, masked client frame (FIN set) carrying ``payload``.

    A pong may echo any payload the reader yielded for a ping: it is at most 125 bytes.
    """
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    key = _mask_keys.take()
    return head + key + _mask(key, payload)


def close_frame(code: int | None = None, reason: str = "") -> bytes:
    """A complete, masked client close frame; see :func:`close_payload` for the rules.

    Example::

        >>> frame = close_frame(1009, "too big")
        >>> frame[0], frame[1] & 0x7F  # FIN + close, and 2 + 7 payload bytes (masked)
        (136, 9)
    """
    return client_frame(OP_CLOSE, close_payload(code, reason))


def handshake_problem(headers: Mapping[str, str], *, subprotocols: Collection[str] = ()) -> str | None:
    """Why RFC 6455 4.1 makes the client refuse this 101 answer, or None when it is fine.

    websocket-client checks Upgrade, Connection and Sec-WebSocket-Accept (and the protocol
    only when one was asked for) but not extensions: a server naming one the client never
    offered (it offers none) would then set RSV bits the reader refuses mid-stream.

    Example::

        >>> handshake_problem({"sec-websocket-extensions": "permessage-deflate"})
        "the server named extensions the client never offered (Sec-WebSocket-Extensions: 'permessage-deflate')"
        >>> handshake_problem({"upgrade": "websocket"}) is None
        True
    """
    found = {name.lower(): value.strip() for name, value in headers.items()}
    extensions = found.get("sec-websocket-extensions")
    if extensions:
        return f"the server named extensions the client never offered (Sec-WebSocket-Extensions: {extensions[:80]!r})"
    protocol = found.get("sec-websocket-protocol")
    if protocol and protocol.lower() not in {p.lower() for p in subprotocols}:
        return f"the server chose a protocol the client never offered (Sec-WebSocket-Protocol: {protocol[:80]!r})"
    return None
