"""The local exchange is built in layers that import only downward, with no import cycle.

Layers, lowest first: ``model`` -> ``engine`` -> ``services`` -> ``handlers`` -> ``server``,
then the package itself (``binance_ws/exchange/__init__.py``, which exports LocalExchange).
A module may import its own layer and the layers below it, never one above; no set of
exchange modules may import each other in a circle. Every import counts: module level,
inside functions and under ``if TYPE_CHECKING:``. The imports are read from the source
(``ast``), so the test sees what the interpreter would only see on some code paths.

The exchange takes from the rest of the SDK only the parts listed in :data:`SDK_SHARED`
(the method table, weights, signing, JSON, enums), never client internals; the model,
the engine and the handlers import nothing of websockets, sockets or TLS.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping

import pytest
from import_graph import cycles, imports_of
from import_graph import sdk_modules as _sdk_modules

from binance_ws._spec import METHODS
from binance_ws.exchange.handlers import registry

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = "binance_ws.exchange"
EXCHANGE_DIR = ROOT / "binance_ws" / "exchange"

#: Sub-packages of the exchange, lowest first; the package's own modules come last.
LAYERS = ("model", "engine", "services", "handlers", "server")

#: What the exchange may import from the SDK around it: deliberately shared parts only.
SDK_SHARED = frozenset(
    {
        "binance_ws._json",  # the JSON encoder the client uses too (orjson when present)
        "binance_ws._spec",  # the method table: names, parameters, security, weights
        "binance_ws._weights",  # request weight of a call, shared with the client's governor
        "binance_ws._signing",  # key types, canonical payload, redaction
        "binance_ws.enums",  # SecurityType of the method table
    }
)


def exchange_graph() -> dict[str, set[str]]:
    """Exchange module -> the SDK modules (exchange ones included) it imports."""
    sdk = _sdk_modules()
    graph: dict[str, set[str]] = {}
    for name, path in sdk.items():
        if name == PACKAGE or name.startswith(PACKAGE + "."):
            is_package = path.name == "__init__.py"
            found = imports_of(name, path.read_text(encoding="utf-8"), is_package, sdk)
            graph[name] = {m for m in found if m == "binance_ws" or m.startswith("binance_ws.")}
    return graph


def layer_of(module: str) -> int:
    """The layer index of an exchange module (the package's own modules are above every layer)."""
    rest = module[len(PACKAGE) :].lstrip(".").split(".")
    if rest[0] in LAYERS:
        return LAYERS.index(rest[0])
    return len(LAYERS)


def upward_imports(graph: Mapping[str, set[str]]) -> list[str]:
    """``a -> b`` for each import of a module ``b`` in a layer above ``a``'s."""
    return sorted(
        f"{a} -> {b}"
        for a, targets in graph.items()
        for b in targets
        if b.startswith(PACKAGE) and layer_of(b) > layer_of(a)
    )


def test_the_graph_sees_every_kind_of_import() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from ..model import errors\n"
        "from .table import Table\n"
        "from ... import _json\n"
        "if TYPE_CHECKING:\n"
        "    from ..server.exchange import LocalExchange\n"
        "def late():\n"
        "    from ..services import venue\n"
    )
    known = {
        f"{PACKAGE}.model.errors",
        f"{PACKAGE}.handlers.table",
        f"{PACKAGE}.server.exchange",
        f"{PACKAGE}.services.venue",
        "binance_ws._json",
    }
    found = imports_of(f"{PACKAGE}.handlers.market", source, False, known)
    assert found == known | {"typing"}


def test_the_checks_catch_an_upward_import_and_a_cycle() -> None:
    model, engine, server = (
        f"{PACKAGE}.model.orders",
        f"{PACKAGE}.engine.core",
        f"{PACKAGE}.server.exchange",
    )
    graph = {model: {server}, engine: {model}, server: {engine}}
    assert upward_imports(graph) == [f"{model} -> {server}"]
    assert cycles(graph) == [sorted([model, engine, server])]
    assert cycles({engine: {engine}}) == [[engine]]
    assert cycles({engine: {model}, model: set()}) == []


def test_every_exchange_module_is_in_a_layer() -> None:
    graph = exchange_graph()
    assert len(graph) > 30
    outside = sorted(m for m in graph if layer_of(m) == len(LAYERS) and m != PACKAGE)
    assert outside == [], f"put these modules into one of the layers {LAYERS}: {outside}"


def test_no_exchange_module_imports_upward() -> None:
    assert upward_imports(exchange_graph()) == []


def test_no_import_cycle_among_exchange_modules() -> None:
    assert cycles(exchange_graph()) == []


def test_layer_packages_import_nothing_themselves() -> None:
    # Importing any module runs its package's __init__ first; empty ones keep that harmless.
    graph = exchange_graph()
    for layer in LAYERS:
        assert graph[f"{PACKAGE}.{layer}"] == set(), layer


def test_the_exchange_takes_only_shared_parts_of_the_sdk() -> None:
    graph = exchange_graph()
    taken = {b for targets in graph.values() for b in targets if not b.startswith(PACKAGE)}
    assert taken <= SDK_SHARED, f"the exchange reaches into SDK internals: {sorted(taken - SDK_SHARED)}"
    # The list stays honest: each shared part is in use.
    assert taken == SDK_SHARED


def test_model_engine_and_handlers_need_no_websockets() -> None:
    # The engine and the handlers run without any server: only services and server touch I/O.
    sdk = _sdk_modules()
    for name, path in sdk.items():
        if name.startswith(tuple(f"{PACKAGE}.{layer}" for layer in ("model", "engine", "handlers"))):
            found = imports_of(name, path.read_text(encoding="utf-8"), path.name == "__init__.py", sdk)
            assert not any(m.split(".")[0] in {"websockets", "socket", "ssl"} for m in found), name


@pytest.mark.parametrize("probe", ["missing", "unknown"])
def test_the_handler_table_answers_exactly_the_method_table(probe: str) -> None:
    assert getattr(registry, probe)() == []
    assert set(registry.HANDLERS) == set(METHODS)
    assert all(callable(h) for h in registry.HANDLERS.values())
