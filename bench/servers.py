"""The benchmark's servers, each in its own process so client and server never share a GIL.

``python -m bench.servers canned`` runs the minimal canned-response server
(``canned-tls``: the same over wss://, with a test certificate whose CA file it announces);
``python -m bench.servers exchange`` runs :class:`binance_ws.exchange.LocalExchange` with
500 extra symbols. Either prints one JSON line (``url``, and the exchange's demo ``keys``
when it has them) and serves until its standard input closes, so it never outlives the
benchmark that started it.

The canned server answers each request with a precomputed frame: it finds the id, the
method and (for depth) the limit by scanning the request text and splices the id in front
of the stored answer, so its own cost per request stays a few microseconds. Two control
methods let the memory measure hold answers back: ``bench.hold`` withholds every answer
(on every connection) until ``bench.release`` sends them all; ``bench.drop`` cuts every other
connection (the connection measure's network failure).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import socket
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["ServerProcess", "extract_request"]

_ROOT = Path(__file__).resolve().parent.parent


def _scan_value(text: bytes, key: bytes) -> bytes | None:
    """The raw JSON text of ``key``'s value (strings keep their quotes), or None."""
    at = text.find(key)
    if at < 0:
        return None
    i = text.find(b":", at + len(key))
    if i < 0:
        return None
    i += 1
    n = len(text)
    while i < n and text[i] in b" \t\r\n":
        i += 1
    if i < n and text[i : i + 1] == b'"':
        end = text.find(b'"', i + 1)
        return text[i : end + 1] if end > 0 else None
    end = i
    while end < n and text[end] not in b",} \t\r\n":
        end += 1
    return text[i:end] or None


def extract_request(text: bytes) -> tuple[bytes, str, str]:
    """``(id JSON text, method, canned key)`` of a request, by scanning, without JSON parsing.

    >>> extract_request(b'{"id":7,"method":"depth","params":{"symbol":"X","limit":5000}}')
    (b'7', 'depth', 'depth:5000')
    >>> extract_request(b'{"method": "ping", "id": "a-1"}')
    (b'"a-1"', 'ping', 'ping')
    >>> extract_request(b'{"id": "x", "method": "depth", "params": {"limit": "5000"}}')[2]
    'depth:5000'
    """
    request_id = _scan_value(text, b'"id"') or b"null"
    raw_method = _scan_value(text, b'"method"') or b'""'
    method = raw_method.strip(b'"').decode()
    if method.startswith("v3/"):
        method = method[3:]
    key = method
    if method == "depth":
        # Some clients send numbers as strings ("5000"), which Binance accepts.
        limit = (_scan_value(text, b'"limit"') or b"").strip(b'"')
        key = f"depth:{int(limit) if limit.isdigit() else 100}"
    return request_id, method, key


