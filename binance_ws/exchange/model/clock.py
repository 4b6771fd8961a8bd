"""The exchange's one clock: epoch milliseconds, injectable wherever time is read.

Every layer that needs "now" takes a :data:`Clock` (default :func:`now_ms`), so a test can
run the engine or the limits on a clock of its own.

Example::

    >>> frozen: Clock = lambda: 1_700_000_000_000
    >>> frozen()
    1700000000000
    >>> now_ms() > 1_700_000_000_000
    True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeAlias

__all__ = ["Clock", "now_ms"]

#: A source of epoch milliseconds.
Clock: TypeAlias = Callable[[], int]


def now_ms() -> int:
    """The wall clock in epoch milliseconds."""
    return int(time.time() * 1000)
