"""The method reference, generated from the method table and the facade's docstrings.

Nothing about a method is written twice: its wire name, Python name, weight, security and
parameters come from the method table (``binance_ws._spec.METHODS``, itself generated from
the protocol reference), its signature and prose from the ``Client`` method's docstring.

As a MkDocs hook (``hooks: [tools/gen_docs.py]`` in mkdocs.yml) it adds the pages
``methods/index.md`` and one ``methods/<group>.md`` per method group at build time. Run as
a script, ``python tools/gen_docs.py OUT_DIR`` writes the same pages to ``OUT_DIR`` for a look.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # mkdocs loads hooks by path; the package sits next to this folder
    sys.path.insert(0, str(ROOT))

from binance_ws import Client  # noqa: E402
from binance_ws._spec import METHODS, MethodSpec  # noqa: E402

__all__ = ["GROUPS", "method_page", "pages", "weight_text"]

#: Method groups (the table's categories) in reading order: page name and title.
GROUPS: dict[str, str] = {
    "general": "General",
    "market": "Market data",
    "session": "Session",
    "trading": "Trading",
    "account": "Account",
    "user_data_stream": "User Data Stream",
}

_ROLE = re.compile(r":(?:meth|class|attr|func|exc|mod|data):`~?([^`]+)`")
_DOCS_LINK = re.compile(r"Docs: (https://\S+)")
_EXAMPLE = re.compile(r"^(\s*)(Examples?)::\s*$")


def weight_text(spec: MethodSpec) -> str:
    """The request weight as a phrase: ``"1 (0 on success)"``, ``"by limit: ..."``."""
    rule = spec.weight_rule
    if rule is None:
        weight = spec.weight if spec.weight is not None else 1
        if spec.weight_on_success is not None and spec.weight_on_success != weight:
            return f"{weight} ({spec.weight_on_success} on success)"
        return str(weight)
    kind = rule[0]
    if kind == "limit":
        _kind, name, default, bands = rule
        shown = ", ".join(f"up to {highest}: {cost}" for highest, cost in bands)
        return f"by `{_py(name)}` (default {default}): {shown}"
    if kind == "params":
        _kind, cases, fallback = rule
        shown = "; ".join(f"with `{_py(name)}`: {_cost(cost)}" for name, cost in cases)
        return f"{shown}; otherwise {_cost(fallback)}"
    _kind, bands, above, every = rule  # "symbols"
    shown = "; ".join(f"up to {highest} symbols: {_cost(cost)}" for highest, cost in bands)
    return f"one symbol or {shown}; more: {_cost(above)}; no symbol (all): {_cost(every)}"


def _cost(cost: Any) -> str:
    if isinstance(cost, int):
        return str(cost)
    _per, weight, cap = cost
    return f"{weight} per symbol" + ("" if cap is None else f" (at most {cap})")


def _py(wire_param: str) -> str:
    return next((p.python_name for p in _all_params() if p.name == wire_param), wire_param)


def _all_params() -> Iterator[Any]:
    for spec in METHODS.values():
        yield from spec.params


def _annotation(value: Any) -> str:
    # Pipes inside a code span do not split a Markdown table cell.
    return value if isinstance(value, str) else inspect.formatannotation(value)


def _signature(name: str, fn: Callable[..., Any]) -> str:
    parts: list[str] = []
    for param in inspect.signature(fn).parameters.values():
        if param.name == "self" or param.kind is param.VAR_KEYWORD:
            continue
        if param.kind is param.KEYWORD_ONLY and "*" not in parts:
            parts.append("*")
        text = param.name
        if param.annotation is not param.empty:
            annotation = param.annotation
            text += f": {annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)}"
        if param.default is not param.empty:
            text += f" = {param.default!r}"
        parts.append(text)
    returns = inspect.signature(fn).return_annotation
    shown = returns if isinstance(returns, str) else inspect.formatannotation(returns)
    lines = ",\n".join(f"    {p}" for p in parts)
    return f"client.{name}(\n{lines},\n) -> {shown}" if parts else f"client.{name}() -> {shown}"


def _docstring(fn: Callable[..., Any], anchors: dict[str, str]) -> str:
    """The facade docstring as Markdown: rST roles become code, ``Example::`` a code block."""
    text = inspect.getdoc(fn) or ""

    def role(match: re.Match[str]) -> str:
        target = match.group(1)
        short = target.rsplit(".", 1)[-1]
        if target in anchors:
            return f"[`{short}`]({anchors[target]})"
        return f"`{short}`"

    text = _ROLE.sub(role, text)
    text = _DOCS_LINK.sub(lambda m: f"\n\n[Binance's documentation]({m.group(1)})\n\n", text)
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        example = _EXAMPLE.match(lines[i])
        if example is None:
            out.append(lines[i])
            i += 1
            continue
        out.append(f"**{example.group(2)}**")
        i += 1
        block: list[str] = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
            block.append(lines[i][4:])
            i += 1
        while block and not block[-1].strip():
            block.pop()
        while block and not block[0].strip():
            block.pop(0)
        lexer = "pycon" if block and block[0].startswith(">>>") else "python"
        out.extend(["", f"```{lexer}", *block, "```", ""])
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def _params_table(spec: MethodSpec, fn: Callable[..., Any]) -> list[str]:
    signature = inspect.signature(fn).parameters
    groups: dict[str, list[str]] = {}
    words = {
        "at_most_one": "at most one of",
        "exactly_one": "exactly one of",
        "at_least_one": "at least one of",
    }
    for rule, names in spec.groups:
        shown = ", ".join(f"`{METHODS[spec.wire].param_map[n].python_name}`" for n in names)
        for name in names:
            groups.setdefault(name, []).append(f"{words.get(rule, rule)} {shown}")
    rows = ["| Python | Wire | Type | Mandatory | Rule |", "|---|---|---|---|---|"]
    for param in spec.params:
        annotation = signature[param.python_name].annotation if param.python_name in signature else param.kind
        rule = "; ".join(groups.get(param.name, ()))
        mandatory = "yes" if param.required else ""
        rows.append(
            f"| `{param.python_name}` | `{param.name}` | `{_annotation(annotation)}` | {mandatory} | {rule} |"
        )
    rows.append("| `timeout` | (local) | `float | None` |  | seconds to wait for the answer |")
    return rows


def method_page(group: str, anchors: dict[str, str]) -> str:
    """The Markdown page of one method group."""
    title = GROUPS[group]
    specs = [spec for spec in METHODS.values() if spec.category == group]
    lines = [
        f"# {title} methods",
        "",
        "Generated from the method table and the methods' docstrings (see "
        "[Methods](index.md) for the naming rules).",
        "",
    ]
    for spec in specs:
        name = spec.python_name
        fn = getattr(Client, name)
        security = spec.security.value + (" (signed)" if spec.signed else "")
        facts = [
            f"wire `{spec.wire}`",
            f"security {security}",
            f"weight {weight_text(spec)}",
        ]
        if spec.unfilled_order_count:
            facts.append(f"unfilled order count +{spec.unfilled_order_count}")
        if spec.data_source:
            facts.append(f"data source {spec.data_source}")
        if spec.changes_state:
            facts.append(
                "changes state (see [unknown outcomes](../errors.md#when-an-orders-fate-is-unknown))"
            )
        if spec.deprecated:
            facts.append("**deprecated**")
        lines += [
            f"## `{name}` {{#{name}}}",
            "",
            f"*{spec.title}*: " + "; ".join(facts) + ".",
            "",
            "```python",
            _signature(name, fn),
            "```",
            "",
            *_params_table(spec, fn),
            "",
            _docstring(fn, anchors),
        ]
    return "\n".join(lines).rstrip() + "\n"


def index_page() -> str:
    """Every method in one table, linked to its section."""
    lines = [
        "# Methods",
        "",
        "Every method of the WebSocket API is a blocking method of `Client`, named mechanically "
        "from the wire name (`order.cancelReplace` → `client.order_cancel_replace(...)`, "
        "`ticker.24hr` → `client.ticker_24hr(...)`), with keyword arguments named from the wire "
        "parameters (`newClientOrderId` → `new_client_order_id`) and results as attrs models "
        "with snake_case fields. Every method also takes `timeout=` (seconds) and signed ones "
        "`recv_window=`. `client.request(method, params)` sends anything else as it is.",
        "",
        "These pages are generated at build time from the method table "
        "(`binance_ws/_spec_data.py`, itself generated from the protocol reference) and the "
        "methods' docstrings.",
        "",
        "| Wire name | Python method | Weight | Security |",
        "|---|---|---|---|",
    ]
    for spec in METHODS.values():
        link = f"{spec.category}.md#{spec.python_name}"
        security = spec.security.value + (" (signed)" if spec.signed else "")
        deprecated = " (deprecated)" if spec.deprecated else ""
        lines.append(
            f"| `{spec.wire}` | [`{spec.python_name}`]({link}){deprecated} | "
            f"{weight_text(spec)} | {security} |"
        )
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    """Every generated page: its path under ``docs/`` and its Markdown."""
    # Cross-references from docstrings (:meth:`order_status`) link to the method's section.
    anchors: dict[str, str] = {}
    for spec in METHODS.values():
        anchors[spec.python_name] = f"{spec.category}.md#{spec.python_name}"
        anchors[f"Client.{spec.python_name}"] = anchors[spec.python_name]
    out = {"methods/index.md": index_page()}
    for group in GROUPS:
        out[f"methods/{group}.md"] = method_page(group, anchors)
    missing = {spec.category for spec in METHODS.values()} - set(GROUPS)
    if missing:
        raise ValueError(f"method groups without a page: {sorted(missing)}; add them to GROUPS")
    return out


# -- the MkDocs hook -----------------------------------------------------------------------


def on_files(files: Any, config: Any) -> Any:
    """MkDocs hook: add the generated method pages to the site's files."""
    from mkdocs.structure.files import File

    for path, content in pages().items():
        files.append(File.generated(config, path, content=content))
    return files


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tools/gen_docs.py OUT_DIR")
        return 2
    out = Path(argv[0])
    for path, content in pages().items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
