"""What a User Data Stream tells besides events: lost connections and lost events.

:class:`StreamGap` marks where a lost connection may have cost events;
:class:`EventsLostError` where a full queue (the iterator's buffer or the handlers')
dropped them. ``_Lost`` is how a queue records such a gap in place until it is consumed.
"""

from __future__ import annotations

import collections
import datetime as dt
from typing import Any

import attrs

from ._errors import BinanceWSError
from .models._base import ms_to_datetime

__all__ = ["EventsLostError", "StreamGap"]


class EventsLostError(BinanceWSError):
    """Events were dropped because a queue of the stream was full (its consumer was too slow).

    ``where`` is ``"buffer"`` when the iterator's buffer overflowed: raised by the iterator
    (and :meth:`UserDataStream.get`) at the place of the gap; the events before it were
    delivered, iterating again goes on with the ones after it. It is ``"handlers"`` when
    the handlers' queue overflowed: then it is not raised but given to the
    :meth:`UserDataStream.on_lost` handlers, at the place of the gap in the handlers' order.
    ``count`` events were lost; ``first_time`` / ``last_time`` are their event times (ms).
    """

    def __init__(
        self, count: int, first_time: int | None, last_time: int | None, *, where: str = "buffer"
    ) -> None:
        fix = (
            "make the handlers faster, or pass a larger handler_queue_size= to user_data()"
            if where == "handlers"
            else "consume faster, or pass a larger buffer_size= to user_data()"
        )
        queue = "the handlers' queue" if where == "handlers" else "the stream's buffer"
        super().__init__(f"{count} user data events were lost: {queue} was full ({fix})")
        self.count = count
        self.first_time = first_time
        self.last_time = last_time
        self.where = where

    @property
    def first_datetime(self) -> dt.datetime | None:
        return ms_to_datetime(self.first_time)

    @property
    def last_datetime(self) -> dt.datetime | None:
        return ms_to_datetime(self.last_time)


class _Lost:
    __slots__ = ("count", "first_time", "last_time")

    def __init__(self, event_time: Any) -> None:
        self.count = 1
        self.first_time = event_time if type(event_time) is int else None
        self.last_time = self.first_time

    def add(self, event_time: Any) -> None:
        self.count += 1
        if type(event_time) is int:
            self.last_time = event_time
            if self.first_time is None:
                self.first_time = event_time

    def error(self, where: str = "buffer") -> EventsLostError:
        return EventsLostError(self.count, self.first_time, self.last_time, where=where)


@attrs.frozen
class StreamGap:
    """The connection was lost: events between ``start_time`` and ``end_time`` may be missing.

    ``start_time`` is the event time of the last event received before the drop (or when the
    lost subscription began), ``end_time`` when the new subscription went live (ms, epoch).
    Re-read what you need (e.g. ``account_status``, ``open_orders_status``) to catch up.
    """

    start_time: int
    end_time: int
    reason: str = ""

    @property
    def start_datetime(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.start_time / 1000, tz=dt.timezone.utc)

    @property
    def end_datetime(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.end_time / 1000, tz=dt.timezone.utc)


def _drop(queue: collections.deque[Any], when: Any) -> None:
    """Record one lost event at the end of ``queue``: a new gap, or the one already there."""
    last = queue[-1] if queue else None
    if type(last) is _Lost:
        last.add(when)
    else:
        queue.append(_Lost(when))
