"""Typed account methods."""

from __future__ import annotations

from ._base import MethodsBase

__all__ = ["AccountMethods"]


class AccountMethods(MethodsBase):
    """account methods of the Binance WebSocket API."""
