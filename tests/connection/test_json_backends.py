"""Both JSON backends (stdlib and the optional orjson) encode and decode the same way, and both
refuse undecodable input with ValueError (never RecursionError, which would kill the reader)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from raw_server import RawConnection, RawServer, server_frame

from binance_ws import Client, ClientState, _json
from binance_ws.models.general import Empty


def test_round_trip_with_active_backend() -> None:
    doc = {
        "id": 1,
        "method": "order.place",
        "params": {"price": Decimal("0.00100000"), "symbol": "\uff11\uff12\uff13"},
    }
    text = _json.dumps(doc)
    assert " " not in text.replace("order.place", "")
    back = _json.loads(text.encode())
    assert back["params"] == {"price": "0.00100000", "symbol": "\uff11\uff12\uff13"}


def test_stdlib_fallback_without_orjson() -> None:
    script = (
        "import sys; sys.modules['orjson'] = None\n"
        "from decimal import Decimal\n"
        "from binance_ws import _json\n"
        "assert _json.BACKEND == 'json', _json.BACKEND\n"
        "text = _json.dumps({'a': Decimal('1.50'), 'b': '\\uff11', 'c': Decimal('1E-7')})\n"
        'assert text == \'{"a":"1.50","b":"\\uff11","c":"0.0000001"}\', text\n'
        "assert _json.loads(text.encode('utf-8')) == {'a': '1.50', 'b': '\\uff11', 'c': '0.0000001'}\n"
        "print('ok')\n"
    )
    out = subprocess.run(  # noqa: PLW1510 - the return code is asserted
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def load_backend(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh copy of ``binance_ws._json`` on the given backend (the package keeps its own)."""
    if name == "json":
        monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson -> ImportError
    else:
        pytest.importorskip("orjson")
    spec = importlib.util.find_spec("binance_ws._json")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert name == module.BACKEND
    return module


@pytest.fixture(params=["json", "orjson"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load_backend(request.param, monkeypatch)


UNDECODABLE = {
    "deep arrays": b"[" * 100_000,
    "deep objects": b'{"a":' * 100_000,
    "deep but closed": b"[" * 5000 + b"]" * 5000,
    "invalid UTF-8": b'{"a":"\xff"}',
    "truncated": b'{"id":1,"status":',
    "not JSON": b"<html>",
    "empty": b"",
    "NUL": b"\x00",
    "trailing garbage": b"{} {}",
    "integer of 5000 digits": b"1" * 5000,
}


@pytest.mark.parametrize("data", UNDECODABLE.values(), ids=UNDECODABLE.keys())
def test_undecodable_input_raises_value_error_on_both_backends(backend: ModuleType, data: bytes) -> None:
    with pytest.raises(ValueError) as raised:
        backend.loads(data)
    assert isinstance(raised.value, ValueError)
    assert not isinstance(raised.value, RecursionError)


def test_depth_error_is_a_value_error_with_its_own_type(monkeypatch: pytest.MonkeyPatch) -> None:
    stdlib = load_backend("json", monkeypatch)
    with pytest.raises(stdlib.JSONDepthError, match="nests too deeply"):
        stdlib.loads("[" * 100_000)
    assert issubclass(stdlib.JSONDepthError, ValueError)
    nested: list[Any] = []
    for _ in range(499):
        nested = [nested]
    assert stdlib.loads(b"[" * 500 + b"]" * 500) == nested  # deep but within reach: decoded


def test_both_backends_decode_the_same(backend: ModuleType) -> None:
    data = '{"id":"a1","status":200,"result":{"p":"0.1","n":[1,2.5,true,null],"s":"\u00e9\u20ac"}}'
    assert backend.loads(data.encode()) == backend.loads(data) == json.loads(data)


def test_the_reader_survives_hostile_json_on_the_stdlib_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    # The client decodes with the package's _json.loads: switch it to the stdlib backend.
    monkeypatch.setattr(_json, "loads", load_backend("json", monkeypatch).loads)

    def script(conn: RawConnection) -> None:
        request = conn.wait_request()
        answer = json.dumps({"id": request["id"], "status": 200, "result": {}}).encode()
        conn.send(server_frame(0x1, b"[" * 100_000) + server_frame(0x1, answer))

    with RawServer(script) as server, Client(server.url, timeout=10, reconnect=False) as client:
        assert type(client.ping()) is Empty  # answered: the reader lived on
        assert client.state is ClientState.OPEN
        assert server.errors == []
