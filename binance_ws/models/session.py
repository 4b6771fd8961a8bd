"""Results of the session methods."""

from __future__ import annotations

__all__: list[str] = []
