"""Decimal constants and the one formatter of amounts on the wire.

Example::

    >>> from decimal import Decimal
    >>> fmt(Decimal("1.5"))
    '1.50000000'
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["EIGHT", "ZERO", "fmt"]

ZERO = Decimal(0)
#: The smallest amount the exchange keeps (8 decimals, as Binance).
EIGHT = Decimal("0.00000001")


def fmt(value: Decimal) -> str:
    """A decimal as Binance prints amounts and filter values: 8 places."""
    return f"{value:.8f}"
