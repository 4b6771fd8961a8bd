"""Regenerate ``binance_ws/_spec_data.py`` from the protocol reference.

Usage: ``python tools/gen_spec.py [path/to/spot-ws-api-methods.json]``
(default: the in-repo copy, ``spec/spot-ws-api-methods.json``). ``tests/contract/test_spec_table.py`` runs
:func:`render` and fails when the committed table and the reference disagree.
"""

from __future__ import annotations

import json
import pathlib
import pprint
import re
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "spec" / "spot-ws-api-methods.json"
OUT = ROOT / "binance_ws" / "_spec_data.py"

# Added by signing or session logon, never passed by the caller.
SIGNING_PARAMS = {"apiKey", "signature", "timestamp"}
KINDS = {
    "STRING": "str",
    "ENUM": "enum",
    "DECIMAL": "decimal",
    "LONG": "int",
    "INT": "int",
    "BOOLEAN": "bool",
    "ARRAY of STRING": "list",
}
# Doc table quirks: `symbols` travels as an array everywhere, and iceberg quantities are
# decimals in every other method (LONG here would refuse "0.5").
KIND_FIXES = {
    ("executionRules", "symbols"): "list",
    ("orderList.place.oco", "aboveIcebergQty"): "decimal",
    ("orderList.place.oco", "belowIcebergQty"): "decimal",
}
# Mutual exclusions stated only in prose notes.
EXTRA_GROUPS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "executionRules": [("at_most_one", ("symbol", "symbols", "symbolStatus"))],
    "exchangeInfo": [
        ("at_most_one", ("symbol", "symbols", "permissions")),
        ("at_most_one", ("symbol", "symbolStatus")),
        ("at_most_one", ("symbols", "symbolStatus")),
    ],
    "ticker.24hr": [("at_most_one", ("symbol", "symbols"))],
    "myTrades": [
        ("at_most_one", ("fromId", "startTime")),
        ("at_most_one", ("fromId", "endTime")),
        ("at_most_one", ("orderId", "startTime")),
        ("at_most_one", ("orderId", "endTime")),
    ],
    "ticker.price": [("at_most_one", ("symbol", "symbols"))],
    "ticker.book": [("at_most_one", ("symbol", "symbols"))],
}


# Request weight rules, as data: the reference's tables parse mechanically; its prose (a
# condition, a cost, a rule sentence) is read through these maps, the one place it is
# interpreted. A rule is one of
#   ("limit", param, default, ((highest value, cost), ...))   by a param's value (depth)
#   ("params", ((param, cost), ...), fallback)                the first param sent decides
#   ("symbols", ((highest count, cost), ...), above, all)     by how many symbols are asked
# and a cost is an int or ("per_symbol", weight, cap or None).
PROSE_CONDITIONS: dict[str, str | None] = {
    # condition / case -> the param whose presence selects it (None: the fallback)
    "Without computeCommissionRates": None,
    "With computeCommissionRates": "computeCommissionRates",
    "Without orderId": None,
    "With orderId": "orderId",
    "If symbol is invalid": None,
    "Querying by preventedMatchId": "preventedMatchId",
    "Querying by orderId": "orderId",
}
PROSE_COSTS: dict[str, tuple[str, int, int | None]] = {
    "2 per symbol, capped at 40": ("per_symbol", 2, 40),
    "4 per symbol": ("per_symbol", 4, None),
}
PROSE_RULES: dict[str, tuple[Any, ...]] = {
    "4 per requested symbol; capped at 200 once more than 50 symbols are requested": (
        "symbols",
        ((50, ("per_symbol", 4, None)),),
        200,
        200,
    ),
}


def _cost(value: object) -> Any:
    return value if isinstance(value, int) else PROSE_COSTS[str(value)]


def _highest(text: str) -> int:
    """The upper end of a range such as ``"101-500"`` (the reference writes an en dash)."""
    return int(re.split("[\u2013-]", text)[-1])


