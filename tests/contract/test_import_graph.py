"""No module of the SDK imports, through any chain, a module that imports it back.

Every import counts (module level, inside functions, under ``if TYPE_CHECKING:``), read
from the source with ``ast``. The local exchange (``binance_ws/exchange/``) is left out
here: ``tests/exchange/test_exchange_layers.py`` holds it to its own, stricter layers.
The client's modules sit above what they hold: the User Data Stream, its router and the
account tracker type their client with the protocols of ``binance_ws._client_surface``.
"""

from __future__ import annotations

import pytest
from import_graph import cycle_through, cycles, describe, imports_of, package_graph

EXCHANGE = "binance_ws.exchange"


def sdk_graph() -> dict[str, set[str]]:
    return package_graph(exclude=[EXCHANGE])


def test_the_sdk_has_no_import_cycle() -> None:
    graph = sdk_graph()
    found = cycles(graph)
    assert found == [], "import cycles in binance_ws (break each with a protocol or a lower module):\n" + (
        describe(graph, found)
    )


def test_the_graph_covers_the_sdk_and_sees_its_client_imports() -> None:
    graph = sdk_graph()
    assert len(graph) > 60
    assert not any(m == EXCHANGE or m.startswith(EXCHANGE + ".") for m in graph)
    # The edges that used to close the circle run one way now.
    client = graph["binance_ws._client"]
    assert {"binance_ws._paging", "binance_ws._userdata_client", "binance_ws._methods"} <= client
    assert "binance_ws._tracker" in graph["binance_ws._userdata_client"]
    assert "binance_ws._userdata" in graph["binance_ws._tracker"]
    for holder in ("_paging", "_userdata", "_userdata_client", "_tracker", "_client_surface"):
        assert "binance_ws._client" not in graph[f"binance_ws.{holder}"], holder


def test_every_kind_of_import_is_an_edge() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import binance_ws.enums\n"
        "from . import _json\n"
        "from ._methods import AllMethods\n"
        "from .models.account import Order\n"
        "if TYPE_CHECKING:\n"
        "    from ._client import Client\n"
        "def late():\n"
        "    from ._tracker import AccountTracker\n"
    )
    known = {
        "binance_ws._json",
        "binance_ws._methods",
        "binance_ws.models.account",
        "binance_ws._client",
        "binance_ws._tracker",
        "binance_ws.enums",
    }
    assert imports_of("binance_ws._paging", source, False, known) == known | {"typing"}
    # In a package's __init__, "." is the package itself.
    assert imports_of(
        "binance_ws.models", "from ._base import WireModel\n", True, {"binance_ws.models._base"}
    ) == {"binance_ws.models._base"}


def test_the_cycle_finder_catches_a_made_up_cycle() -> None:
    graph = {
        "pkg.a": {"pkg.b"},
        "pkg.b": {"pkg.c", "pkg.d"},
        "pkg.c": {"pkg.a"},
        "pkg.d": {"pkg.e"},
        "pkg.e": set(),
        "pkg.f": {"pkg.f"},
    }
    found = cycles(graph)
    assert found == [["pkg.a", "pkg.b", "pkg.c"], ["pkg.f"]]
    assert cycle_through(graph, found[0]) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]
    assert cycle_through(graph, found[1]) == ["pkg.f", "pkg.f"]
    text = describe(graph, found)
    assert "cycle 1: pkg.a -> pkg.b -> pkg.c -> pkg.a" in text
    assert "    pkg.c -> pkg.a" in text
    assert "pkg.d" not in text
    # The check the SDK is held to fails on this graph, with the circle in its message.
    with pytest.raises(AssertionError, match=r"pkg\.a -> pkg\.b -> pkg\.c -> pkg\.a"):
        assert cycles(graph) == [], describe(graph, cycles(graph))


def test_an_acyclic_graph_passes_and_a_non_cycle_is_refused() -> None:
    graph = {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": set()}
    assert cycles(graph) == []
    with pytest.raises(ValueError, match="not a cycle"):
        cycle_through(graph, ["pkg.a", "pkg.b"])
