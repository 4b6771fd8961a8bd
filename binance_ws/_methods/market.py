"""Typed market methods."""

from __future__ import annotations

from ._base import MethodsBase

__all__ = ["MarketMethods"]


class MarketMethods(MethodsBase):
    """market methods of the Binance WebSocket API."""