def weight_rule(weight: Any) -> tuple[Any, ...] | None:
    """The structured rule of a varying weight (None for a plain number)."""
    if isinstance(weight, int):
        return None
    if "rule" in weight:
        return PROSE_RULES[weight["rule"]]
    table = weight["table"]
    if weight["based_on"] == "value of `limit`":
        bands = tuple((_highest(row["limit"]), _cost(row["weight"])) for row in table)
        # Without `limit` the server's default (100) applies: the first band.
        return ("limit", "limit", bands[0][0], bands)
    if weight["based_on"] == "number of symbols":
        counts: list[tuple[int, Any]] = []
        above, every = None, None
        for row in table:
            text = row["symbols"]
            if text == "all symbols":
                every = _cost(row["weight"])
            elif text.endswith("or more"):
                above = _cost(row["weight"])
            else:
                counts.append((_highest(text), _cost(row["weight"])))
        last = counts[-1][1]
        return ("symbols", tuple(counts), last if above is None else above, last if every is None else every)
    cases: list[tuple[str, Any]] = []
    fallback = None
    for row in table:
        if "parameter" in row:
            name = None if row["parameter"].lower() == "none" else row["parameter"]
        else:
            name = PROSE_CONDITIONS[row.get("condition", row.get("case"))]
        if name is None:
            fallback = _cost(row["weight"])
        else:
            cases.append((name, _cost(row["weight"])))
    assert fallback is not None, weight
    return ("params", tuple(cases), fallback)


def _group_kind(mandatory: object) -> str:
    text = str(mandatory)
    if "exactly one" in text:
        return "exactly_one"
    if text.startswith("conditional"):
        return "at_least_one"
    return "at_most_one"


def build(methods: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    rows = []
    for m in methods:
        params = []
        groups: dict[tuple[str, ...], str] = {}
        loose: list[str] = []
        for p in m["params"]:
            name = p["name"]
            if name in SIGNING_PARAMS:
                continue
            kind = KIND_FIXES.get((m["method"], name), KINDS[p["type"]])
            params.append((name, kind, p["mandatory"] is True))
            group = p.get("mandatory_group")
            if group:
                groups[tuple(group)] = _group_kind(p["mandatory"])
            elif str(p["mandatory"]).startswith("conditional: ") and (
                "must be sent" in str(p["mandatory"]) or "at least one of" in str(p["mandatory"])
            ):
                loose.append(name)
        if loose:
            groups[tuple(loose)] = "at_least_one"
        group_rows = [(kind, names) for names, kind in groups.items()]
        extra: list[tuple[str, tuple[str, ...]]] = EXTRA_GROUPS.get(m["method"], [])
        group_rows += [g for g in extra if g not in group_rows]
        by_type = m.get("mandatory_by_order_type")
        by_type_rows = None
        if by_type:
            by_type_rows = {
                t: tuple(r if isinstance(r, str) else tuple(r["one_of"]) for r in reqs)
                for t, reqs in by_type.items()
            }
        weight = m["weight"]
        rows.append(
            (
                m["method"],
                m["category"],
                m["security"],
                m["signed"],
                weight if isinstance(weight, int) else None,
                m.get("unfilled_order_count", 0),
                m["deprecated"],
                m["title"],
                tuple(params),
                tuple(group_rows),
                by_type_rows,
                m["data_source"],
                weight_rule(weight),
                m.get("weight_on_success"),
            )
        )
    return rows


def render(spec_path: pathlib.Path = DEFAULT_SPEC) -> str:
    methods = json.loads(spec_path.read_text())
    body = pprint.pformat(build(methods), width=100, sort_dicts=False)
    return (
        '"""Generated by tools/gen_spec.py from spot-ws-api-methods.json: do not edit by hand.\n\n'
        "Rows: (wire name, category, security, signed, weight or None when it varies,\n"
        "unfilled order count, deprecated, title, params as (name, kind, mandatory),\n"
        "param groups as (rule, names), mandatory params by order type or None,\n"
        "data source as documented (e.g. 'Matching Engine', 'Memory') or None,\n"
        "weight rule or None (see tools/gen_spec.py), weight of a successful request or None).\n"
        '"""\n\n'
        "from typing import Any\n\n"
        f"ROWS: list[tuple[Any, ...]] = {body}\n"
    )


if __name__ == "__main__":
    path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SPEC
    OUT.write_text(render(path))
    print(f"wrote {OUT}")
