"""JSON encoding and decoding: orjson when the ``fast`` extra is installed, else the stdlib.

``loads`` raises ValueError (a ``json.JSONDecodeError`` or :class:`JSONDepthError`) for any
input it cannot decode, on both backends, so the reader thread that calls it on whatever a
server sends can skip the frame instead of dying: the stdlib decoder alone would raise
RecursionError on deeply nested input such as ``"[" * 100000``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

__all__ = ["BACKEND", "JSONDepthError", "dumps", "dumps_bytes", "loads"]

loads: Callable[[str | bytes], Any]
dumps: Callable[[Any], str]
#: UTF-8 JSON, for the wire (orjson makes bytes: no decode and encode again).
dumps_bytes: Callable[[Any], bytes]


class JSONDepthError(ValueError):
    """The document nests deeper than the decoder can follow (orjson stops at 1024 levels).

    Example::

        >>> try:
        ...     loads(b"[" * 100_000)
        ... except ValueError:
        ...     print("refused")
        refused
    """


def _default(obj: Any) -> Any:
    # Decimals travel as plain digits (never "1E-7"); enums and the rest as their strings.
    if isinstance(obj, Decimal):
        return format(obj, "f")
    return str(obj)


try:
    import orjson
except ImportError:  # the default: stdlib json
    BACKEND = "json"
    _stdlib_loads = json.loads

    def loads(data: str | bytes) -> Any:
        try:
            return _stdlib_loads(data)
        except RecursionError:  # the C scanner recurses once per nesting level
            raise JSONDepthError("the JSON document nests too deeply to decode") from None

    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_default).encode

    def dumps_bytes(obj: Any) -> bytes:
        return dumps(obj).encode()
else:
    BACKEND = "orjson"
    # Already ValueError for everything: orjson.JSONDecodeError subclasses json.JSONDecodeError,
    # depth beyond 1024 and invalid UTF-8 included. No wrapper: one call less per message.
    loads = orjson.loads

    def dumps(obj: Any) -> str:
        return orjson.dumps(obj, default=_default).decode()

    def dumps_bytes(obj: Any) -> bytes:
        return orjson.dumps(obj, default=_default)
