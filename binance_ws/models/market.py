"""Results of the market methods."""

from __future__ import annotations

__all__: list[str] = []
