"""A local Binance-compatible WebSocket API server on 127.0.0.1, for tests, demos and bots.

Needs the ``exchange`` extra: ``pip install 'binance-ws[exchange]'``. In-process, use
:class:`LocalExchange` (its demo API keys are ``ex.keys.hmac``, ``ex.keys.ed25519`` and
``ex.keys.rsa``); standalone, run ``python -m binance_ws exchange --port 9000``, which prints
its URL and those keys.

Inside, five layers, each importing only those below it: ``model`` (accounts, keys,
orders, books, symbols, events, the clock) -> ``engine`` (matching, balances, order lists,
validation) -> ``services`` (rate limits, security, user-data hub, connection limits,
sessions, the scripted market, the venue that wires them) -> ``handlers`` (one table per
method group, merged in ``handlers.registry``) -> ``server`` (websockets I/O, lifecycle,
fault injection, the request pipeline). Only :class:`LocalExchange` and :class:`Fault` are
public.

Example::

    >>> from binance_ws import Client
    >>> from binance_ws.exchange import LocalExchange
    >>> with LocalExchange() as ex, Client(ex.url) as client:
    ...     client.request("time").status
    200
"""

from __future__ import annotations

from .server.exchange import LocalExchange
from .server.faults import Fault

__all__ = ["Fault", "LocalExchange"]
