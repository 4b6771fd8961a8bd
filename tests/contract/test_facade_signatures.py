"""The facade agrees with the method table: names, order and kinds of every keyword argument."""

from __future__ import annotations

import inspect
import typing
from decimal import Decimal

import pytest

from binance_ws import Client
from binance_ws._spec import METHODS

# What each parameter kind of the method table must accept, judged by the annotation text.
KIND_MARKERS = {
    "decimal": "Decimal",
    "int": "int",
    "bool": "bool",
    "list": "Sequence[str]",
    "str": "str",
    "enum": "str",
}


@pytest.mark.parametrize("wire", sorted(METHODS))
def test_signature_matches_table(wire: str) -> None:
    spec = METHODS[wire]
    fn = getattr(Client, spec.python_name)
    sig = inspect.signature(fn)
    names = [n for n, p in sig.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    # The spec's order, with recv_window moved to the end next to timeout.
    expected = [p.python_name for p in spec.params if p.name != "recvWindow"]
    expected += ["recv_window"] * ("recvWindow" in spec.param_map) + ["timeout"]
    assert names == expected, wire
    assert "unknown" in sig.parameters and sig.parameters["unknown"].kind is inspect.Parameter.VAR_KEYWORD
    hints = typing.get_type_hints(fn)
    for p in spec.params:
        text = str(hints[p.python_name])
        assert KIND_MARKERS[p.kind] in text, f"{wire}.{p.python_name}: {text} is not a {p.kind}"
        if p.kind != "decimal":
            assert "Decimal" not in text or p.name == "recvWindow", f"{wire}.{p.python_name}: {text}"
        required = sig.parameters[p.python_name].default is inspect.Parameter.empty
        assert required == p.required, f"{wire}.{p.python_name}: mandatory={p.required}"


def test_decimal_annotations_resolve() -> None:
    hints = typing.get_type_hints(Client.order_place)
    assert Decimal in typing.get_args(hints["price"])
