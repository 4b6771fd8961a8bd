"""A local Binance-compatible WebSocket API server on 127.0.0.1, for tests, demos and bots.

Needs the ``exchange`` extra: ``pip install 'binance-ws[exchange]'``. In-process, use
:class:`LocalExchange` (its demo API keys are ``ex.keys.hmac``, ``ex.keys.ed25519`` and
``ex.keys.rsa``); standalone, run ``python -m binance_ws exchange --port 9000``, which prints
its URL and those keys.

Example::

    >>> from binance_ws import Client
    >>> from binance_ws.exchange import LocalExchange
    >>> with LocalExchange() as ex, Client(ex.url) as client:
    ...     client.request("time").status
    200
"""

from __future__ import annotations

from ._faults import Fault
from ._server import LocalExchange

__all__ = ["Fault", "LocalExchange"]
