"""The typed facade: one mixin per method category of the Binance docs."""

from __future__ import annotations

from ._base import MethodsBase

__all__ = ["AllMethods"]


class AllMethods(MethodsBase):
    """Every typed method; :class:`binance_ws.Client` derives from this."""
