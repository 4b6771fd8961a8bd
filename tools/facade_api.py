"""Print the typed facade's public surface as JSON, to compare two revisions.

``python -m tools.facade_api > before.json`` on one revision and again on another, then diff:
every public method of :class:`binance_ws.Client` with its signature, resolved type hints and
overloads (``typing.get_overloads``, Python 3.11+).
"""

from __future__ import annotations

import inspect
import json
import sys
import typing
from collections.abc import Callable
from typing import Any

from binance_ws import Client


def _hints(fn: Callable[..., Any]) -> dict[str, str]:
    try:
        return {k: repr(v) for k, v in typing.get_type_hints(fn).items()}
    except NameError as exc:  # an annotation only a type checker resolves
        return {"unresolved": str(exc)}


def surface() -> dict[str, Any]:
    get_overloads: Callable[[Any], list[Any]] = getattr(typing, "get_overloads", lambda fn: [])
    out = {}
    for name in sorted(dir(Client)):
        fn = getattr(Client, name)
        if name.startswith("_") or not inspect.isfunction(fn):
            continue
        out[name] = {
            "module": fn.__module__,
            "signature": str(inspect.signature(fn)),
            "hints": _hints(fn),
            "overloads": [
                {"signature": str(inspect.signature(o)), "hints": _hints(o)} for o in get_overloads(fn)
            ],
        }
    return out


if __name__ == "__main__":
    json.dump(surface(), sys.stdout, indent=1, sort_keys=True)
    print()
