"""A minimal HTTP CONNECT proxy on 127.0.0.1 for the tests of proxied connections."""

from __future__ import annotations

import socket
import threading

__all__ = ["ConnectProxy"]


class ConnectProxy:
    """A minimal HTTP CONNECT proxy on 127.0.0.1 that records the targets it was asked for."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.targets: list[str] = []
        self.auth: list[str] = []
        self._refuse = refuse
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://user:p%40ss@127.0.0.1:{self._server.getsockname()[1]}"
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            t = threading.Thread(target=self._tunnel, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _tunnel(self, conn: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            data = conn.recv(1)
            if not data:
                conn.close()
                return
            head += data
        lines = head.decode("latin-1").split("\r\n")
        target = lines[0].split()[1]
        self.targets.append(target)
        self.auth += [line for line in lines if line.lower().startswith("proxy-authorization:")]
        if self._refuse:
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n")
            conn.close()
            return
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        back = threading.Thread(target=pump, args=(upstream, conn), daemon=True)
        back.start()
        pump(conn, upstream)
        back.join(5)
        conn.close()
        upstream.close()

    def close(self) -> None:
        self._server.close()
        for t in self._threads:
            t.join(5)
