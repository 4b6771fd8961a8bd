"""Typed session methods."""

from __future__ import annotations

from ._base import MethodsBase

__all__ = ["SessionMethods"]


class SessionMethods(MethodsBase):
    """session methods of the Binance WebSocket API."""
