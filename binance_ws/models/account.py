"""Results of the account methods."""

from __future__ import annotations

__all__: list[str] = []
