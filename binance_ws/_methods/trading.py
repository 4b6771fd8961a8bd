"""Typed trading methods."""

from __future__ import annotations

from ._base import MethodsBase

__all__ = ["TradingMethods"]


class TradingMethods(MethodsBase):
    """trading methods of the Binance WebSocket API."""
