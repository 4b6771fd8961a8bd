"""The websocket connection: the only module that imports ``websocket`` (websocket-client).

websocket-client opens the connection (URL, TLS, proxies, handshake). After that this module
moves the frames itself (see ``_framing``). Sending: each caller builds its masked frame and
puts it in the outbox; whichever thread holds the send lock writes everything queued in one
``sendall`` (frames from many threads never interleave, and a burst from many threads costs
one system call, not one each plus a queue of threads on the lock). One daemon reader thread,
``binance-ws-reader-N``, is the only one that receives. It answers server pings at once and
hands every text message to ``on_text`` without ever waiting on user code. When it stops, for
whatever reason, it calls ``on_lost`` exactly once with a short reason, so the client can wake
every pending caller.
"""

from __future__ import annotations

import collections
import itertools
import logging
import socket
import ssl
import struct
import sys
import threading
from collections.abc import Callable

import websocket

from ._errors import ConnectError, ConnectionClosedError
from ._framing import (
    OP_BINARY,
    OP_CLOSE,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    RECV_CHUNK,
    FrameError,
    FrameReader,
    client_frame,
    close_echo,
    close_payload,
)

logger = logging.getLogger(__name__)

__all__ = ["Transport"]

# Binance pings every 20 s and drops a silent peer after a minute; a minute without any
# frame from the server (pings included) means the link is dead even if TCP has not noticed.
READ_IDLE_LIMIT = 60.0
# A graceful close waits this long for the server's close frame before cutting the socket.
CLOSE_HANDSHAKE_WAIT = 1.0
# How long close() waits for the reader thread after cutting the socket.
READER_JOIN_LIMIT = 3.0
# Kernel-level socket timeouts keep the socket in blocking mode: Python's own timeout would
# poll() before every recv and send, a measurable cost per request on loopback.
_KERNEL_TIMEOUTS = sys.platform.startswith(("linux", "darwin"))

_reader_numbers = itertools.count(1)
_IDLE_ERRORS = (TimeoutError, BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError)


def _limit_socket(sock: socket.socket, seconds: float) -> None:
    """Make receive and send give up after ``seconds`` of silence."""
    if _KERNEL_TIMEOUTS:
        sock.settimeout(None)
        whole = int(seconds)
        value = struct.pack("ll", whole, int((seconds - whole) * 1_000_000))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)
    else:
        sock.settimeout(seconds)


