"""Results of the trading methods."""

from __future__ import annotations

__all__: list[str] = []
