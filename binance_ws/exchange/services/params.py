"""Request parameters as the local exchange reads them: decoding and the generic checks.

Binance accepts ``"limit": "5"`` as well as ``"limit": 5``, and Binance's own SDK sends
every value as text. :func:`normalize_params` decodes text-encoded ints, bools and lists
before anything else looks at a request; :func:`check_params` then refuses unknown and
missing parameters with Binance's errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..._spec import MethodSpec
from ..model import errors as _errors

__all__ = ["check_params", "normalize_params"]

# Signing params: not in the method table, accepted on every method.
SIGNING_PARAMS = ("apiKey", "signature", "timestamp", "returnRateLimits")
# A canonical integer: re-rendering the int gives back the same text (signatures stay valid).
_CANONICAL_INT = re.compile(r"-?(0|[1-9][0-9]*)")


def check_params(spec: MethodSpec, params: dict[str, Any]) -> None:
    """Refuse unknown parameters (-1104) and missing or empty mandatory ones (-1102)."""
    unknown = [name for name in params if name not in spec.param_map and name not in SIGNING_PARAMS]
    if unknown:
        raise _errors.unread_params(len(params) - len(unknown), len(params))
    for p in spec.params:
        if p.required and params.get(p.name) in (None, ""):
            raise _errors.mandatory_missing(p.name)


def normalize_params(spec: MethodSpec | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """Params with text-encoded ints, bools and lists decoded, where the text is canonical.

    Only canonical spellings are decoded (``"5"``, not ``"05"``; ``"true"``; compact JSON
    arrays), so rendering the decoded value gives back the text that was signed.

    >>> from binance_ws._spec import METHODS
    >>> normalize_params(METHODS["depth"], {"symbol": "BTCUSDT", "limit": "5"})
    {'symbol': 'BTCUSDT', 'limit': 5}
    """
    out = dict(params)
    for name, value in params.items():
        if not isinstance(value, str):
            continue
        if name == "timestamp":
            kind = "int"
        elif name == "returnRateLimits":
            kind = "bool"
        elif spec is not None and name in spec.param_map:
            kind = spec.param_map[name].kind
        else:
            continue
        if kind == "int" and _CANONICAL_INT.fullmatch(value):
            out[name] = int(value)
        elif kind == "bool" and value in ("true", "false"):
            out[name] = value == "true"
        elif kind == "list" and value.startswith("["):
            try:
                items = json.loads(value)
            except ValueError:
                continue
            if (
                isinstance(items, list)
                and all(isinstance(i, str) for i in items)
                and json.dumps(items, separators=(",", ":"), ensure_ascii=False) == value
            ):
                out[name] = items
    return out
