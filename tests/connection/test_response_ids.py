"""Responses are matched to requests by the exact id the client sent (an int), nothing looser."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from binance_ws import Client

BOGUS_IDS: list[object] = [1.0, True, [1], {"id": 1}, "1", 1.5]


@pytest.fixture
def bogus_first() -> Iterator[str]:
    """A server answering each request with frames carrying look-alike ids, then the real one."""

    def handler(conn: ServerConnection) -> None:
        try:
            for message in conn:
                request = json.loads(message)
                for bogus in BOGUS_IDS:
                    conn.send(json.dumps({"id": bogus, "status": 200, "result": {"bogus": True}}))
                conn.send(json.dumps({"id": request["id"], "status": 200, "result": {}}))
        except ConnectionClosed:
            pass

    server = serve(handler, "127.0.0.1", 0, compression=None)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}/ws-api/v3"
    finally:
        server.shutdown()
        thread.join(5)


def test_look_alike_ids_never_resolve_a_request(bogus_first: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("DEBUG", logger="binance_ws"), Client(bogus_first, timeout=5) as c:
        for _ in range(3):  # request ids 1, 2, 3: the first is what 1.0 and true look like
            assert c.request("ping").result == {}
        assert c.connected and c.reconnects == 0  # the reader survived the unhashable ids
    dropped = [r for r in caplog.records if "nobody waits" in r.getMessage()]
    assert len(dropped) >= len(BOGUS_IDS) * 3
