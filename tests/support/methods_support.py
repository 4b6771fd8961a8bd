"""Shared by the typed-method tests: a scripted loopback server, the documented examples, checks.

The scripted server answers every request with a canned 200 result (a documented example), so
a test sees the whole client path: validation, signing, the frame on the wire, and the model
the client picks for the answer at run time.
"""

from __future__ import annotations

import json
import threading
import types
import typing
from collections.abc import Callable
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from binance_ws import APIError, Client, InvalidParameterError, ResultList, unstructure
from binance_ws._client_ids import is_generated
from binance_ws._naming import method_to_python
from binance_ws.exchange import LocalExchange
from tools import reference

AUTH_PARAMS = frozenset({"apiKey", "signature", "timestamp"})
# Codes that would mean the request itself was malformed (a wrong wire name or a lost param)
# or not authenticated; any other refusal is the exchange judging the sample order.
REQUEST_BUGS = frozenset({-1101, -1102, -1103, -1104, -1022, -2014, -2015, -1021})
ENV_CREDENTIALS = (
    "BINANCE_API_KEY",
    "BINANCE_API_SECRET",
    "BINANCE_PRIVATE_KEY",
    "BINANCE_PRIVATE_KEY_PASSWORD",
)


def _load_examples() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for m in reference.methods():
        variants = m.get("example_responses") or [{"label": "example", "response": m["example_response"]}]
        out[m["method"]] = {v["label"]: v["response"] for v in variants}
    return out


_EXAMPLES = _load_examples()


def example(wire: str, label: str = "example") -> Any:
    """The ``result`` of a documented 200 example."""
    return _EXAMPLES[wire][label]["result"]


def error_data(wire: str, label: str) -> dict[str, Any]:
    """The ``error.data`` of a documented error example."""
    data: dict[str, Any] = _EXAMPLES[wire][label]["error"]["data"]
    return data


class ScriptedServer:
    """A loopback WebSocket API server answering every request with ``answer`` (status 200)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.answer: Any = {}
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None, max_size=None)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/ws-api/v3"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="scripted-server", daemon=True
        )
        self._thread.start()

    def _handle(self, conn: ServerConnection) -> None:
        try:
            for message in conn:
                request = json.loads(message)
                self.requests.append((request["method"], request.get("params", {})))
                conn.send(json.dumps({"id": request["id"], "status": 200, "result": self.answer}))
        except ConnectionClosed:
            pass

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


class Case(typing.NamedTuple):
    """One call of a typed method: its kwargs, the request it must send, the model it returns."""

    method: str
    kwargs: dict[str, Any]
    wire: str
    wire_params: dict[str, Any]
    answer: Any  # what the scripted server answers with
    expected: Any  # the exact model class, or list[Model]


def case_id(case: Case) -> str:
    shown = [str(v) for k, v in case.kwargs.items() if k.endswith(("type", "rates"))] or list(case.kwargs)
    return "-".join([case.method, *shown])


def without_auth(params: dict[str, Any]) -> dict[str, Any]:
    """The params besides the signing ones and the client order ids the SDK generated."""
    return {k: v for k, v in params.items() if k not in AUTH_PARAMS and not is_generated(v)}


def assert_exact_type(result: Any, expected: Any) -> None:
    if typing.get_origin(expected) in (list, ResultList):
        (item_type,) = typing.get_args(expected)
        assert isinstance(result, list)
        assert all(type(item) is item_type for item in result), [type(i) for i in result]
    else:
        assert type(result) is expected


def check_request(client: Client, exchange: LocalExchange, case: Case) -> None:
    """The call reaches the local exchange signed, with exactly the expected wire params."""
    before = len(exchange.requests)
    try:
        result = getattr(client, case.method)(**case.kwargs)
    except APIError as exc:
        assert exc.code not in REQUEST_BUGS, exc
    else:
        assert_exact_type(result, case.expected)
    assert len(exchange.requests) == before + 1
    wire, params = exchange.requests[-1]
    assert wire == case.wire
    assert without_auth(params) == case.wire_params
    assert set(params) >= AUTH_PARAMS  # every trading and account method is signed


def check_result(server: ScriptedServer, client: Client, case: Case) -> None:
    """The answer comes back as the exact model, and unstructures to the same JSON."""
    server.answer = case.answer
    result = getattr(client, case.method)(**case.kwargs)
    assert_exact_type(result, case.expected)
    assert unstructure(result) == case.answer
    wire, params = server.requests[-1]
    assert (wire, without_auth(params)) == (case.wire, case.wire_params)


def refused(call: Callable[[], object]) -> InvalidParameterError:
    """The error a call raises before sending anything."""
    with pytest.raises(InvalidParameterError) as raised:
        call()
    return raised.value


def candidates(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        out = []
        for arg in typing.get_args(annotation):
            out.extend(candidates(arg))
        return out
    return [annotation]


def result_types(wire: str) -> list[Any]:
    """Every result type a method declares (its return and its overloads' returns)."""
    fn = getattr(Client, method_to_python(wire), None)
    assert fn is not None, f"Client has no method {method_to_python(wire)}() for {wire}"
    hints = typing.get_type_hints(fn)
    overloads = typing.get_overloads(fn) if hasattr(typing, "get_overloads") else []
    found = candidates(hints["return"])
    for ov in overloads:
        found.extend(candidates(typing.get_type_hints(ov)["return"]))
    return [t for t in found if t is not type(None)]
