"""One websocket connection: opening it, the reader thread, keepalive and the send path.

Opening: TCP (directly or through an HTTP CONNECT proxy), TLS through :mod:`._tls` (one
owner of the TLS state at a time), then websocket-client's HTTP upgrade over that stream.
After that this module moves the frames itself (see ``_framing``).

Sending: each caller builds its masked frame and puts it in the outbox; whichever thread
holds the send lock writes everything queued in one write (frames from many threads never
interleave, and a burst from many threads costs one system call, not one each plus a queue of
threads on the lock). A request's write first tries without blocking; only when the socket
buffer is full does it wait for room, until the caller's deadline: a server that stopped
reading holds nobody past their timeout. A write that stops mid-frame ends the connection.

Receiving: one daemon reader thread, ``binance-ws-reader-N``, is the only one that receives.
It answers server pings, sends its own pings when the server has been silent for
``ping_interval`` and declares the connection dead when no frame (pings, pongs, anything)
follows within ``ping_timeout``; it counts whole frames, so a trickle of bytes does not keep
a dead link alive. It hands every text message to ``on_text`` without waiting on user code.
When it stops, for whatever reason, ``on_lost`` is called exactly once with the first reason.
"""

from __future__ import annotations

import collections
import itertools
import json
import logging
import math
import select
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable

import websocket

from ._errors import ConnectError, ConnectionClosedError, RateLimitedError, error_for_response
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
    handshake_problem,
)
from ._proxy import open_tcp, resolve_proxy
from ._tls import HandshakeSocket, TlsChannel

logger = logging.getLogger(__name__)

__all__ = ["Transport", "resolve_proxy"]

# A graceful close waits this long for the server's close frame before cutting the socket.
CLOSE_HANDSHAKE_WAIT = 1.0
# How long close() waits for the reader thread after cutting the socket.
READER_JOIN_LIMIT = 3.0
# Longest the reader sleeps in one receive: keepalive and the connection age are checked
# at least this often.
_MAX_TICK = 1.0
# Kernel socket timeouts (SO_RCVTIMEO/SO_SNDTIMEO) keep a plain socket in blocking mode:
# Python's own timeout would poll() before every recv and send. Sockets of gevent or
# eventlet ignore kernel timeouts, so they get Python's.
_KERNEL_TIMEOUTS = sys.platform.startswith(("linux", "darwin"))

_reader_numbers = itertools.count(1)
_IDLE_ERRORS = (TimeoutError, BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError)
# A request's write tries without blocking first (as cheap as sendall when the socket buffer
# has room), so a full buffer can be waited on for the caller's remaining time only.
_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0)


