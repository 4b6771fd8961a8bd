"""JSON encoding and decoding: orjson when the ``fast`` extra is installed, else the stdlib."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["BACKEND", "dumps", "loads"]

loads: Callable[[str | bytes], Any]
dumps: Callable[[Any], str]

try:
    import orjson
except ImportError:  # the default: stdlib json
    BACKEND = "json"
    loads = json.loads
    _encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)
    dumps = _encoder.encode
else:
    BACKEND = "orjson"
    loads = orjson.loads

    def _default(obj: Any) -> Any:
        # Decimal and enums travel as their exact strings.
        return str(obj)

    def dumps(obj: Any) -> str:
        return orjson.dumps(obj, default=_default).decode()
