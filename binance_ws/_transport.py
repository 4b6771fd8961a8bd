"""The websocket connection: the only module that imports ``websocket`` (websocket-client).

Threading model: caller threads send directly (websocket-client's send lock keeps frames
whole); one daemon reader thread, ``binance-ws-reader-N``, is the only one that receives.
It answers server pings inside ``recv`` and hands every text frame to ``on_text`` without
ever waiting on user code. When it stops, for whatever reason, it calls ``on_lost`` exactly
once with a short reason, so the client can wake every pending caller.
"""

from __future__ import annotations

import itertools
import logging
import socket
import threading
from collections.abc import Callable

import websocket

from ._errors import ConnectError, ConnectionClosedError

logger = logging.getLogger(__name__)

__all__ = ["Transport"]

# Binance pings every 20 s and drops a silent peer after a minute; a minute without any
# frame from the server (pings included) means the link is dead even if TCP has not noticed.
READ_IDLE_LIMIT = 60.0
# A graceful close waits this long for the server's close frame before cutting the socket.
CLOSE_HANDSHAKE_WAIT = 1.0
# How long close() waits for the reader thread after cutting the socket.
READER_JOIN_LIMIT = 3.0

_reader_numbers = itertools.count(1)


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
        # skip_utf8_validation: websocket-client's pure-Python check costs ~8 ms per 100 KB;
        # decoding the JSON checks the UTF-8 anyway.
        self._ws = websocket.WebSocket(skip_utf8_validation=True, enable_multithread=True)
        self._reader: threading.Thread | None = None
        self._stopping = False
        self._lost_once = threading.Lock()
        self._lost = False

    @property
    def alive(self) -> bool:
        reader = self._reader
        return reader is not None and reader.is_alive() and not self._lost

    def connect(self) -> None:
        """Open the connection and start the reader thread; raises ConnectError on failure."""
        try:
            self._ws.connect(self.url, timeout=self._connect_timeout)
        except websocket.WebSocketBadStatusException as exc:
            raise ConnectError(f"handshake with {self.url} refused: HTTP {exc.status_code}") from exc
        except (websocket.WebSocketException, OSError) as exc:
            raise ConnectError(f"cannot connect to {self.url}: {exc}") from exc
        sock = self._ws.sock
        if sock is not None:
            sock.settimeout(self._read_idle_limit)
            # Requests are small and latency-bound: never let Nagle hold one back.
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # not a TCP socket (e.g. a proxy's): nothing to tune
                pass
        self._reader = threading.Thread(
            target=self._run, name=f"binance-ws-reader-{next(_reader_numbers)}", daemon=True
        )
        self._reader.start()

    def send(self, text: str, *, method: str, request_id: object) -> None:
        """Send one text frame; raises ConnectionClosedError (not sent) if the link is gone."""
        try:
            self._ws.send(text)
        except (websocket.WebSocketException, OSError) as exc:
            raise ConnectionClosedError(
                f"send failed: {exc or type(exc).__name__}",
                method=method,
                request_id=request_id,
                sent=False,
            ) from exc

    def _run(self) -> None:
        reason = "closed by the client"
        try:
            while not self._stopping:
                try:
                    opcode, data = self._ws.recv_data()
                except websocket.WebSocketTimeoutException:
                    reason = f"no frame from the server for {self._read_idle_limit:g} s"
                    break
                except (websocket.WebSocketException, OSError) as exc:
                    if not self._stopping:
                        reason = f"connection lost: {exc or type(exc).__name__}"
                    break
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    self._on_text(data)
                elif opcode == websocket.ABNF.OPCODE_CLOSE:
                    if not self._stopping:
                        reason = "closed by the server" + _close_detail(data)
                    break
                else:
                    logger.warning("skipped a binary frame of %d bytes", len(data))
        except Exception:  # the reader must report its end, whatever killed it
            logger.exception("reader thread crashed")
            reason = "reader thread crashed"
        finally:
            self._ws.shutdown()
            self._report_lost(reason)

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
        sock = self._ws.sock
        if sock is not None and self._ws.connected:
            try:
                sock.settimeout(CLOSE_HANDSHAKE_WAIT)
                self._ws.send_close()
            except (websocket.WebSocketException, OSError):
                pass  # the link is already gone: nothing left to be polite to
        if reader is not None and not on_reader:
            reader.join(CLOSE_HANDSHAKE_WAIT)
            if reader.is_alive():
                self._ws.abort()
                reader.join(READER_JOIN_LIMIT)
                if reader.is_alive():
                    logger.warning("%s did not stop within %g s", reader.name, READER_JOIN_LIMIT)
        self._ws.shutdown()
        self._report_lost("closed by the client")


def _close_detail(frame: object) -> str:
    data = getattr(frame, "data", b"")
    if isinstance(data, bytes) and len(data) >= 2:
        code = int.from_bytes(data[:2], "big")
        text = data[2:].decode("utf-8", "replace")
        return f" (code {code}{': ' + text if text else ''})"
    return ""