class Transport:
    """One websocket connection with its reader thread."""

    def __init__(
        self,
        url: str,
        *,
        on_text: Callable[[bytes], None],
        on_lost: Callable[[str], None],
        connect_timeout: float,
        ssl_context: ssl.SSLContext | None = None,
        proxy: str | None = None,
        ping_interval: float | None = 20.0,
        ping_timeout: float = 20.0,
        write_timeout: float = 10.0,
        max_age: float | None = None,
        on_aged: Callable[[], None] | None = None,
    ) -> None:
        self.url = url
        self._on_text = on_text
        self._on_lost = on_lost
        self._connect_timeout = connect_timeout
        self._ssl_context = ssl_context
        self._proxy = proxy
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._write_timeout = write_timeout
        self._max_age = max_age
        self._on_aged = on_aged
        self._sock: socket.socket | None = None
        self._tls: TlsChannel | None = None
        self._leftover = b""
        self._kernel_timeouts = False
        self._send_lock = threading.Lock()
        self._outbox: collections.deque[bytes] = collections.deque()
        self._send_error: str | None = None
        # Set once a close frame went out: nothing may follow it on the wire.
        self._close_sent = False
        self._reader: threading.Thread | None = None
        self._stopping = False
        self._end_lock = threading.Lock()
        self._end_reason: str | None = None
        self._lost = False
        #: When the connection opened (time.monotonic()).
        self.opened_at = 0.0

    # -- opening ---------------------------------------------------------------------------

    def connect(self) -> None:
        """Open the connection and start the reader thread; raises ConnectError on failure."""
        parts = urllib.parse.urlsplit(self.url)
        secure = parts.scheme == "wss"
        host = parts.hostname or ""
        try:
            port = parts.port or (443 if secure else 80)
            sock = open_tcp(host, port, self._proxy, self._connect_timeout)
        except (OSError, ValueError) as exc:
            raise ConnectError(f"cannot connect to {self.url}: {exc}") from exc
        self._sock = sock
        try:
            self._upgrade(sock, host, secure)
        except ConnectError:
            self.abort()
            raise
        except BaseException:
            self.abort()
            raise
        self._start_reader(sock)

    def _upgrade(self, sock: socket.socket, host: str, secure: bool) -> None:
        try:
            # Requests are small and latency-bound: never let Nagle hold one back.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        try:
            if secure:
                context = self._ssl_context or ssl.create_default_context()
                self._tls = TlsChannel(context, host)
                self._tls.handshake(sock)
            stream = HandshakeSocket(sock, self._tls)
            ws = websocket.WebSocket(skip_utf8_validation=True)
            ws.connect(self.url, socket=stream, timeout=self._connect_timeout)
        except websocket.WebSocketBadStatusException as exc:
            if exc.status_code in (418, 429):
                # Too many connection attempts (or a ban): the server's retryAfter counts.
                raise _handshake_refusal(exc.status_code, exc.resp_body) from exc
            raise ConnectError(f"handshake with {self.url} refused: HTTP {exc.status_code}") from exc
        except ssl.SSLCertVerificationError as exc:
            raise ConnectError(f"cannot connect to {self.url}: {exc.verify_message or exc}") from exc
        except (websocket.WebSocketException, OSError, ValueError) as exc:
            raise ConnectError(f"cannot connect to {self.url}: {exc or type(exc).__name__}") from exc
        response = ws.handshake_response
        problem = handshake_problem(response.headers if response is not None else {})
        if problem is not None:
            raise ConnectError(f"handshake with {self.url} refused: {problem}")
        self._leftover = stream.leftover()

    def _start_reader(self, sock: socket.socket) -> None:
        tick = _MAX_TICK
        if self._ping_interval is not None:
            tick = min(tick, self._ping_interval / 4, self._ping_timeout / 4)
        tick = max(tick, 0.01)
        if _KERNEL_TIMEOUTS and type(sock).__module__ == "socket":
            sock.settimeout(None)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(tick))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _timeval(self._write_timeout))
            self._kernel_timeouts = True
        else:
            sock.settimeout(tick)
        self.opened_at = time.monotonic()
        self._reader = threading.Thread(
            target=self._run, args=(tick,), name=f"binance-ws-reader-{next(_reader_numbers)}", daemon=True
        )
        self._reader.start()

    # -- sending ---------------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        """False once the connection is ending: nothing sent now would be answered."""
        return self._end_reason is None and not self._stopping

    def send(self, payload: bytes, *, method: str, request_id: object, deadline: float | None = None) -> None:
        """Send one text frame carrying UTF-8 ``payload``; raises ConnectionClosedError if the link is gone.

        The frame may go out in a batch written by another sending thread. ``sent=False`` on
        the error means this frame certainly did not reach the server whole (an incomplete
        frame is never executed); if another thread's write fails, this call returns and
        the loss of the connection wakes the caller's pending slot instead.

        ``deadline`` (``time.monotonic()``) bounds the write when this thread does it: a
        server that stops reading cannot hold the caller past its own timeout. A write that
        misses it may have cut a frame, so it ends the connection like any failed write.
        """
        frame = client_frame(OP_TEXT, payload)
        if self._sock is None or self._end_reason is not None:
            reason = self._end_reason or "not connected"
            raise ConnectionClosedError(reason, method=method, request_id=request_id, sent=False)
        self._outbox.append(frame)
        try:
            self._flush(frame, deadline)
        except _SendFailed as exc:
            raise ConnectionClosedError(
                str(exc), method=method, request_id=request_id, sent=exc.sent
            ) from exc.__cause__

    def _flush(self, own: bytes | None = None, deadline: float | None = None) -> None:
        """Write everything queued, unless another thread is writing (it then sends ours too).

        Whoever appends and then fails to take the lock relies on the holder, who checks the
        outbox again after every write and after releasing the lock, so nothing is stranded.
        Raises _SendFailed when the write that carried ``own`` fails.
        """
        outbox = self._outbox
        lock = self._send_lock
        tls = self._tls
        while (outbox or (tls is not None and tls.wants_write)) and lock.acquire(False):
            try:
                self._write_queued(own, deadline=deadline)
            finally:
                lock.release()

    def _write_queued(
        self, own: bytes | None, last: bytes | None = None, deadline: float | None = None
    ) -> None:
        # Called with the send lock held. ``last``: a close frame; what follows it is dropped.
        outbox = self._outbox
        batch = []
        while outbox:
            batch.append(outbox.popleft())
        if last is not None:
            cut = next((i for i, frame in enumerate(batch) if frame is last), len(batch) - 1)
            batch = batch[: cut + 1]
        sock = self._sock
        if sock is None or self._send_error is not None or self._close_sent:
            # Nothing of this batch was written; the connection is already ending.
            if _carries(batch, own):
                reason = self._send_error or self._end_reason or "the connection is closing"
                raise _SendFailed(reason, sent=False)
            return
        data = batch[0] if len(batch) == 1 else b"".join(batch)
        if last is not None:
            self._close_sent = True
        try:
            if self._tls is not None:
                data = self._tls.encrypt(data)
            if deadline is None:  # control frames: only the no-progress limit applies
                if self._kernel_timeouts:
                    sock.sendall(data)
                else:
                    _send_within(sock, data, 0, self._write_timeout, None, poll=False)
            else:
                written = 0
                if self._kernel_timeouts:
                    try:
                        written = sock.send(data, _DONTWAIT)
                    except BlockingIOError:  # the buffer is full: wait for room below
                        pass
                if written < len(data):
                    _send_within(
                        sock, data, written, self._write_timeout, deadline, poll=self._kernel_timeouts
                    )
        except _OutOfTime as exc:
            reason = self._fail_sending(exc)
            if _carries(batch, own):
                raise _SendFailed(reason, sent=self._own_whole(batch, own, exc.written)) from exc
        except (OSError, ssl.SSLError) as exc:
            reason = self._fail_sending(exc)
            if _carries(batch, own):
                # The write stopped short of the batch's end, so its last frame is cut.
                raise _SendFailed(reason, sent=batch[-1] is not own) from exc
        except BaseException as exc:  # e.g. Ctrl-C inside the write: a frame may be cut
            self._fail_sending(OSError(f"interrupted by {type(exc).__name__}"))
            raise

    def _own_whole(self, batch: list[bytes], own: bytes | None, written: int) -> bool:
        """Whether ``own`` left whole when a write of ``batch`` stopped after ``written`` bytes."""
        if written <= 0:
            return False
        if self._tls is not None:  # ciphertext offsets do not map onto frames
            return batch[-1] is not own
        end = 0
        for frame in batch:
            end += len(frame)
            if frame is own:
                return written >= end
        return False

    def _fail_sending(self, exc: BaseException) -> str:
        """A write failed: the stream may hold a partial frame, so the connection is done."""
        if self._send_error is None:
            self._send_error = f"send failed: {exc or type(exc).__name__}"
            self._outbox.clear()
            self._end(self._send_error)  # the reader sees it, stops, and fails every request
        return self._send_error

    def _send_control(self, opcode: int, payload: bytes) -> None:
        # Never blocks on another sender: the lock holder writes it with its own batch.
        if self._sock is None or self._send_error is not None:
            return
        self._outbox.append(client_frame(opcode, payload))
        self._flush()

    def _send_close(self, payload: bytes) -> None:
        """Write a close frame now, before the socket may close (waits for the lock, bounded).

        Queued like any frame, it could be left to a sender that writes only after the
        reader closed the socket; so this takes the lock itself and writes the outbox up to
        and including the close frame. Nothing may follow a close: the rest is dropped.
        """
        if self._sock is None or self._send_error is not None or self._close_sent:
            return
        close = client_frame(OP_CLOSE, payload)
        self._outbox.append(close)
        if self._send_lock.acquire(True, CLOSE_HANDSHAKE_WAIT):
            try:
                self._write_queued(None, last=close)
            finally:
                self._send_lock.release()

    # -- receiving -------------------------------------------------------------------------

    def _run(self, tick: float) -> None:
        reason = "closed by the client"
        sock = self._sock
        assert sock is not None  # set before the thread starts
        frames = FrameReader()
        feed = frames.feed
        chunk = bytearray(RECV_CHUNK)
        view = memoryview(chunk)
        tls = self._tls
        interval = self._ping_interval
        ping_timeout = self._ping_timeout
        age_limit = None if self._max_age is None else self.opened_at + self._max_age
        last_frame = time.monotonic()
        ping_sent: float | None = None
        pending: bytes | memoryview = self._leftover
        self._leftover = b""
        try:
            while not self._stopping:
                if not pending:
                    try:
                        n = sock.recv_into(chunk)
                    except _IDLE_ERRORS:
                        n = -1
                    except OSError as exc:
                        if not self._stopping:
                            reason = f"connection lost: {exc or type(exc).__name__}"
                        break
                    if not n:
                        if not self._stopping:
                            reason = "connection lost: the server closed the TCP connection"
                        break
                    if n > 0:
                        pending = view[:n] if tls is None else tls.decrypt(view[:n])
                        if tls is not None:
                            if tls.wants_write:
                                self._flush()
                            if tls.eof and not pending:
                                if not self._stopping:
                                    reason = "connection lost: the server ended the TLS session"
                                break
                now = time.monotonic()
                if pending:
                    data, pending = pending, b""
                    closing = got = False
                    for opcode, payload in feed(data):
                        got = True
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
                    if closing:
                        break
                    if got:  # any whole frame shows the link is alive
                        last_frame = now
                        ping_sent = None
                if interval is not None:
                    if ping_sent is None:
                        if now - last_frame >= interval:
                            self._send_control(OP_PING, b"")
                            ping_sent = now
                    elif now - ping_sent >= ping_timeout:
                        reason = f"no frame from the server for {ping_timeout:g} s after a ping"
                        break
                if age_limit is not None and now >= age_limit:
                    age_limit = None
                    if self._on_aged is not None:
                        self._on_aged()
        except ssl.SSLError as exc:
            reason = f"connection lost: TLS error: {exc.reason or exc}"
        except FrameError as exc:
            reason = f"protocol error: {exc}"
            if not self._stopping:  # after close() sent its close frame, nothing more may go
                self._send_close(close_payload(exc.code, exc.reason))
        except Exception:  # the reader must report its end, whatever killed it
            logger.exception("reader thread crashed")
            reason = "reader thread crashed"
        finally:
            self._end(reason)
            self._release_socket()
            self._report_lost()

    def _end(self, reason: str) -> None:
        """Record why the connection ends (the first reason wins) and wake the reader."""
        with self._end_lock:
            if self._end_reason is None:
                self._end_reason = reason
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _release_socket(self) -> None:
        sock = self._sock
        if sock is not None:
            # Under the send lock, so no writer is inside the socket when it is closed.
            if self._send_lock.acquire(True, READER_JOIN_LIMIT):
                try:
                    sock.close()
                finally:
                    self._send_lock.release()
            else:
                sock.close()

    def _report_lost(self) -> None:
        with self._end_lock:
            if self._lost:
                return
            self._lost = True
        self._on_lost(self._end_reason or "closed by the client")

    # -- closing ---------------------------------------------------------------------------

    def abort(self) -> None:
        """Cut the connection now, without a closing handshake (also while connecting)."""
        self._stopping = True
        self._end("closed by the client")
        if self._reader is None:
            self._release_socket()

    def close(self, *, graceful: bool = True) -> None:
        """Close the connection and join the reader; idempotent, safe from any thread."""
        reader = self._reader
        on_reader = reader is threading.current_thread()
        already_ending = self._end_reason is not None
        self._stopping = True
        if graceful and not already_ending and not on_reader:
            self._send_close(close_payload(1000))
            if reader is not None:
                # The reader stops at the server's close frame (or on the idle tick).
                reader.join(CLOSE_HANDSHAKE_WAIT)
        self._end("closed by the client")
        if reader is not None and not on_reader:
            reader.join(READER_JOIN_LIMIT)
            if reader.is_alive():
                logger.warning("%s did not stop within %g s", reader.name, READER_JOIN_LIMIT)
        if reader is None:
            self._release_socket()
            self._report_lost()


