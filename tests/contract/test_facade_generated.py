"""The typed facade is generated: committed modules match the generator, and one table edit changes it.

``tools/gen_facade.py`` writes ``binance_ws/_methods/<module>.py`` from the method table, the
overlay (``tools/facade_overlay.py``) and the prose (``tools/facade_docs/``).
"""

from __future__ import annotations

import ast
import copy
import inspect
import pathlib
import typing

import attrs
import pytest

from binance_ws import Client
from binance_ws._spec import METHODS, MethodSpec, ParamSpec
from tools import facade_overlay, gen_facade, gen_spec, reference

ROOT = pathlib.Path(__file__).resolve().parents[2]
METHODS_DIR = ROOT / "binance_ws" / "_methods"

pytest.importorskip("ruff", reason="the generator formats with ruff")


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return gen_facade.render_all()


def test_committed_modules_are_generated(rendered: dict[str, str]) -> None:
    assert len(rendered) == len(facade_overlay.MODULES)
    for name, source in rendered.items():
        committed = (METHODS_DIR / name).read_text(encoding="utf-8")
        assert committed == source, f"binance_ws/_methods/{name} is stale: run python -m tools.gen_facade"
        assert committed.startswith(gen_facade.HEADER)


def test_overlay_names_exactly_the_table() -> None:
    assert set(facade_overlay.RESULTS) == set(METHODS)
    every_section = set()
    for module in facade_overlay.MODULES:
        _preamble, docs = gen_facade.load_docs(module.name)
        every_section |= set(docs)
    assert every_section == set(METHODS)


@pytest.mark.parametrize("wire", sorted(METHODS))
def test_docstring_header_comes_from_the_table(wire: str) -> None:
    spec = METHODS[wire]
    doc = " ".join((getattr(Client, spec.python_name).__doc__ or "").split())
    assert gen_facade.weight_text(spec) in doc
    assert f"security {spec.security.value}" in doc or f"Security {spec.security.value}" in doc
    assert gen_facade.docs_link(spec) in doc
    for rule, names in spec.groups:
        assert gen_facade._names(names, "or" if rule == "at_least_one" else "and") in doc


def test_weight_prose_follows_the_rules() -> None:
    assert gen_facade.weight_text(METHODS["depth"]) == (
        "Weight by ``limit`` (default 100): 1-100: 5; 101-500: 25; 501-1000: 50; 1001-5000: 250"
    )
    assert gen_facade.weight_text(METHODS["order.test"]) == (
        "Weight 20 with ``compute_commission_rates``, 1 without"
    )
    assert gen_facade.weight_text(METHODS["order.place"]) == "Weight 1 (0 when it succeeds)"
    assert gen_facade.weight_text(METHODS["ticker.24hr"]).startswith(
        "Weight by the number of symbols: 1-20: 2; 21-100: 40; 101 or more: 80"
    )


@pytest.mark.parametrize(
    "wire", sorted(w for w, r in facade_overlay.RESULTS.items() if not isinstance(r, str))
)
def test_overloads_share_the_implementation_parameters(wire: str) -> None:
    get_overloads = getattr(typing, "get_overloads", None)  # Python 3.11+
    if get_overloads is None:
        pytest.skip("typing.get_overloads needs Python 3.11")
    fn = getattr(Client, METHODS[wire].python_name)
    overloads = get_overloads(fn)
    result = facade_overlay.RESULTS[wire]
    assert isinstance(result, facade_overlay.Shape)
    assert len(overloads) == len(result.overloads) + 1
    names = list(inspect.signature(fn).parameters)
    for variant in overloads:
        assert list(inspect.signature(variant).parameters) == names
        typing.get_type_hints(variant)  # every annotation resolves
    assert inspect.signature(overloads[-1]) == inspect.signature(fn)


# -- One change in the reference --------------------------------------------------------------


def _with_new_param(record: dict[str, object]) -> dict[str, MethodSpec]:
    """The table as if the reference's order.place had gained ``record`` (before recvWindow)."""
    methods = copy.deepcopy(reference.methods())
    place = next(m for m in methods if m["method"] == "order.place")
    params = place["params"]
    at = next(i for i, p in enumerate(params) if p["name"] == "recvWindow")
    params.insert(at, record)
    row = next(r for r in gen_spec.build(methods) if r[0] == "order.place")
    spec = METHODS["order.place"]
    new = attrs.evolve(spec, params=tuple(ParamSpec(*p) for p in row[8]))
    return {**METHODS, "order.place": new}


def _order_place_defs(source: str) -> list[ast.FunctionDef]:
    tree = ast.parse(source)
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "order_place"]


def test_a_new_reference_parameter_reaches_every_signature_and_the_wire(rendered: dict[str, str]) -> None:
    record = {"name": "maxSlippagePrice", "type": "DECIMAL", "mandatory": False, "description": "x"}
    changed = gen_facade.render_all(_with_new_param(record), only=("trading", "account"))
    source = changed["trading.py"]
    defs = _order_place_defs(source)
    assert len(defs) == 6  # five overloads and the implementation
    for fn in defs:
        names = [a.arg for a in fn.args.kwonlyargs]
        assert names[names.index("peg_offset_type") + 1 : names.index("peg_offset_type") + 3] == [
            "max_slippage_price",
            "recv_window",
        ]
        arg = fn.args.kwonlyargs[names.index("max_slippage_price")]
        assert arg.annotation is not None and ast.unparse(arg.annotation) == "Decimal | str | None"
    call = next(n for n in ast.walk(defs[-1]) if isinstance(n, ast.Call))
    wire_params = call.args[1]
    assert isinstance(wire_params, ast.Dict)
    pairs = {
        ast.literal_eval(k): ast.unparse(v)
        for k, v in zip(wire_params.keys, wire_params.values, strict=True)
        if k
    }
    assert pairs["maxSlippagePrice"] == "max_slippage_price"
    # Nothing else changed: the other modules render as committed.
    assert changed["account.py"] == rendered["account.py"]
    assert source != rendered["trading.py"]


def test_an_enum_of_unknown_python_type_is_refused_not_guessed() -> None:
    record = {"name": "priceMatch", "type": "ENUM", "mandatory": False, "description": "x"}
    with pytest.raises(ValueError, match=r"priceMatch.*NAME_TYPES"):
        gen_facade.render_all(_with_new_param(record), only=("trading",))
