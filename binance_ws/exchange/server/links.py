"""Every TCP connection the local exchange accepted, from before its opening handshake to its end.

The server's ``create_connection`` hook (:meth:`LinkTable.create`) sees each accepted TCP
connection before its websocket handshake starts. So a drop reaches connections whose
handshake is still under way too (a Session exists only once the handler runs), and a
connection accepted while the exchange refuses connections is reset right there.

Half-open: the websockets package's sync connection does every protocol step (feeding received
bytes, answering pings, sending frames, its own keepalive pings) under the connection's
``protocol_mutex``. Holding that lock freezes the connection without closing it: bytes stay
unprocessed, nothing is sent, and the TCP connection stays up.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

from websockets.protocol import State
from websockets.sync.server import ServerConnection

from ..services.connections import cut

if TYPE_CHECKING:
    from websockets.server import ServerProtocol
    from websockets.sync.server import Server

logger = logging.getLogger(__name__)

__all__ = ["TAG_KEY", "Link", "LinkTable", "tag_of"]

#: The URL query key naming a client (``ws://127.0.0.1:PORT/ws-api/v3?tag=abc``).
TAG_KEY = "tag"
# How long go_half_open waits for a connection's protocol lock (held only briefly, unless a
# write is blocked on a client that stopped reading).
_HOLD_WAIT = 5.0


def tag_of(path: str) -> str | None:
    """The ``tag`` of a request path's query, or None (other query keys are ignored)."""
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get(TAG_KEY)
    return values[0] if values else None


class _Refused(Exception):
    """Raised in the server's connection factory: the TCP connection was reset."""


class Link:
    """One accepted TCP connection: its websocket connection and what the exchange does to it."""

    __slots__ = ("conn", "held", "refuse_status")

    def __init__(self, conn: ServerConnection, refuse_status: int | None) -> None:
        self.conn = conn
        #: True while go_half_open holds the connection's protocol lock.
        self.held = False
        #: The HTTP status its handshake gets (accepted while refusing), or None.
        self.refuse_status = refuse_status

    @property
    def tag(self) -> str | None:
        """The ``?tag=`` of its handshake request (None before the request arrived)."""
        request = self.conn.request
        return tag_of(request.path) if request is not None else None

    def __repr__(self) -> str:
        return f"<Link tag={self.tag!r} held={self.held}>"


class LinkTable:
    """The exchange's accepted connections, the half-open holds and the refusal switch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Serialises hold, release and cut, which may wait for a connection's lock.
        self._control = threading.RLock()
        self._links: dict[ServerConnection, Link] = {}
        self._attempts = 0
        # (deadline on the monotonic clock or None for "until accept()", HTTP status or None)
        self._refusal: tuple[float | None, int | None] | None = None

    @property
    def attempts(self) -> int:
        """TCP connections accepted so far, refused ones included."""
        return self._attempts

    # -- the server's hooks ----------------------------------------------------------------

    def create(
        self, sock: socket.socket, protocol: ServerProtocol, server: Server, **kwargs: Any
    ) -> ServerConnection:
        """``create_connection`` hook: count the attempt, refuse it or track the connection."""
        with self._lock:
            refusal = self._refusal
            if refusal is not None and refusal[0] is not None and time.monotonic() >= refusal[0]:
                refusal = self._refusal = None
            if refusal is not None and refusal[1] is None:
                self._attempts += 1
                _reset(sock)
                raise _Refused("refusing connections")  # the server closes the socket quietly
        conn = ServerConnection(sock, protocol, server, **kwargs)
        with self._lock:
            self._sweep()
            self._links[conn] = Link(conn, None if refusal is None else refusal[1])
            # Counted with the registration: once the count shows it, a drop reaches it.
            self._attempts += 1
        return conn

    def refused_status(self, conn: ServerConnection) -> int | None:
        """The HTTP status to refuse ``conn``'s handshake with, or None to go on."""
        link = self._links.get(conn)
        return link.refuse_status if link is not None else None

    def forget(self, conn: ServerConnection) -> None:
        """The connection's handler has ended."""
        with self._control:
            with self._lock:
                link = self._links.pop(conn, None)
            if link is not None and link.held:
                link.held = False
                conn.protocol_mutex.release()

    def _sweep(self) -> None:
        # Connections refused or failed during the handshake never reach forget().
        for conn in [c for c, link in self._links.items() if not link.held and c.state is State.CLOSED]:
            del self._links[conn]

    # -- refusing --------------------------------------------------------------------------

    def refuse(self, seconds: float | None, status: int | None) -> None:
        deadline = None if seconds is None else time.monotonic() + seconds
        with self._lock:
            self._refusal = (deadline, status)

    def accept(self) -> None:
        with self._lock:
            self._refusal = None

    @property
    def refusing(self) -> bool:
        refusal = self._refusal
        return refusal is not None and (refusal[0] is None or time.monotonic() < refusal[0])

    # -- what tests do to connections ------------------------------------------------------

    def matching(self, tag: str | None) -> list[Link]:
        """Every tracked connection (``tag=None``) or those whose URL carries ``tag``."""
        with self._lock:
            links = list(self._links.values())
        return links if tag is None else [link for link in links if link.tag == tag]

    def cut(self, tag: str | None) -> int:
        """Cut the matching connections at the TCP level; returns how many."""
        with self._control:
            links = self.matching(tag)
            for link in links:
                cut(link.conn)
                self._let_go(link)
            with self._lock:  # gone for good, though its threads may still be winding down
                for link in links:
                    self._links.pop(link.conn, None)
        return len(links)

    def hold(self, tag: str | None) -> int:
        """Freeze the matching open connections (see the module docstring); returns how many."""
        held = 0
        with self._control:
            for link in self.matching(tag):
                if link.held:
                    held += 1
                    continue
                if link.conn.state is State.CLOSED:
                    continue
                if not link.conn.protocol_mutex.acquire(timeout=_HOLD_WAIT):
                    logger.warning("could not make a connection half-open: its protocol stays busy")
                    continue
                link.held = True
                held += 1
        return held

    def release(self, tag: str | None) -> int:
        """Unfreeze the matching held connections; returns how many."""
        released = 0
        with self._control:
            for link in self.matching(tag):
                if link.held:
                    self._let_go(link)
                    released += 1
        return released

    @staticmethod
    def _let_go(link: Link) -> None:
        if link.held:
            link.held = False
            link.conn.protocol_mutex.release()


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (RST) instead of an orderly FIN: a connection refused."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass  # already gone
    sock.close()
