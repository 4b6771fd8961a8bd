"""A scripted raw WebSocket server on 127.0.0.1: it sends bytes no sane server would send.

It performs the opening handshake itself (so the 101 answer can carry any header), then runs
``script(conn)`` on its own thread while another thread records every frame the client sends
(unmasked, with its FIN and MASK bits). Tests wait on those records with deadlines.

    def script(conn: RawConnection) -> None:
        conn.wait_request()                        # the client's request frame
        conn.send(server_frame(0x9, b"x" * 126))   # a ping too long to be legal

    with RawServer(script) as server, Client(server.url, timeout=10) as client:
        ...
        code, reason = server.connection().wait_close()
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, NamedTuple

__all__ = ["ClientFrame", "RawConnection", "RawServer", "server_frame"]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_WAIT = 5.0
_MAX_HEADERS = 64 * 1024


def server_frame(
    opcode: int,
    payload: bytes = b"",
    *,
    fin: bool = True,
    rsv: int = 0,
    mask: bool = False,
    length: int | None = None,
) -> bytes:
    """One server frame, legal or not: ``rsv`` (0-7) sets RSV1-3, ``length`` overrides the header's.

    With ``length`` the header announces that many bytes whatever ``payload`` holds, so a test
    can announce 64 MiB and send none of it.
    """
    n = len(payload) if length is None else length
    first = (0x80 if fin else 0) | (rsv & 7) << 4 | opcode & 0x0F
    mask_bit = 0x80 if mask else 0
    if n < 126:
        head = bytes((first, mask_bit | n))
    elif n < 65536:
        head = struct.pack("!BBH", first, mask_bit | 126, n)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, n)
    if mask:
        key = b"\x01\x02\x03\x04"
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        return head + key + payload
    return head + payload


class ClientFrame(NamedTuple):
    """One frame as the client sent it, payload unmasked."""

    opcode: int
    payload: bytes
    fin: bool
    masked: bool
    rsv: int


class RawConnection:
    """One accepted connection: raw sends, and the client's frames as they arrive."""

    def __init__(self, sock: socket.socket, request_headers: dict[str, str]) -> None:
        self.sock = sock
        self.request_headers = request_headers
        self.frames: list[ClientFrame] = []
        self.eof = False
        self.answer_close = True  # False: leave the client's close unanswered
        self._changed = threading.Condition()
        self._send_lock = threading.Lock()
        self._requests_seen = 0
        #: Starts recording the client's frames (at once unless the server has reading=False).
        self.start_reading: Callable[[], None] = lambda: None

    def send(self, data: bytes) -> None:
        with self._send_lock:
            self.sock.sendall(data)

    def wait_for(self, what: Callable[[], Any], timeout: float = _WAIT) -> Any:
        """The first truthy ``what()`` (called under the lock), or AssertionError at the deadline."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = what()
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"nothing matched within {timeout} s; frames: {self.frames!r}")
                self._changed.wait(left)

    def wait_request(self, timeout: float = _WAIT) -> dict[str, Any]:
        """The next text frame the client sent, decoded as JSON (one call per request)."""

        def next_request() -> dict[str, Any] | None:
            texts = [f for f in self.frames if f.opcode == 0x1]
            if len(texts) > self._requests_seen:
                self._requests_seen += 1
                request: dict[str, Any] = json.loads(texts[self._requests_seen - 1].payload)
                return request
            return None

        request: dict[str, Any] = self.wait_for(next_request, timeout)
        return request

    def close_frames(self) -> list[ClientFrame]:
        return [f for f in self.frames if f.opcode == 0x8]

    def wait_close(self, timeout: float = _WAIT) -> tuple[int | None, bytes]:
        """The client's close frame: its code (None for an empty payload) and raw reason."""
        frame: ClientFrame = self.wait_for(lambda: next(iter(self.close_frames()), None), timeout)
        if not frame.payload:
            return None, b""
        return int.from_bytes(frame.payload[:2], "big"), frame.payload[2:]

    def wait_eof(self, timeout: float = _WAIT) -> None:
        """Wait until the client closed its end of the TCP connection."""
        self.wait_for(lambda: self.eof, timeout)

    def _record(self) -> None:
        buf = bytearray()
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                buf += data
                while (frame := _parse_client_frame(buf)) is not None:
                    with self._changed:
                        self.frames.append(frame)
                        self._changed.notify_all()
                    # As a server should: answer the close, then end the TCP connection
                    # (not while the script is mid-write: frames must not interleave).
                    if frame.opcode == 0x8 and self.answer_close and self._send_lock.acquire(False):
                        try:
                            self.sock.sendall(server_frame(0x8, frame.payload[:2]))
                            self.sock.shutdown(socket.SHUT_WR)
                        finally:
                            self._send_lock.release()
        except OSError:
            pass
        with self._changed:
            self.eof = True
            self._changed.notify_all()


