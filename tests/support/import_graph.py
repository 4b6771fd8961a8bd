"""The import graph of the package, read from the source with ``ast``, and a cycle finder.

Every import counts: module level, inside functions and under ``if TYPE_CHECKING:``, so a
test sees what the interpreter would only see on some code paths. Relative imports are
resolved; ``from a import b`` counts ``a.b`` when that is a module, else ``a``.
"""

from __future__ import annotations

import ast
import pathlib
from collections import deque
from collections.abc import Iterable, Mapping

ROOT = pathlib.Path(__file__).resolve().parents[2]
SDK_DIR = ROOT / "binance_ws"


def module_name(path: pathlib.Path) -> str:
    """``binance_ws/models/__init__.py`` -> ``binance_ws.models``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sdk_modules() -> dict[str, pathlib.Path]:
    """Every module of the package, by dotted name."""
    return {module_name(p): p for p in SDK_DIR.rglob("*.py")}


def imports_of(module: str, source: str, is_package: bool, known: Iterable[str]) -> set[str]:
    """Every module ``source`` imports (``from a import b`` counts ``a.b`` when it is a module)."""
    known = set(known)
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base_parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return found


def package_graph(exclude: Iterable[str] = ()) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, leaving out ``exclude`` and their submodules."""
    skipped = tuple(exclude)

    def kept(name: str) -> bool:
        return not any(name == s or name.startswith(s + ".") for s in skipped)

    sdk = sdk_modules()
    graph: dict[str, set[str]] = {}
    for name, path in sdk.items():
        if kept(name):
            found = imports_of(name, path.read_text(encoding="utf-8"), path.name == "__init__.py", sdk)
            graph[name] = {m for m in found if m in sdk and kept(m)}
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected sets of more than one module (and modules importing themselves)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:  # Tarjan; the graph is small, recursion is fine
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def cycle_through(graph: Mapping[str, set[str]], component: Iterable[str]) -> list[str]:
    """One shortest circle inside ``component`` (from ``cycles``): ``[a, b, ..., a]``."""
    members = set(component)
    start = min(members)
    # Breadth first from start's successors back to start, staying inside the component.
    came_from: dict[str, str] = {}
    queue = deque(sorted(n for n in graph.get(start, ()) if n in members))
    for first in queue:
        came_from[first] = start
    while queue:
        node = queue.popleft()
        if node == start:
            break
        for nxt in sorted(graph.get(node, ())):
            if nxt in members and nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    if start not in came_from:
        raise ValueError(f"{sorted(members)} is not a cycle of the graph")
    path = [start]
    node = came_from[start]
    while node != start:
        path.append(node)
        node = came_from[node]
    path.append(start)
    path.reverse()
    return path


def describe(graph: Mapping[str, set[str]], found: list[list[str]]) -> str:
    """Each cycle as a circle of imports, then every import that ties its modules."""
    lines: list[str] = []
    for number, component in enumerate(found, 1):
        members = set(component)
        lines.append(f"cycle {number}: " + " -> ".join(cycle_through(graph, component)))
        lines.extend(f"    {a} -> {b}" for a in component for b in sorted(graph.get(a, ())) if b in members)
    return "\n".join(lines)
