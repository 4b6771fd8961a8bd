"""Typed User Data Stream methods: subscribing and unsubscribing (events are consumed elsewhere)."""

from __future__ import annotations

from decimal import Decimal
from typing import NoReturn

from ..models.general import Empty
from ..models.user_data import Subscription
from ._base import MethodsBase

__all__ = ["UserDataMethods"]


class UserDataMethods(MethodsBase):
    """User Data Stream methods of the Binance WebSocket API."""

    def user_data_stream_subscribe(
        self, *, timeout: float | None = None, **unknown: NoReturn
    ) -> Subscription:
        """Subscribe to the User Data Stream of the account logged on with ``session.logon``.

        Weight 2; security USER_STREAM. Needs a connection authenticated with
        ``session.logon`` (Ed25519 key). Events then arrive as ``{subscriptionId, event}``
        frames. One active subscription per account per connection (-2035 if one is already
        active). For other accounts or without logon, use
        :meth:`user_data_stream_subscribe_signature`.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/user-data-stream-requests#subscribe-to-user-data-stream-user_stream

        Example::

            client.session_logon()
            sub = client.user_data_stream_subscribe()
            sub.subscription_id  # -> 0
        """
        result: Subscription = self._call(
            "userDataStream.subscribe", {}, Subscription, timeout=timeout, unknown=unknown
        )
        return result

    def user_data_stream_unsubscribe(
        self, *, subscription_id: int | None = None, timeout: float | None = None, **unknown: NoReturn
    ) -> Empty:
        """Unsubscribe from the User Data Stream.

        Weight 2; security NONE. Without ``subscription_id`` every subscription of the
        connection is closed; with it, only that one (if it exists). ``session.logout`` ends
        only the logon-based subscription, not the signature-based ones.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/user-data-stream-requests#unsubscribe-from-user-data-stream

        Example::

            client.user_data_stream_unsubscribe(subscription_id=sub.subscription_id)  # -> Empty()
        """
        result: Empty = self._call(
            "userDataStream.unsubscribe",
            {"subscriptionId": subscription_id},
            Empty,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def session_subscriptions(
        self, *, timeout: float | None = None, **unknown: NoReturn
    ) -> list[Subscription]:
        """List the active User Data Stream subscriptions of this connection.

        Weight 2; security NONE; data source: memory. The server gives ids only; remember
        which account each id was subscribed for.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/user-data-stream-requests#listing-all-subscriptions

        Example::

            [s.subscription_id for s in client.session_subscriptions()]  # -> [0, 1]
        """
        result: list[Subscription] = self._call(
            "session.subscriptions", {}, list[Subscription], timeout=timeout, unknown=unknown
        )
        return result

    def user_data_stream_subscribe_signature(
        self,
        *,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Subscription:
        """Subscribe to the User Data Stream of the client's API key, by signature.

        Weight 2; security USER_STREAM (signed with the client's key: ``apiKey``,
        ``timestamp`` and ``signature`` are added for you); data source: memory.

        Works on any connection, logged on or not, and one connection can subscribe several
        accounts. Per connection: at most 1,000 active subscriptions and 65,535 over its
        lifetime (then reconnect). ``recv_window`` in ms, at most 60000, up to three decimals
        (default 5000).

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/user-data-stream-requests#subscribe-to-user-data-stream-through-signature-subscription-user_stream

        Example::

            client = Client(api_key=KEY, api_secret=SECRET).connect()
            sub = client.user_data_stream_subscribe_signature()
            sub.subscription_id  # -> 0
        """
        result: Subscription = self._call(
            "userDataStream.subscribe.signature",
            {"recvWindow": recv_window},
            Subscription,
            timeout=timeout,
            unknown=unknown,
        )
        return result
