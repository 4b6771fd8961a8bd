"""Typed session methods: ``session.logon``, ``session.status``, ``session.logout``."""

from __future__ import annotations

from decimal import Decimal
from typing import NoReturn

from ..models.session import SessionStatus
from ._base import MethodsBase

__all__ = ["SessionMethods"]


class SessionMethods(MethodsBase):
    """Session authentication methods of the Binance WebSocket API."""

    def session_logon(
        self,
        *,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> SessionStatus:
        """Log in with API key (SIGNED).

        Weight 2; security SIGNED; data source Memory.
        Authenticates the connection with the client's Ed25519 key (Binance accepts no other
        key type here; an HMAC or RSA client raises InvalidParameterError without sending).
        Afterwards signed methods travel with ``timestamp`` but without ``apiKey`` and
        ``signature``. One key per connection: logging on again replaces it.
        ``Client(..., auto_logon=True)`` calls this right after connecting.
        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/authentication-requests#log-in-with-api-key-signed

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     key = ex.keys.ed25519
            ...     with Client(ex.url, api_key=key.api_key, private_key=key.private_key_pem) as client:
            ...         status = client.session_logon()
            ...         (status.api_key == key.api_key, client.logged_on)
            (True, True)
        """
        result: SessionStatus = self._call(
            "session.logon", {"recvWindow": recv_window}, SessionStatus, timeout=timeout, unknown=unknown
        )
        return result

    def session_status(self, *, timeout: float | None = None, **unknown: NoReturn) -> SessionStatus:
        """Query session status.

        Weight 2; security NONE; data source Memory.
        ``api_key`` and ``authorized_since`` are None when the connection is not logged on.
        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/authentication-requests#query-session-status

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     client.session_status().api_key is None
            True
        """
        result: SessionStatus = self._call(
            "session.status", {}, SessionStatus, timeout=timeout, unknown=unknown
        )
        return result

    def session_logout(self, *, timeout: float | None = None, **unknown: NoReturn) -> SessionStatus:
        """Log out of the session.

        Weight 2; security NONE; data source Memory.
        Forgets the session key; the connection stays open and signed methods are signed
        one by one again. Ends the subscription of ``userDataStream.subscribe`` (but not
        those of ``userDataStream.subscribe.signature``). No effect when not logged on.
        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/authentication-requests#log-out-of-the-session

        Example::

            client.session_logout().api_key  # -> None
        """
        result: SessionStatus = self._call(
            "session.logout", {}, SessionStatus, timeout=timeout, unknown=unknown
        )
        return result
