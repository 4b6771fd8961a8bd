"""Client order ids the SDK gives the orders a call places when the caller gave none.

With an id of its own, an order whose request got no usable answer (a timeout, a 5xx, a
lost connection) can still be looked up: see :meth:`binance_ws.Client.resolve_unknown`.

An id is ``"bws"``, a random token drawn once per process (again in a forked child) and a
counter, e.g. ``bws3f9a1c0d2e4b5a6f-1a``: at most 36 characters of ``[a-zA-Z0-9-_]``, as
Binance allows, unique across the clients, threads and processes of a machine (64 random
bits per process). Making one costs a counter step and a string format: no system call.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Mapping
from typing import Any

from ._spec import METHODS, MethodSpec

__all__ = ["PREFIX", "fill_client_ids", "generated_names", "is_generated", "new_client_order_id"]

#: How every generated client order id starts.
PREFIX = "bws"


class _State:
    prefix = ""
    counter: itertools.count[int] = itertools.count(1)

    @classmethod
    def reseed(cls) -> None:
        # A forked child must not repeat its parent's ids: new token, new counter.
        cls.prefix = f"{PREFIX}{secrets.token_hex(8)}-"
        cls.counter = itertools.count(1)


_State.reseed()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_State.reseed)


def new_client_order_id() -> str:
    """A fresh client order id (``bws`` + 16 hex digits + ``-`` + a hex counter).

    Example::

        >>> from binance_ws._client_ids import new_client_order_id
        >>> a, b = new_client_order_id(), new_client_order_id()
        >>> a != b and a.startswith("bws") and len(a) <= 36
        True
    """
    # next() on itertools.count is atomic under the GIL: no lock needed across threads.
    return f"{_State.prefix}{next(_State.counter):x}"


def is_generated(client_order_id: object) -> bool:
    """True for an id this SDK generated (``bws`` + 16 hex digits + ``-`` + counter)."""
    return (
        isinstance(client_order_id, str)
        and len(client_order_id) > 20
        and client_order_id.startswith(PREFIX)
        and client_order_id[19] == "-"
    )


def _new_order_id_params(spec: MethodSpec) -> tuple[str, ...]:
    """The params of ``spec`` that name an order (or list) the call creates.

    Only methods that place orders (their unfilled-order count is positive) get ids; of
    their ``*ClientOrderId`` params, those naming an existing order (``orig...``) or the
    cancel half of a cancel-replace (``cancel...``) are left to the caller.
    """
    if not spec.changes_state or not spec.unfilled_order_count:
        return ()
    return tuple(
        p.name
        for p in spec.params
        if p.name.endswith("ClientOrderId") and not p.name.startswith(("orig", "cancel"))
    )


_GENERATED: Mapping[str, tuple[str, ...]] = {
    wire: names for wire, spec in METHODS.items() if (names := _new_order_id_params(spec))
}


def generated_names(wire: str) -> tuple[str, ...]:
    """The wire params the SDK fills for ``wire`` when the caller leaves them out.

    Example::

        >>> from binance_ws._client_ids import generated_names
        >>> generated_names("orderList.place.oco")
        ('listClientOrderId', 'aboveClientOrderId', 'belowClientOrderId')
    """
    return _GENERATED.get(wire, ())


def fill_client_ids(wire: str, params: dict[str, Any]) -> None:
    """Give every order ``params`` creates a client order id, unless the caller gave one."""
    for name in _GENERATED.get(wire, ()):
        if name not in params:
            params[name] = new_client_order_id()
