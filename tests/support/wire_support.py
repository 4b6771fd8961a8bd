"""A raw websocket connection for wire-level tests of the local exchange."""

from __future__ import annotations

import json
import time
from typing import Any

import websocket

from binance_ws._signing import Signer, canonical_payload, signer_for_private_key
from binance_ws.exchange import LocalExchange


class Wire:
    """A raw connection: requests by id, events collected on the side."""

    def __init__(self, url: str) -> None:
        self.ws = websocket.create_connection(url, timeout=5)
        self.events: list[dict[str, Any]] = []
        self._ids = iter(range(1, 1_000_000))

    def call(self, method: str, params: dict[str, Any] | None = None, signer: Signer | None = None) -> Any:
        params = dict(params or {})
        if signer is not None:
            params["apiKey"] = signer.api_key
            params["timestamp"] = int(time.time() * 1000)
            params["signature"] = signer.sign(canonical_payload(params))
        rid = next(self._ids)
        self.ws.send(json.dumps({"id": rid, "method": method, "params": params}))
        while True:
            frame = json.loads(self.ws.recv())
            if frame.get("id") == rid:
                return frame
            self.events.append(frame)

    def next_event(self) -> dict[str, Any]:
        if self.events:
            return self.events.pop(0)
        frame: dict[str, Any] = json.loads(self.ws.recv())
        return frame

    def logon(self, ex: LocalExchange) -> None:
        key = ex.keys.ed25519
        answer = self.call("session.logon", signer=signer_for_private_key(key.api_key, key.private_key_pem))
        assert answer["status"] == 200, answer

    def close(self) -> None:
        self.ws.close(timeout=1)
        self.ws.shutdown()
