"""JSON encoding and decoding: orjson when the ``fast`` extra is installed, else the stdlib."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

__all__ = ["BACKEND", "dumps", "dumps_bytes", "loads"]

loads: Callable[[str | bytes], Any]
dumps: Callable[[Any], str]
#: UTF-8 JSON, for the wire (orjson makes bytes: no decode and encode again).
dumps_bytes: Callable[[Any], bytes]


def _default(obj: Any) -> Any:
    # Decimals travel as plain digits (never "1E-7"); enums and the rest as their strings.
    if isinstance(obj, Decimal):
        return format(obj, "f")
    return str(obj)


try:
    import orjson
except ImportError:  # the default: stdlib json
    BACKEND = "json"
    loads = json.loads
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_default).encode

    def dumps_bytes(obj: Any) -> bytes:
        return dumps(obj).encode()
else:
    BACKEND = "orjson"
    loads = orjson.loads

    def dumps(obj: Any) -> str:
        return orjson.dumps(obj, default=_default).decode()

    def dumps_bytes(obj: Any) -> bytes:
        return orjson.dumps(obj, default=_default)
