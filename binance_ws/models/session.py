"""Results of the session methods: ``session.logon``, ``session.status``, ``session.logout``."""

from __future__ import annotations

import datetime as dt

import attrs

from .._signing import redact
from ._base import WireModel, ms_to_datetime

__all__ = ["SessionStatus"]


def _masked(value: object) -> str:
    return "None" if value is None else repr(redact(value))


@attrs.frozen(kw_only=True, repr=False)
class SessionStatus(WireModel):
    """The connection's authentication state (the result of all three session methods).

    ``api_key`` and ``authorized_since`` are None while the connection is not logged on.
    ``user_data_stream``: None when user-data subscriptions are unavailable, True with at
    least one active subscription, False with none. The repr masks ``api_key``.
    """

    api_key: str | None = attrs.field(default=None, repr=_masked)
    authorized_since: int | None = None
    connected_since: int | None = None
    return_rate_limits: bool | None = None
    server_time: int | None = None
    user_data_stream: bool | None = None

    @property
    def authorized_datetime(self) -> dt.datetime | None:
        """``authorized_since`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.authorized_since)

    @property
    def connected_datetime(self) -> dt.datetime | None:
        """``connected_since`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.connected_since)

    @property
    def server_datetime(self) -> dt.datetime | None:
        """``server_time`` as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.server_time)
