"""A griffe extension for the docs site: Sphinx roles and literal blocks become Markdown.

The package's docstrings cross-reference with Sphinx roles (``:meth:`connect```,
``:class:`~binance_ws.ExecutionUnknownError```), which Markdown would show as they are.
mkdocstrings loads this file (``extensions:`` in mkdocs.yml) and rewrites each role as
inline code of its last name, ``connect`` / ``ExecutionUnknownError``, before rendering.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

__all__ = ["SphinxRoles", "literal_blocks", "plain_roles"]

_ROLE = re.compile(r":(?:meth|class|attr|func|exc|mod|data|obj):`~?([^`]+)`")


def plain_roles(text: str) -> str:
    """``:meth:`~a.b.c``` -> ```c```; ``:class:`Client``` -> ```Client```."""
    return _ROLE.sub(lambda m: f"`{m.group(1).rsplit('.', 1)[-1]}`", text)


def literal_blocks(text: str) -> str:
    """reST literal blocks (a line ending ``::``, then an indented block) as Markdown.

    ``Example::`` before a doctest becomes the Google-style ``Examples:`` section (its ``>>>``
    lines render as code); any other ``text::`` becomes ``text:`` and a fenced code block.
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped.endswith("::"):
            out.append(line)
            i += 1
            continue
        indent = len(line) - len(line.lstrip())
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        block: list[str] = []
        while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
            block.append(lines[j])
            j += 1
        while block and not block[-1].strip():
            block.pop()
        if not block:
            out.append(line)
            i += 1
            continue
        if stripped in ("Example::", "Examples::") and block[0].lstrip().startswith(">>>"):
            out += [" " * indent + "Examples:", *block, ""]
        else:
            pad = " " * indent
            inner = min(len(b) - len(b.lstrip()) for b in block if b.strip())
            out += [line[:-1] if stripped != "::" else "", "", pad + "```python"]
            out += [pad + b[inner:] if b.strip() else "" for b in block]
            out += [pad + "```", ""]
        i = j
    return "\n".join(out)


class SphinxRoles(griffe.Extension):
    """Rewrites the roles of every docstring once the object tree is built."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = literal_blocks(plain_roles(obj.docstring.value))
