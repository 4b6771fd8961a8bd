"""Connection limits of the local exchange: who may connect, and for how long.

* Opening handshake (:meth:`ConnectionGate.admit`, the server's ``process_request``): a new
  connection costs 2 request weight; an IP may open ``attempt_limit`` connections per
  calendar 5 minutes (the ``CONNECTIONS`` limit of ``exchangeInfo``) and hold
  ``max_connections`` at once. Beyond either the handshake is refused with HTTP 429, and a
  banned IP's with HTTP 418; the body is Binance's error object.
* Lifetime: a housekeeping thread closes every connection older than ``max_age`` seconds,
  as Binance closes connections after 24 hours.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from websockets.http11 import Request, Response
    from websockets.sync.server import ServerConnection

    from .ratelimit import WeightCounter

logger = logging.getLogger(__name__)

__all__ = ["ConnectionGate", "close_in_background"]

_FIVE_MINUTES_MS = 300_000
# Binance: "opening a connection costs 2 request weight".
_CONNECT_WEIGHT = 2
# The housekeeper looks at connection ages this often at most (and 10x per max_age at least).
_HOUSEKEEPING_PERIOD = 1.0


class ConnectionGate:
    """Admits or refuses opening handshakes and ends connections past their lifetime."""

    def __init__(
        self,
        weights: WeightCounter,
        *,
        attempt_limit: int,
        max_connections: int | None,
        enforce: bool,
        max_age: float | None,
    ) -> None:
        # A handshake costs request weight, and a banned IP is refused.
        self.weights = weights
        self.attempt_limit = attempt_limit
        self.max_connections = max_connections
        self.enforce = enforce
        self.max_age = max_age
        self._lock = threading.Lock()
        # ip -> (5-minute window, attempts in it)
        self._attempts: dict[str, tuple[int, int]] = {}
        # Connections admitted and not yet ended, with their IP and admission time.
        self._open: dict[ServerConnection, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def config(self) -> dict[str, Any]:
        """The ``CONNECTIONS`` entry of ``exchangeInfo.rateLimits``."""
        return {
            "rateLimitType": "CONNECTIONS",
            "interval": "MINUTE",
            "intervalNum": 5,
            "limit": self.attempt_limit,
        }

    # -- handshake -------------------------------------------------------------------------

    def admit(self, conn: ServerConnection, request: Request) -> Response | None:
        """``process_request`` hook: None to accept, or the HTTP refusal."""
        address = conn.remote_address
        ip = str(address[0]) if isinstance(address, tuple) and address else "unknown"
        now = self.weights.clock()
        _used, refusal = self.weights.charge(ip, _CONNECT_WEIGHT, now)
        if refusal is not None and refusal.status == 418:
            return self._refuse(conn, 418, refusal.code, refusal.msg)
        with self._lock:
            window = now // _FIVE_MINUTES_MS
            start, attempts = self._attempts.get(ip, (window, 0))
            attempts = attempts + 1 if start == window else 1
            self._attempts[ip] = (window, attempts)
            if self.enforce and attempts > self.attempt_limit:
                msg = f"Too many connection attempts from IP; current limit is {self.attempt_limit} per '5 MINUTE'."
                return self._refuse(conn, 429, -1034, msg)
            self._forget_closed()
            if self.enforce and self.max_connections is not None:
                held = sum(1 for other_ip, _ in self._open.values() if other_ip == ip)
                if held >= self.max_connections:
                    msg = f"Too many concurrent connections; current limit is '{self.max_connections}'."
                    return self._refuse(conn, 429, -1034, msg)
            self._open[conn] = (ip, time.monotonic())
        return None

    def _forget_closed(self) -> None:
        # A handshake that failed after admission never reaches release(); sweep it here.
        from websockets.protocol import State

        for conn in [c for c in self._open if c.protocol.state is State.CLOSED]:
            del self._open[conn]

    @staticmethod
    def _refuse(conn: ServerConnection, status: int, code: int, msg: str) -> Response:
        logger.info("connection refused with HTTP %d: %s", status, msg)
        return conn.respond(status, json.dumps({"code": code, "msg": msg}))

    def release(self, conn: ServerConnection) -> None:
        """The connection has ended."""
        with self._lock:
            self._open.pop(conn, None)

    # -- lifetime --------------------------------------------------------------------------

    def start(self, name: str) -> None:
        """Start the housekeeping thread (when connections have a lifetime)."""
        if self.max_age is None or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._housekeep, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            thread.join(5)
            if thread.is_alive():
                logger.warning("the exchange's housekeeping thread did not stop within 5 s")

    def _housekeep(self) -> None:
        assert self.max_age is not None  # start() checked it
        period = min(_HOUSEKEEPING_PERIOD, self.max_age / 10)
        while not self._stop.wait(period):
            deadline = time.monotonic() - self.max_age
            with self._lock:
                expired = [c for c, (_ip, since) in self._open.items() if since <= deadline]
                for conn in expired:
                    del self._open[conn]
            for conn in expired:
                logger.info("closing a connection that reached its %.1f s lifetime", self.max_age)
                # Binance closes the connection; the client reconnects.
                close_in_background(conn, 1000, "connection lifetime reached")


def cut(conn: ServerConnection) -> None:
    """Drop a connection at the TCP level, with no close frame (a lost link, as clients see it).

    ``shutdown`` only: it sends the FIN and wakes the connection's thread waiting to read,
    which then sees the end of the stream and closes the socket itself. Closing it here
    would pull the descriptor from under that thread's ``select``, which can then wait forever
    (a socket closed between its registration and the wait is silently forgotten).
    """
    try:
        conn.socket.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone: its thread sees that too


def close_in_background(conn: ServerConnection, code: int, reason: str) -> None:
    """Start the closing handshake without waiting for it (a silent client takes ``close_timeout``)."""
    threading.Thread(
        target=conn.close, args=(code, reason), name="binance-ws-exchange-close", daemon=True
    ).start()
