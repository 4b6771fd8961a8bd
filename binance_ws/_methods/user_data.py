"""Typed user data methods."""

from __future__ import annotations

from ._base import MethodsBase

__all__ = ["UserDataMethods"]


class UserDataMethods(MethodsBase):
    """user data methods of the Binance WebSocket API."""
