"""Typed general methods: ``ping``, ``time``, ``exchangeInfo``, ``executionRules``."""

from __future__ import annotations

from typing import NoReturn

from ..models.general import Empty, ServerTime
from ._base import MethodsBase

__all__ = ["GeneralMethods"]


class GeneralMethods(MethodsBase):
    """General methods of the Binance WebSocket API."""

    def ping(self, *, timeout: float | None = None, **unknown: NoReturn) -> Empty:
        """Test connectivity to the WebSocket API.

        Weight 1; security NONE.
        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/general-requests#test-connectivity

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     client.ping()
            Empty()
        """
        result: Empty = self._call("ping", {}, Empty, timeout=timeout, unknown=unknown)
        return result

    def time(self, *, timeout: float | None = None, **unknown: NoReturn) -> ServerTime:
        """Check the server time.

        Weight 1; security NONE.
        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/general-requests#check-server-time

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     client.time().server_time > 1_600_000_000_000
            True
        """
        result: ServerTime = self._call("time", {}, ServerTime, timeout=timeout, unknown=unknown)
        return result
