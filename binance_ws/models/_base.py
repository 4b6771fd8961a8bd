"""The base of every result model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["WireModel", "ms_to_datetime"]


def ms_to_datetime(ms: int | None) -> dt.datetime | None:
    """Epoch milliseconds as a timezone-aware UTC datetime (``None`` stays ``None``)."""
    if ms is None:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)


@attrs.frozen(kw_only=True)
class WireModel:
    """A typed view of a JSON object from the server.

    Every field is optional (``None`` when the server leaves it out). Fields the SDK does not
    know yet are kept in :attr:`extra`, and :func:`binance_ws.unstructure` gives back the
    exact document the server sent.
    """

    #: Keys the server sent that this model has no field for (``None`` when there are none).
    extra: Mapping[str, Any] | None = attrs.field(default=None, init=False, repr=False, eq=False)
    # The keys as received, in order, so unstructuring reproduces the document exactly.
    _wire_keys: tuple[str, ...] | None = attrs.field(default=None, init=False, repr=False, eq=False)