class _CannedServer:
    def __init__(self, tails: dict[str, bytes]) -> None:
        self.tails = tails
        self.unknown = b',"status":400,"error":{"code":-1100,"msg":"not canned"}}'
        self.lock = threading.Lock()
        self.holding = False
        self.held: list[tuple[Any, bytes]] = []
        self.conns: set[Any] = set()

    def handle(self, conn: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        tails = self.tails
        with self.lock:
            self.conns.add(conn)
        try:
            while True:
                text = conn.recv(decode=False)
                if isinstance(text, str):  # pragma: no cover - decode=False gives bytes
                    text = text.encode()
                request_id, method, key = extract_request(text)
                if method.startswith("bench."):
                    self._control(conn, request_id, method)
                    continue
                frame = b'{"id":' + request_id + tails.get(key, self.unknown)
                if self.holding:
                    with self.lock:
                        if self.holding:
                            self.held.append((conn, frame))
                            continue
                conn.send(frame, text=True)
        except ConnectionClosed:
            pass
        finally:
            with self.lock:
                self.conns.discard(conn)

    def _control(self, conn: Any, request_id: bytes, method: str) -> None:
        held: list[tuple[Any, bytes]] = []
        with self.lock:
            if method == "bench.drop":
                # Cut every other connection at the TCP level, as a network failure would.
                for other in self.conns:
                    if other is not conn:
                        try:
                            other.socket.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass
            elif method == "bench.hold":
                self.holding = True
            elif method == "bench.release":
                self.holding = False
                held, self.held = self.held, []
        for target, frame in held:
            try:
                target.send(frame, text=True)
            except Exception:  # a closed connection: its caller is gone anyway
                pass
        conn.send(b'{"id":' + request_id + b',"status":200,"result":{}}', text=True)


def _test_tls() -> tuple[Any, str]:
    """A server SSL context with a trustme certificate for 127.0.0.1, and the CA file's path."""
    import ssl
    import tempfile

    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    handle, path = tempfile.mkstemp(prefix="bench-ca-", suffix=".pem")
    with os.fdopen(handle, "wb") as out:
        out.write(ca.cert_pem.bytes())
    return context, path


def _serve_canned(port: int, symbols: int, tls: bool = False) -> None:
    from websockets.sync.server import serve

    from .payloads import build_canned

    canned = _CannedServer(build_canned(symbols).tails)
    context, ca_file = _test_tls() if tls else (None, "")
    server = serve(
        canned.handle,
        "127.0.0.1",
        port,
        compression=None,
        max_size=None,
        ping_interval=None,
        max_queue=None,
        ssl=context,
    )
    port = server.socket.getsockname()[1]
    threading.Thread(target=server.serve_forever, name="bench-canned", daemon=True).start()
    scheme = "wss" if tls else "ws"
    _announce({"url": f"{scheme}://127.0.0.1:{port}/ws-api/v3", "keys": {}, "ca": ca_file})
    try:
        _wait_for_parent()
    finally:
        server.shutdown()
        if ca_file:
            os.unlink(ca_file)


def _keys_of(ex: Any) -> dict[str, dict[str, str]]:
    """The exchange's demo keys as plain strings (an empty dict while it has none)."""
    out: dict[str, dict[str, str]] = {}
    keys = getattr(ex, "keys", None)
    for kind in ("hmac", "ed25519", "rsa"):
        key = getattr(keys, kind, None)
        if key is None:
            continue
        entry: dict[str, str] = {}
        for attr in ("api_key", "api_secret", "private_key_pem"):
            value = getattr(key, attr, None)
            if isinstance(value, bytes):
                value = value.decode()
            if isinstance(value, str):
                entry[attr] = value
        if "api_key" in entry:
            out[kind] = entry
    return out


def _serve_exchange(port: int, extra_symbols: int) -> None:
    from binance_ws.exchange import LocalExchange

    with LocalExchange(port=port, extra_symbols=extra_symbols, weight_limit=10**12) as ex:
        _announce({"url": ex.url, "keys": _keys_of(ex)})
        _wait_for_parent()


def _announce(info: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()


def _wait_for_parent() -> None:
    # The parent holds our stdin open; EOF means it is done (or gone).
    while sys.stdin.buffer.read(4096):
        pass


class ServerProcess:
    """A benchmark server in a child process; a context manager.

    ``kind`` is ``"canned"``, ``"canned-tls"`` or ``"exchange"``. After entering, :attr:`url`
    is its address, :attr:`keys` the demo keys it announced (``{}`` for the canned server)
    and :attr:`ca` the CA file to trust for wss:// (``""`` for ws://).
    """

    def __init__(self, kind: str, *, symbols: int = 500, start_timeout: float = 120.0) -> None:
        if kind not in ("canned", "canned-tls", "exchange"):
            raise ValueError(f"unknown server kind {kind!r}")
        self.kind = kind
        self.symbols = symbols
        self.start_timeout = start_timeout
        self.url = ""
        self.keys: dict[str, dict[str, str]] = {}
        self.ca = ""
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> ServerProcess:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
        cmd = [sys.executable, "-m", "bench.servers", self.kind, "--symbols", str(self.symbols)]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(_ROOT), env=env)
        self._proc = proc
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], self.start_timeout)
        line = proc.stdout.readline() if ready else b""
        if not line:
            self.close()
            raise RuntimeError(f"the {self.kind} server did not start within {self.start_timeout:g} s")
        info = json.loads(line)
        self.url = info["url"]
        self.keys = info.get("keys") or {}
        self.ca = info.get("ca") or ""
        return self

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.servers", description=__doc__)
    parser.add_argument("kind", choices=["canned", "canned-tls", "exchange"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--symbols", type=int, default=500, help="exchangeInfo size")
    args = parser.parse_args(argv)
    if args.kind in ("canned", "canned-tls"):
        _serve_canned(args.port, args.symbols, tls=args.kind == "canned-tls")
    else:
        _serve_exchange(args.port, args.symbols)


if __name__ == "__main__":
    main()
