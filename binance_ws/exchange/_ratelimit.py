"""Request-weight accounting of the local exchange, reported in every ``rateLimits`` array."""

from __future__ import annotations

import threading
import time
from typing import Any

from .._spec import METHODS

__all__ = ["WeightCounter", "weight_of"]

_DEPTH_WEIGHTS = ((100, 5), (500, 25), (1000, 50), (5000, 250))


def weight_of(method: str, params: dict[str, Any]) -> int:
    """The request weight of one call, as the method table and its weight rules give it."""
    spec = METHODS.get(method)
    if spec is None:
        return 1
    if spec.weight is not None:
        return spec.weight
    if method == "depth":
        limit = params.get("limit", 100)
        for bound, weight in _DEPTH_WEIGHTS:
            if isinstance(limit, int) and limit <= bound:
                return weight
        return 250
    if method.startswith("ticker"):
        symbols = params.get("symbols")
        if "symbol" in params:
            return 2 if method != "ticker" else 4
        if symbols is None:
            return 80
        n = len(symbols) if isinstance(symbols, list) else 1
        return 2 if n <= 20 else 40 if n <= 100 else 80
    return 2


class WeightCounter:
    """REQUEST_WEIGHT used in the current calendar minute (all connections share it: one IP)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._minute = 0
        self._used = 0

    def add(self, weight: int) -> int:
        """Count ``weight`` and return the minute's total so far."""
        minute = int(time.time() // 60)
        with self._lock:
            if minute != self._minute:
                self._minute, self._used = minute, 0
            self._used += weight
            return self._used

    def report(self, used: int) -> list[dict[str, Any]]:
        return [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": self.limit,
                "count": used,
            }
        ]
