"""Results of the general methods: ``ping``, ``time``, ``exchangeInfo``, ``executionRules``."""

from __future__ import annotations

import datetime as dt

import attrs

from ._base import WireModel, ms_to_datetime

__all__ = ["Empty", "ServerTime"]


@attrs.frozen(kw_only=True)
class Empty(WireModel):
    """The empty object ``{}`` some methods answer with (e.g. ``ping``)."""


@attrs.frozen(kw_only=True)
class ServerTime(WireModel):
    """The server's clock (``time``)."""

    server_time: int | None = None

    @property
    def server_datetime(self) -> dt.datetime | None:
        """``server_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.server_time)