class Transport:
    """One websocket connection with its reader thread."""

    def __init__(
        self,
        url: str,
        *,
        on_text: Callable[[bytes], None],
        on_lost: Callable[[str], None],
        connect_timeout: float,
        read_idle_limit: float = READ_IDLE_LIMIT,
    ) -> None:
        self.url = url
        self._on_text = on_text
        self._on_lost = on_lost
        self._connect_timeout = connect_timeout
        self._read_idle_limit = read_idle_limit
        self._ws = websocket.WebSocket(skip_utf8_validation=True, enable_multithread=True)
        self._sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._outbox: collections.deque[bytes] = collections.deque()
        self._send_error: str | None = None
        self._reader: threading.Thread | None = None
        self._stopping = False
        self._lost_once = threading.Lock()
        self._lost = False

    def connect(self) -> None:
        """Open the connection and start the reader thread; raises ConnectError on failure."""
        try:
            self._ws.connect(self.url, timeout=self._connect_timeout)
        except websocket.WebSocketBadStatusException as exc:
            raise ConnectError(f"handshake with {self.url} refused: HTTP {exc.status_code}") from exc
        except (websocket.WebSocketException, OSError) as exc:
            raise ConnectError(f"cannot connect to {self.url}: {exc}") from exc
        sock = self._ws.sock
        if sock is None:
            raise ConnectError(f"cannot connect to {self.url}: no socket after the handshake")
        _limit_socket(sock, self._read_idle_limit)
        # Requests are small and latency-bound: never let Nagle hold one back.
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # not a TCP socket (e.g. a proxy's): nothing to tune
            pass
        self._sock = sock
        self._reader = threading.Thread(
            target=self._run, name=f"binance-ws-reader-{next(_reader_numbers)}", daemon=True
        )
        self._reader.start()

    def send(self, payload: bytes, *, method: str, request_id: object) -> None:
        """Send one text frame carrying UTF-8 ``payload``; raises ConnectionClosedError if the link is gone.

        The frame may go out in a batch written by another sending thread. ``sent=False`` on
        the error means this frame certainly did not reach the server whole (an incomplete
        frame is never executed); if another thread's write fails, this call returns and
        the loss of the connection wakes the caller's pending slot instead.
        """
        frame = client_frame(OP_TEXT, payload)
        if self._sock is None or self._send_error is not None or self._lost:
            reason = self._send_error or ("connection lost" if self._lost else "not connected")
            raise ConnectionClosedError(reason, method=method, request_id=request_id, sent=False)
        self._outbox.append(frame)
        try:
            self._flush(frame)
        except _SendFailed as exc:
            raise ConnectionClosedError(
                str(exc), method=method, request_id=request_id, sent=exc.sent
            ) from exc.__cause__

    def _flush(self, own: bytes | None = None) -> None:
        """Write everything queued, unless another thread is writing (it then sends ours too).

        Whoever appends and then fails to take the lock relies on the holder, who checks the
        outbox again after every write and after releasing the lock, so nothing is stranded.
        Raises _SendFailed when the write that carried ``own`` fails.
        """
        outbox = self._outbox
        lock = self._send_lock
        while outbox and lock.acquire(False):
            try:
                batch = []
                while outbox:
                    batch.append(outbox.popleft())
                sock = self._sock
                if sock is None or self._send_error is not None:
                    # Nothing of this batch was written; the connection is already ending.
                    if _carries(batch, own):
                        raise _SendFailed(self._send_error or "not connected", sent=False)
                    return
                try:
                    sock.sendall(batch[0] if len(batch) == 1 else b"".join(batch))
                except OSError as exc:
                    reason = self._fail_sending(exc)
                    if _carries(batch, own):
                        # sendall stopped short of the batch's end, so its last frame is cut.
                        raise _SendFailed(reason, sent=batch[-1] is not own) from exc
                    return
                except BaseException as exc:  # e.g. Ctrl-C inside sendall: a frame may be cut
                    self._fail_sending(OSError(f"interrupted by {type(exc).__name__}"))
                    raise
            finally:
                lock.release()

    def _fail_sending(self, exc: OSError) -> str:
        """A write failed: the stream may hold a partial frame, so the connection is done."""
        if self._send_error is None:
            self._send_error = f"send failed: {exc or type(exc).__name__}"
            self._outbox.clear()
            self._ws.abort()  # the reader sees it, stops, and fails every pending request
        return self._send_error

    def _send_control(self, opcode: int, payload: bytes) -> None:
        # Never blocks on another sender: the lock holder writes it with its own batch.
        if self._sock is None or self._send_error is not None:
            return
        self._outbox.append(client_frame(opcode, payload))
        self._flush()

    def _send_close(self, payload: bytes) -> None:
        """The reader's last frame, written before it closes the socket (unlike _send_control).

        A sender holding the lock would write a queued frame only after the reader closed
        the socket, so this waits for the lock (bounded) and writes the outbox itself.
        """
        sock = self._sock
        if sock is None or self._send_error is not None:
            return
        close = client_frame(OP_CLOSE, payload)
        self._outbox.append(close)
        if not self._send_lock.acquire(timeout=CLOSE_HANDSHAKE_WAIT):
            return
        try:
            # Whoever held the lock before wrote what it took; the rest, ours included, is
            # here. Nothing may follow a close frame: later frames are dropped.
            batch = list(self._outbox)
            self._outbox.clear()
            for i, frame in enumerate(batch):
                if frame is close and self._send_error is None:
                    try:
                        sock.sendall(b"".join(batch[: i + 1]))
                    except OSError as exc:
                        self._fail_sending(exc)
                    break
        finally:
            self._send_lock.release()

    def _run(self) -> None:
        reason = "closed by the client"
        sock = self._sock
        assert sock is not None  # set before the thread starts
        frames = FrameReader()
        chunk = bytearray(RECV_CHUNK)
        view = memoryview(chunk)
        closing = False
        try:
            while not (self._stopping or closing):
                try:
                    n = sock.recv_into(chunk)
                except _IDLE_ERRORS:
                    if not self._stopping:
                        reason = f"no frame from the server for {self._read_idle_limit:g} s"
                    break
                except OSError as exc:
                    if not self._stopping:
                        reason = f"connection lost: {exc or type(exc).__name__}"
                    break
                if not n:
                    if not self._stopping:
                        reason = "connection lost: the server closed the TCP connection"
                    break
                for opcode, payload in frames.feed(view[:n]):
                    if opcode == OP_TEXT:
                        self._on_text(payload)
                    elif opcode == OP_PING:
                        self._send_control(OP_PONG, payload)
                    elif opcode == OP_CLOSE:
                        if not self._stopping:
                            reason = "closed by the server" + _close_detail(payload)
                            self._send_close(close_echo(payload))
                        closing = True
                        break
                    elif opcode == OP_BINARY:
                        logger.warning("skipped a binary frame of %d bytes", len(payload))
                    elif opcode != OP_PONG:
                        logger.warning("skipped a frame with unknown opcode %#x", opcode)
        except FrameError as exc:
            reason = f"protocol error: {exc}"
            if not self._stopping:  # after close() sent its close frame, nothing more may go
                self._send_close(close_payload(exc.code, exc.reason))
        except Exception:  # the reader must report its end, whatever killed it
            logger.exception("reader thread crashed")
            reason = "reader thread crashed"
        finally:
            self._ws.shutdown()
            self._report_lost(self._send_error or reason)

    def _report_lost(self, reason: str) -> None:
        with self._lost_once:
            if self._lost:
                return
            self._lost = True
        self._on_lost(reason)

    def close(self) -> None:
        """Close the connection and join the reader; idempotent, safe from any thread."""
        self._stopping = True
        reader = self._reader
        on_reader = reader is threading.current_thread()
        if not self._lost:
            self._send_control(OP_CLOSE, struct.pack("!H", 1000))
        if reader is not None and not on_reader:
            reader.join(CLOSE_HANDSHAKE_WAIT)
            if reader.is_alive():
                self._ws.abort()
                reader.join(READER_JOIN_LIMIT)
                if reader.is_alive():
                    logger.warning("%s did not stop within %g s", reader.name, READER_JOIN_LIMIT)
        self._ws.shutdown()
        self._report_lost("closed by the client")


def _carries(batch: list[bytes], own: bytes | None) -> bool:
    # Asked only when a write fails: the caller's own frame is this exact object.
    return own is not None and any(frame is own for frame in batch)


class _SendFailed(Exception):
    """A write carrying the caller's frame failed; ``sent``: it may have reached the server."""

    def __init__(self, reason: str, *, sent: bool) -> None:
        super().__init__(reason)
        self.sent = sent


def _close_detail(payload: bytes) -> str:
    if len(payload) >= 2:
        code = int.from_bytes(payload[:2], "big")
        text = payload[2:].decode("utf-8", "replace")
        return f" (code {code}{': ' + text if text else ''})"
    return ""
