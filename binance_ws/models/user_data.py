"""Results of the User Data Stream methods (subscribing; the events themselves come later)."""

from __future__ import annotations

import attrs

from ._base import WireModel

__all__ = ["Subscription"]


@attrs.frozen(kw_only=True, repr=False)
class Subscription(WireModel):
    """A User Data Stream subscription of this connection.

    Events for it arrive as ``{"subscriptionId": ..., "event": {...}}`` frames; the server
    does not say which account an id belongs to, so remember it when subscribing.
    """

    subscription_id: int | None = None
