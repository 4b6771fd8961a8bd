"""Results of the user data methods."""

from __future__ import annotations

__all__: list[str] = []
