"""Where a connection's bytes go: the proxy for a URL, and a TCP connection through it.

Loopback is never proxied: the same test that lets API keys travel over ``ws://``
(:func:`._auth.is_loopback`) decides it, so those bytes never leave the machine.
"""

from __future__ import annotations

import base64
import socket
import urllib.parse
import urllib.request

from ._auth import is_loopback
from ._signing import MaskedBytes

__all__ = ["open_tcp", "resolve_proxy"]


def resolve_proxy(url: str, proxy: str | None) -> str | None:
    """The HTTP proxy a connection to ``url`` goes through, or None for a direct connection.

    ``proxy`` given: that one. Otherwise the environment's (``https_proxy`` for wss://,
    ``http_proxy`` for ws://, minus ``no_proxy``). Loopback is never proxied: the bytes
    of a connection to 127.0.0.1 must stay on this machine.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if is_loopback(host):  # the same test that lets keys go over ws://
        return None
    if proxy is not None:
        return proxy
    found = urllib.request.getproxies().get("https" if parts.scheme == "wss" else "http")
    if found and not urllib.request.proxy_bypass(host):
        return found
    return None


def open_tcp(host: str, port: int, proxy: str | None, timeout: float) -> socket.socket:
    """A TCP connection to ``host:port``, directly or through the HTTP CONNECT ``proxy``."""
    if proxy is None:
        return socket.create_connection((host, port), timeout=timeout)
    proxy_host, proxy_port, request = _tunnel_request(proxy, host, port)
    del proxy  # its password stays out of a traceback's recorded locals
    if proxy_port < 0:
        raise ValueError("the proxy's port is not a number")
    sock = socket.create_connection((proxy_host, proxy_port), timeout=timeout)
    try:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(1)  # byte by byte: nothing past the proxy's answer is consumed
            if not data or len(answer) > 16384:
                raise ConnectionError("the proxy closed the connection during CONNECT")
            answer += data
        status = answer.split(b"\r\n", 1)[0].decode("latin-1")
        if len(status.split()) < 2 or status.split()[1] != "200":
            raise ConnectionError(f"the proxy refused CONNECT: {status}")
    except BaseException:
        sock.close()
        raise
    return sock


def _tunnel_request(proxy: str, host: str, port: int) -> tuple[str, int, bytes]:
    """The proxy's address and the CONNECT request; returns (never raises with the password)."""
    p = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
    try:
        proxy_port = p.port or 8080
    except ValueError:  # not a number: open_tcp says so
        proxy_port = -1
    lines = [f"CONNECT {host}:{port} HTTP/1.1", f"Host: {host}:{port}"]
    if p.username:
        user = urllib.parse.unquote(p.username)
        word = urllib.parse.unquote(p.password or "")
        token = base64.b64encode(f"{user}:{word}".encode()).decode()
        lines.append(f"Proxy-Authorization: Basic {token}")
    request = MaskedBytes(("\r\n".join(lines) + "\r\n\r\n").encode())
    return p.hostname or "", proxy_port, request
