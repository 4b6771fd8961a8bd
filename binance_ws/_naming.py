"""The one mechanical naming rule between Binance's wire names and Python names."""

from __future__ import annotations

import functools
import re

__all__ = ["method_to_python", "to_camel", "to_snake"]

_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


@functools.lru_cache(maxsize=4096)
def to_snake(name: str) -> str:
    """``newClientOrderId`` -> ``new_client_order_id``; ``order.cancelReplace`` -> ``order_cancel_replace``."""
    return _CAMEL_HUMP.sub(r"_\1", name).lower().replace(".", "_")


@functools.lru_cache(maxsize=4096)
def to_camel(name: str) -> str:
    """``new_client_order_id`` -> ``newClientOrderId`` (the inverse of :func:`to_snake` for keys)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def method_to_python(wire: str) -> str:
    """The Client method name of a wire method: ``ticker.24hr`` -> ``ticker_24hr``."""
    return to_snake(wire)
