"""A griffe extension for the docs site: Sphinx roles in docstrings become Markdown code.

The package's docstrings cross-reference with Sphinx roles (``:meth:`connect```,
``:class:`~binance_ws.ExecutionUnknownError```), which Markdown would show as they are.
mkdocstrings loads this file (``extensions:`` in mkdocs.yml) and rewrites each role as
inline code of its last name, ``connect`` / ``ExecutionUnknownError``, before rendering.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

__all__ = ["SphinxRoles", "plain_roles"]

_ROLE = re.compile(r":(?:meth|class|attr|func|exc|mod|data|obj):`~?([^`]+)`")


def plain_roles(text: str) -> str:
    """``:meth:`~a.b.c``` -> ```c```; ``:class:`Client``` -> ```Client```."""
    return _ROLE.sub(lambda m: f"`{m.group(1).rsplit('.', 1)[-1]}`", text)


class SphinxRoles(griffe.Extension):
    """Rewrites the roles of every docstring once the object tree is built."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = plain_roles(obj.docstring.value)
