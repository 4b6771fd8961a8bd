"""The one handler table of the exchange: every method group's table, merged.

:data:`HANDLERS` maps each wire method name to its handler; :func:`missing` and
:func:`unknown` compare it with the method table :data:`binance_ws._spec.METHODS` (a test
keeps both empty, so no method of the table goes unanswered).

Example::

    >>> missing(), unknown()
    ([], [])
"""

from __future__ import annotations

from ..._spec import METHODS
from . import account, general, market, session, trading, userdata
from .table import Handler, Table

__all__ = ["HANDLERS", "missing", "unknown"]


def _merge(*tables: Table) -> dict[str, Handler]:
    merged: dict[str, Handler] = {}
    for table in tables:
        twice = sorted(set(merged) & set(table))
        if twice:
            raise ValueError(f"methods with two handlers: {twice}")
        merged.update(table)
    return merged


HANDLERS: dict[str, Handler] = _merge(
    general.TABLE, market.TABLE, account.TABLE, trading.TABLE, session.TABLE, userdata.TABLE
)


def missing() -> list[str]:
    """Methods of the method table that no handler answers."""
    return sorted(set(METHODS) - set(HANDLERS))


def unknown() -> list[str]:
    """Handlers of methods the method table does not have."""
    return sorted(set(HANDLERS) - set(METHODS))
