"""A call's timeout bounds its write: a server that stopped reading cannot hold a caller longer."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from exchange_helpers import wait_until
from raw_server import RawConnection, RawServer

from binance_ws import Client, ConnectionClosedError, ExecutionUnknownError, RequestTimeoutError

# Under the request size limit, and far more than a 4 KiB send buffer plus the server's
# 4 KiB receive buffer can hold: the write must wait for room that never comes.
PAD = "x" * 50_000


def _stalled(client: Client) -> None:
    link = client._conns.link
    assert link is not None and link.transport is not None and link.transport._sock is not None
    # A small, fixed send buffer: without it Linux grows the buffer to megabytes.
    link.transport._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)


def test_a_write_the_server_does_not_take_ends_at_the_call_timeout() -> None:
    with (
        RawServer(reading=False, recv_buffer=4096) as server,
        Client(server.url, timeout=30, reconnect=False) as client,
    ):
        conn: RawConnection = server.connection()
        _stalled(client)
        started = time.monotonic()
        with pytest.raises(ConnectionClosedError) as exc:
            client.request("ping", {"pad": PAD}, timeout=1)
        elapsed = time.monotonic() - started
        assert type(exc.value) is ConnectionClosedError
        assert elapsed < 3, f"the call took {elapsed:.1f} s with timeout=1"
        # Cut mid-frame: the server can never execute it, so it was not sent.
        assert exc.value.sent is False
        assert "within the call's timeout" in exc.value.reason
        assert exc.value.method == "ping"
        # A cut frame corrupts the stream: the connection ends.
        assert wait_until(lambda: not client.connected)
        conn.start_reading()
        conn.wait_eof()
        assert [f for f in conn.frames if f.opcode == 0x1] == []


def test_a_request_written_whole_waits_only_for_what_is_left_of_its_timeout() -> None:
    with RawServer() as server, Client(server.url, timeout=30, reconnect=False) as client:
        started = time.monotonic()
        with pytest.raises(RequestTimeoutError) as exc:
            client.request("ping", {"pad": PAD}, timeout=1)
        assert time.monotonic() - started < 3
        assert exc.value.timeout == 1.0
        assert server.connection().wait_request()["params"]["pad"] == PAD
        assert client.connected  # a late answer is no reason to drop the connection


def test_a_caller_whose_frame_another_thread_writes_is_bounded_too() -> None:
    # The thread holding the send lock is stuck in a write: a call queued behind it waits
    # no longer than its own timeout either way (timeout, or the writer's failure).

    with (
        RawServer(reading=False, recv_buffer=4096) as server,
        Client(server.url, timeout=30, reconnect=False) as client,
    ):
        server.connection()
        _stalled(client)
        errors: list[BaseException] = []

        def writer() -> None:
            try:
                client.request("ping", {"pad": PAD}, timeout=20)
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        link = client._conns.link
        assert link is not None and link.transport is not None
        lock = link.transport._send_lock
        assert wait_until(lock.locked)
        started = time.monotonic()
        with pytest.raises(ExecutionUnknownError):
            client.request("ping", timeout=1)
        assert time.monotonic() - started < 3
        client.close()
        thread.join(5)
        assert not thread.is_alive() and len(errors) == 1
