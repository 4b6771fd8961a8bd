"""The matching engine of the local exchange (first version: resting books only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._server import LocalExchange

__all__ = ["Engine"]


class Engine:
    """Orders, matching and fills for every symbol."""

    def __init__(self, ex: LocalExchange) -> None:
        self.ex = ex
