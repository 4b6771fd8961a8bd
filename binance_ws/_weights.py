"""Request weights: one function, read from the method table, for the client and the local exchange.

The weight rules are data in the method table (``MethodSpec.weight_rule``, generated from the
reference by ``tools/gen_spec.py``), so the client's rate governor and the local exchange
charge the same weight for the same params.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._spec import METHODS, MethodSpec

__all__ = ["failure_weight_refund", "request_weight", "spec_for"]

#: What an unknown method (a raw ``request()`` of a name the table lacks) is charged.
UNKNOWN_WEIGHT = 1


def spec_for(method: str) -> MethodSpec | None:
    """The table row of a wire name, with or without a ``v3/`` prefix."""
    spec = METHODS.get(method)
    if spec is None and method.startswith("v3/"):
        spec = METHODS.get(method[3:])
    return spec


def request_weight(spec_or_wire: MethodSpec | str, wire_params: Mapping[str, Any] | None) -> int:
    """The request weight of one call with these wire params (what a failed one pays).

    ``spec_or_wire``: a :class:`MethodSpec` or a wire name (``"depth"``, ``"v3/depth"``);
    an unknown name costs 1. ``wire_params``: the params as sent (wire names; ``symbols``
    as a list or as its JSON text).

    >>> request_weight("depth", {"symbol": "BTCUSDT", "limit": 5000})
    250
    >>> request_weight("ticker", {"symbols": ["BTCUSDT", "ETHUSDT"]})
    8
    >>> request_weight("order.place", {})  # a successful placement pays weight_on_success: 0
    1
    """
    spec = spec_or_wire if isinstance(spec_or_wire, MethodSpec) else spec_for(spec_or_wire)
    if spec is None:
        return UNKNOWN_WEIGHT
    rule = spec.weight_rule
    if rule is None:
        return spec.weight if spec.weight is not None else UNKNOWN_WEIGHT
    return _apply(rule, wire_params or {})


def failure_weight_refund(spec: MethodSpec | None, weight: int) -> int:
    """How much of ``weight`` a successful request gets back (0 for most methods)."""
    if spec is None or spec.weight_on_success is None:
        return 0
    return max(weight - spec.weight_on_success, 0)


def _apply(rule: tuple[Any, ...], params: Mapping[str, Any]) -> int:
    kind = rule[0]
    if kind == "limit":
        _kind, name, default, bands = rule
        value = params.get(name, default)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            for highest, cost in bands:
                if value <= highest:
                    return _cost(cost, 1)
        return _cost(bands[-1][1], 1)
    if kind == "params":
        _kind, cases, fallback = rule
        for name, cost in cases:
            if _sent(params.get(name)):
                return _cost(cost, _symbol_count(params.get(name)))
        return _cost(fallback, 1)
    if kind == "symbols":
        _kind, bands, above, every = rule
        if _sent(params.get("symbol")):
            count = 1
        elif _sent(params.get("symbols")):
            count = _symbol_count(params["symbols"])
        else:
            return _cost(every, 1)
        for highest, cost in bands:
            if count <= highest:
                return _cost(cost, count)
        return _cost(above, count)
    raise ValueError(f"unknown weight rule {kind!r}")


def _sent(value: object) -> bool:
    # A boolean flag sent as false (computeCommissionRates=false) is as good as absent.
    return value is not None and value is not False and value != "false"


def _cost(cost: Any, count: int) -> int:
    if isinstance(cost, int):
        return cost
    _per, weight, cap = cost
    total = int(weight) * count
    return total if cap is None else min(total, int(cap))


def _symbol_count(value: object) -> int:
    """How many symbols a ``symbols`` param names (a list, or a JSON array in a string)."""
    if isinstance(value, str):
        if not value.startswith("["):
            return 1
        try:
            value = json.loads(value)
        except ValueError:
            return 1
    if isinstance(value, (list, tuple)):
        return max(len(value), 1)
    return 1
