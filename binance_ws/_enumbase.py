"""The base of every Binance enum: a ``str`` enum that accepts values it does not know yet."""

from __future__ import annotations

import enum
import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)

_lock = threading.Lock()


class BinanceEnum(str, enum.Enum):
    """A Binance enumeration; compares equal to its wire string.

    A value the server sends that the SDK does not list yet becomes a new member of the
    enum (named as the value) instead of an error, logged once at DEBUG, so a new order
    status or filter type added by Binance never breaks parsing::

        >>> from binance_ws.enums import OrderStatus
        >>> OrderStatus("FILLED") is OrderStatus.FILLED
        True
        >>> OrderStatus("SOMETHING_NEW").value
        'SOMETHING_NEW'
    """

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        with _lock:
            known = cls._value2member_map_.get(value)
            if known is not None:
                return known
            member = str.__new__(cls, value)
            member._name_ = value
            member._value_ = value
            cls._value2member_map_[value] = member
        logger.debug("new %s value from the server: %r", cls.__name__, value)
        return member