def _parse_client_frame(buf: bytearray) -> ClientFrame | None:
    """Take one whole frame off the front of ``buf``, or None when it is not all there."""
    if len(buf) < 2:
        return None
    b0, b1 = buf[0], buf[1]
    n, pos = b1 & 0x7F, 2
    if n == 126:
        if len(buf) < 4:
            return None
        (n,), pos = struct.unpack_from("!H", buf, 2), 4
    elif n == 127:
        if len(buf) < 10:
            return None
        (n,), pos = struct.unpack_from("!Q", buf, 2), 10
    masked = bool(b1 & 0x80)
    key_end = pos + (4 if masked else 0)
    if len(buf) < key_end + n:
        return None
    data = bytes(buf[key_end : key_end + n])
    if masked:
        key = (bytes(buf[pos:key_end]) * (n // 4 + 1))[:n]
        data = (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")
    del buf[: key_end + n]
    return ClientFrame(b0 & 0x0F, data, bool(b0 & 0x80), masked, (b0 >> 4) & 7)


class RawServer:
    """Accepts connections on 127.0.0.1 and runs ``script`` on each after the handshake.

    ``extra_headers`` go into the 101 answer as given (e.g. a ``Sec-WebSocket-Extensions``
    the client never offered). ``answer_piece`` > 0 sends the answer in writes of that many
    bytes, one every millisecond (lines arrive split); ``after_answer`` goes out in the same
    write as the answer's last bytes (a frame the client must find after the headers). An
    exception in ``script`` is kept in ``errors``.
    ``reading=False``: nothing is read after the handshake until ``conn.start_reading()``;
    with a small ``recv_buffer`` (SO_RCVBUF) that is a server that stopped reading.
    """

    def __init__(
        self,
        script: Callable[[RawConnection], None] | None = None,
        *,
        extra_headers: dict[str, str] | None = None,
        answer_piece: int = 0,
        after_answer: bytes = b"",
        reading: bool = True,
        recv_buffer: int | None = None,
    ) -> None:
        self._script = script
        self._extra_headers = extra_headers or {}
        self._answer_piece = answer_piece
        self._after_answer = after_answer
        self._reading = reading
        self.connections: list[RawConnection] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._listener = socket.create_server(("127.0.0.1", 0))
        if recv_buffer is not None:  # accepted sockets inherit it: a server slow to take data
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, recv_buffer)
        self._listener.settimeout(0.2)
        self.url = f"ws://127.0.0.1:{self._listener.getsockname()[1]}/ws-api/v3"
        self._start(self._accept, "raw-server-accept")

    def _start(self, target: Callable[..., None], name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def connection(self, index: int = 0, timeout: float = _WAIT) -> RawConnection:
        """The ``index``-th connection once its handshake is done."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.connections) <= index:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no connection #{index} within {timeout} s")
                self._lock.wait(left)
            return self.connections[index]

    def _accept(self) -> None:
        while not self._closed:
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._start(self._serve, "raw-server-conn", sock)

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(_WAIT)
        try:
            headers = self._handshake(sock)
        except (OSError, ValueError) as exc:
            self.errors.append(exc)
            sock.close()
            return
        # Bounds every recv and every whole sendall; close() wakes a waiting recv at once.
        sock.settimeout(30.0)
        conn = RawConnection(sock, headers)
        with self._lock:
            self.connections.append(conn)
            self._lock.notify_all()
        conn.start_reading = lambda: self._start(conn._record, "raw-server-record")
        if self._reading:
            conn.start_reading()
        if self._script is not None:
            try:
                self._script(conn)
            except BaseException as exc:
                self.errors.append(exc)

    def _handshake(self, sock: socket.socket) -> dict[str, str]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk or len(data) > _MAX_HEADERS:
                raise ValueError("no complete handshake request")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        if rest:  # a client waits for the 101 before it sends a frame
            raise ValueError("bytes after the handshake request")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        key = headers["sec-websocket-key"].encode()
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest()).decode()
        answer = [
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Accept: {accept}",
            *(f"{k}: {v}" for k, v in self._extra_headers.items()),
        ]
        data = ("\r\n".join(answer) + "\r\n\r\n").encode("latin-1") + self._after_answer
        piece = self._answer_piece or len(data)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for start in range(0, len(data), piece):
            if start:
                time.sleep(0.001)
            sock.sendall(data[start : start + piece])
        return headers

    def close(self) -> None:
        self._closed = True
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept() at once on Linux
        except OSError:
            pass  # elsewhere accept() notices within its 0.2 s timeout
        self._listener.close()
        for conn in list(self.connections):
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)  # wakes the recording thread
            except OSError:
                pass
        for thread in list(self._threads):
            thread.join(_WAIT)
        for conn in self.connections:
            conn.sock.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
