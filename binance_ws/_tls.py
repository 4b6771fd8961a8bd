"""TLS with one owner at a time: an ``ssl.SSLObject`` over memory buffers.

OpenSSL does not support one SSL object being read and written by two threads at once, which
is what an ``ssl.SSLSocket`` shared by the reader thread and the sending threads does. Here
the plain socket does the I/O with no lock held, and ``TlsChannel``'s lock is held only while
bytes are encrypted or decrypted. Records leave in order because only the thread holding the
transport's send lock calls :meth:`TlsChannel.encrypt` and writes what it returns.
"""

from __future__ import annotations

import socket
import ssl
import threading

__all__ = ["TlsChannel", "HandshakeSocket"]

_READ = 64 * 1024


class TlsChannel:
    """The TLS state of one connection; every method is safe from any thread."""

    def __init__(self, context: ssl.SSLContext, server_hostname: str) -> None:
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._obj = context.wrap_bio(self._incoming, self._outgoing, server_hostname=server_hostname)
        self._lock = threading.Lock()
        #: True once the peer sent close_notify (or the stream ended inside TLS).
        self.eof = False

    def handshake(self, sock: socket.socket) -> None:
        """Run the TLS handshake over ``sock`` (blocking, within the socket's own timeout)."""
        while True:
            try:
                with self._lock:
                    self._obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._send_pending(sock)
                data = sock.recv(_READ)
                if not data:
                    raise ConnectionError(
                        "the server closed the connection during the TLS handshake"
                    ) from None
                with self._lock:
                    self._incoming.write(data)
        self._send_pending(sock)

    def _send_pending(self, sock: socket.socket) -> None:
        data = self.encrypt(b"")
        if data:
            sock.sendall(data)

    def decrypt(self, data: bytes | bytearray | memoryview) -> bytes:
        """Feed received bytes; returns the plaintext they complete (often all, sometimes b"")."""
        parts = []
        with self._lock:
            incoming = self._incoming
            incoming.write(data)
            obj = self._obj
            try:
                while True:
                    chunk = obj.read(_READ)
                    if not chunk:
                        self.eof = True
                        break
                    parts.append(chunk)
                    # Stop when nothing is left, rather than by the SSLWantReadError of one
                    # more read: raising it costs more than the rest of a small record.
                    if not incoming.pending and not obj.pending():
                        break
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLZeroReturnError:
                self.eof = True
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def encrypt(self, data: bytes) -> bytes:
        """Encrypt ``data`` and return every record waiting to be written, in order."""
        with self._lock:
            if data:
                self._obj.write(data)
            return self._outgoing.read()

    @property
    def wants_write(self) -> bool:
        """True when TLS itself has records to send (e.g. a key update answer)."""
        return self._outgoing.pending > 0


class HandshakeSocket:
    """What websocket-client's HTTP upgrade needs from a socket, buffered, TLS or not.

    websocket-client reads the 101 answer one byte per ``recv`` call; served from a buffer
    filled by large reads, that costs a handful of system calls instead of one per byte
    (each a GIL handoff, which made opening a connection next to busy threads 5x slower).
    Its line reader joins whatever each call returns until a call returns ``b"\n"``, so a
    one-byte read is answered with the rest of the line up to its newline, then the newline:
    two calls a header line instead of one per byte (the Python that busy threads wait for
    while a connection opens beside them). What arrives past the answer is handed to the
    reader (:meth:`leftover`).
    """

    def __init__(self, sock: socket.socket, channel: TlsChannel | None) -> None:
        self._sock = sock
        self._channel = channel
        self._buffer = b""

    def gettimeout(self) -> float | None:
        return self._sock.gettimeout()

    def settimeout(self, value: float | None) -> None:
        self._sock.settimeout(value)

    def fileno(self) -> int:
        return self._sock.fileno()

    def close(self) -> None:
        # websocket-client closes the socket when the upgrade fails; so does the transport.
        self._sock.close()

    def send(self, data: bytes) -> int:
        self._sock.sendall(data if self._channel is None else self._channel.encrypt(data))
        return len(data)

    def recv(self, bufsize: int) -> bytes:
        while not self._buffer:
            data = self._sock.recv(_READ)
            if not data:
                return b""
            if self._channel is None:
                self._buffer = data
                break
            self._buffer = self._channel.decrypt(data)
            if self._channel.eof and not self._buffer:
                return b""
        if bufsize == 1:
            end = self._buffer.find(b"\n")
            if end != 0:
                # Up to the newline, or all of it when the line goes on in the next read.
                bufsize = end if end > 0 else len(self._buffer)
        out, self._buffer = self._buffer[:bufsize], self._buffer[bufsize:]
        return out

    def leftover(self) -> bytes:
        """Plaintext received past the HTTP answer (the server's first frames, if any)."""
        return self._buffer