def _handshake_refusal(status: int, body: object) -> RateLimitedError:
    try:
        error = json.loads(body) if isinstance(body, (bytes, str)) else None
    except ValueError:
        error = None
    refusal = error_for_response(status, error, method="connect", request_id=None, rate_limits=())
    assert isinstance(refusal, RateLimitedError)  # 418 and 429 map to it
    return refusal


def _timeval(seconds: float) -> bytes:
    whole = int(seconds)
    return struct.pack("ll", whole, int((seconds - whole) * 1_000_000))


def _send_within(
    sock: socket.socket, data: bytes, sent: int, limit: float, deadline: float | None, *, poll: bool
) -> None:
    """Write ``data[sent:]``, giving up after ``limit`` s without progress or at ``deadline``.

    ``poll``: a blocking socket (kernel timeouts) written with MSG_DONTWAIT, waiting on
    poll() in between; otherwise a socket whose timeout is the reader's short tick.
    Raises TimeoutError for the no-progress limit and _OutOfTime at the deadline.
    """
    view = memoryview(data)
    total = len(view)
    stall = time.monotonic() + limit
    poller = None
    if poll:
        poller = select.poll()
        poller.register(sock, select.POLLOUT)
    while sent < total:
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            raise _OutOfTime(sent)
        if now >= stall:
            raise TimeoutError(f"no progress writing for {limit:g} s")
        try:
            if poller is not None:
                end = stall if deadline is None else min(stall, deadline)
                poller.poll(math.ceil((end - now) * 1000))
                sent += sock.send(view[sent:], _DONTWAIT)
            else:
                sent += sock.send(view[sent:])
        except (TimeoutError, BlockingIOError):
            continue
        stall = time.monotonic() + limit


def _carries(batch: list[bytes], own: bytes | None) -> bool:
    # Asked only when a write fails: the caller's own frame is this exact object.
    return own is not None and any(frame is own for frame in batch)


class _OutOfTime(Exception):
    """A request's write reached its caller's deadline after ``written`` bytes."""

    def __init__(self, written: int) -> None:
        super().__init__("the server stopped taking data: the write did not finish within the call's timeout")
        self.written = written


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
