"""The typed facade: one mixin per method category of the Binance docs."""

from __future__ import annotations

from .account import AccountMethods
from .general import GeneralMethods
from .market import MarketMethods
from .session import SessionMethods
from .trading import TradingMethods
from .user_data import UserDataMethods

__all__ = ["AllMethods"]


class AllMethods(
    GeneralMethods, MarketMethods, SessionMethods, TradingMethods, AccountMethods, UserDataMethods
):
    """Every typed method; :class:`binance_ws.Client` derives from this."""
