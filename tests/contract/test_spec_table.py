"""The committed method table matches the protocol reference and the naming rule."""

from __future__ import annotations

import importlib.util
import json
import pathlib
from typing import Any

import pytest

from binance_ws._naming import to_camel, to_snake
from binance_ws._spec import METHODS
from tools import reference

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPEC_DIR = reference.SPEC_DIR


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_spec", ROOT / "tools" / "gen_spec.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spec_methods() -> list[dict[str, object]]:
    path = SPEC_DIR / "spot-ws-api-methods.json"
    if not path.exists():
        pytest.fail(f"the protocol reference is missing: {path}")
    data: list[dict[str, object]] = json.loads(path.read_text())
    return data


def test_table_is_generated_from_the_reference(spec_methods: list[dict[str, object]]) -> None:
    generator = _load_generator()
    committed = (ROOT / "binance_ws" / "_spec_data.py").read_text()
    assert generator.render(SPEC_DIR / "spot-ws-api-methods.json") == committed, (
        "binance_ws/_spec_data.py is stale: run python tools/gen_spec.py"
    )
    assert set(METHODS) == {str(m["method"]) for m in spec_methods}
    assert len(METHODS) == 55


def test_naming_round_trips_for_every_param() -> None:
    for spec in METHODS.values():
        for p in spec.params:
            assert to_camel(to_snake(p.name)) == p.name, p.name


def test_method_names_are_mechanical() -> None:
    assert METHODS["order.cancelReplace"].python_name == "order_cancel_replace"
    assert METHODS["ticker.24hr"].python_name == "ticker_24hr"
    assert METHODS["orderList.place.oto"].python_name == "order_list_place_oto"
    assert METHODS["account.rateLimits.orders"].python_name == "account_rate_limits_orders"
