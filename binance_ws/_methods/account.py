"""Typed account methods: balances, orders, order lists, trades, limits, commissions, filters.

Every method here is USER_DATA: signed, read-only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NoReturn

from ..models.account import (
    AccountCommission,
    AccountFilters,
    AccountInfo,
    AccountTrade,
    Allocation,
    Order,
    OrderAmendment,
    PreventedMatch,
    UnfilledOrderCount,
)
from ..models.trading import OrderList
from ._base import MethodsBase

__all__ = ["AccountMethods"]


class AccountMethods(MethodsBase):
    """Account methods of the Binance WebSocket API (security USER_DATA: signed)."""

    def account_status(
        self,
        *,
        omit_zero_balances: bool | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> AccountInfo:
        """Account information: permissions, commission rates and balances.

        Weight 20; security USER_DATA (signed); data source: memory, then database.
        ``omit_zero_balances=True`` leaves out the assets whose balance is zero (default: all assets).

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#account-information-user_data

        Example::

            info = client.account_status(omit_zero_balances=True)
            info.can_trade, info.balance("BTC").free
        """
        result: AccountInfo = self._call(
            "account.status",
            {
                "omitZeroBalances": omit_zero_balances,
                "recvWindow": recv_window,
            },
            AccountInfo,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def order_status(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Order:
        """Query one order.

        Weight 4; security USER_DATA (signed); data source: memory, then database.

        Give ``order_id`` or ``orig_client_order_id`` (at least one); if both are given the order is
        found by ``order_id`` and its client order id must match. Orders canceled or expired without
        any fill more than 90 days ago are archived (error -2026). A negative
        ``cummulative_quote_qty`` means the value is not available for that historical order.

        This is how to settle an :class:`~binance_ws.ExecutionUnknownError` (timeout, 5xx, lost
        connection) after placing an order: query it by the ``new_client_order_id`` you sent.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#query-order-user_data

        Example::

            order = client.order_status(symbol="BTCUSDT", orig_client_order_id="my-order-1")
            order.status, order.executed_qty
        """
        result: Order = self._call(
            "order.status",
            {
                "symbol": symbol,
                "orderId": order_id,
                "origClientOrderId": orig_client_order_id,
                "recvWindow": recv_window,
            },
            Order,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def open_orders_status(
        self,
        *,
        symbol: str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[Order]:
        """Current open orders, of one symbol or of all symbols.

        Weight 6 with ``symbol``, 80 without; security USER_DATA (signed); data source: memory, then
        database. Always one flat list; group by each order's ``symbol``.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#current-open-orders-user_data

        Example::

            for order in client.open_orders_status(symbol="BTCUSDT"):
                print(order.order_id, order.side, order.price, order.status)
        """
        result: list[Order] = self._call(
            "openOrders.status",
            {
                "symbol": symbol,
                "recvWindow": recv_window,
            },
            list[Order],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def all_orders(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[Order]:
        """The account's orders on a symbol: open, canceled and filled.

        Weight 20; security USER_DATA (signed); data source: database.

        With ``order_id``: orders with that id or higher. With ``start_time`` / ``end_time`` (epoch ms
        or µs, at most 24 hours apart) ``order_id`` is ignored and orders are filtered by the time of
        their last update. Without filters: the most recent orders. ``limit``: default 500, max 1000.
        A negative ``cummulative_quote_qty`` means the value is not available for that order.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#account-order-history-user_data

        Example::

            orders = client.all_orders(symbol="BTCUSDT", limit=1000)
            filled = [o for o in orders if o.status == "FILLED"]
        """
        result: list[Order] = self._call(
            "allOrders",
            {
                "symbol": symbol,
                "orderId": order_id,
                "startTime": start_time,
                "endTime": end_time,
                "limit": limit,
                "recvWindow": recv_window,
            },
            list[Order],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def order_list_status(
        self,
        *,
        orig_client_order_id: str | None = None,
        order_list_id: int | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderList:
        """Query one order list.

        Weight 4; security USER_DATA (signed); data source: database.

        Give ``orig_client_order_id`` (here: the list's ``list_client_order_id``) or ``order_list_id``;
        if both are given only ``orig_client_order_id`` is used. The answer names the list's orders by
        id (``orders``), without order reports.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#query-order-list-user_data

        Example::

            order_list = client.order_list_status(order_list_id=1274512)
            order_list.list_order_status  # OrderListOrderStatus.EXECUTING
        """
        result: OrderList = self._call(
            "orderList.status",
            {
                "origClientOrderId": orig_client_order_id,
                "orderListId": order_list_id,
                "recvWindow": recv_window,
            },
            OrderList,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def open_order_lists_status(
        self,
        *,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[OrderList]:
        """Current open order lists.

        Weight 6; security USER_DATA (signed); data source: memory, then database.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#current-open-order-lists-user_data

        Example::

            for order_list in client.open_order_lists_status():
                print(order_list.order_list_id, order_list.contingency_type)
        """
        result: list[OrderList] = self._call(
            "openOrderLists.status",
            {
                "recvWindow": recv_window,
            },
            list[OrderList],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def all_order_lists(
        self,
        *,
        from_id: int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[OrderList]:
        """The account's order lists.

        Weight 20; security USER_DATA (signed); data source: database.

        With ``from_id``: lists with that id or higher. With ``start_time`` / ``end_time`` (epoch ms or
        µs, at most 24 hours apart) ``from_id`` is ignored and lists are filtered by the
        ``transaction_time`` of their last update. Without filters: the most recent lists. ``limit``:
        default 500, max 1000.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#account-order-list-history-user_data

        Example::

            lists = client.all_order_lists(limit=100)
        """
        result: list[OrderList] = self._call(
            "allOrderLists",
            {
                "fromId": from_id,
                "startTime": start_time,
                "endTime": end_time,
                "limit": limit,
                "recvWindow": recv_window,
            },
            list[OrderList],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def my_trades(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        from_id: int | None = None,
        limit: int | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[AccountTrade]:
        """The account's trades on a symbol.

        Weight 20, or 5 with ``order_id``; security USER_DATA (signed); data source: memory, then
        database.

        ``from_id``: trades with that id or higher; ``order_id``: only that order's trades. Neither can
        be combined with ``start_time`` / ``end_time`` (epoch ms or µs, at most 24 hours apart).
        Without filters: the most recent trades. ``limit``: default 500, max 1000.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#account-trade-history-user_data

        Example::

            trades = client.my_trades(symbol="BTCUSDT", order_id=12569099453)
            sum(t.qty for t in trades)
        """
        result: list[AccountTrade] = self._call(
            "myTrades",
            {
                "symbol": symbol,
                "orderId": order_id,
                "startTime": start_time,
                "endTime": end_time,
                "fromId": from_id,
                "limit": limit,
                "recvWindow": recv_window,
            },
            list[AccountTrade],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def account_rate_limits_orders(
        self,
        *,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[UnfilledOrderCount]:
        """The unfilled order count: the account's usage of each ORDERS rate limit.

        Weight 40; security USER_DATA (signed); data source: memory.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#unfilled-order-count-user_data

        Example::

            for limit in client.account_rate_limits_orders():
                print(limit.interval_num, limit.interval, limit.count, "of", limit.limit)
        """
        result: list[UnfilledOrderCount] = self._call(
            "account.rateLimits.orders",
            {
                "recvWindow": recv_window,
            },
            list[UnfilledOrderCount],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def my_prevented_matches(
        self,
        *,
        symbol: str,
        prevented_match_id: int | None = None,
        order_id: int | None = None,
        from_prevented_match_id: int | None = None,
        limit: int | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[PreventedMatch]:
        """Orders that expired because of self-trade prevention (STP).

        Weight 2 by ``prevented_match_id`` (or for an unknown symbol), 20 by ``order_id``; security
        USER_DATA (signed); data source: database.

        Accepted combinations: ``symbol`` + ``prevented_match_id``; ``symbol`` + ``order_id``;
        ``symbol`` + ``order_id`` + ``from_prevented_match_id`` (+ ``limit``: default 500, max 1000).

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#account-prevented-matches-user_data

        Example::

            matches = client.my_prevented_matches(symbol="BTCUSDT", order_id=5)
            matches[0].maker_prevented_quantity
        """
        result: list[PreventedMatch] = self._call(
            "myPreventedMatches",
            {
                "symbol": symbol,
                "preventedMatchId": prevented_match_id,
                "orderId": order_id,
                "fromPreventedMatchId": from_prevented_match_id,
                "limit": limit,
                "recvWindow": recv_window,
            },
            list[PreventedMatch],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def my_allocations(
        self,
        *,
        symbol: str,
        start_time: int | None = None,
        end_time: int | None = None,
        from_allocation_id: int | None = None,
        limit: int | None = None,
        order_id: int | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[Allocation]:
        """The account's allocations from SOR orders.

        Weight 20; security USER_DATA (signed); data source: database.

        Combinations: ``symbol`` alone (oldest first); with ``start_time`` and/or ``end_time`` (epoch
        ms or µs, at most 24 hours apart); with ``from_allocation_id``; with ``order_id``, optionally
        plus ``from_allocation_id``. ``limit``: default 500, max 1000.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#account-allocations-user_data

        Example::

            allocations = client.my_allocations(symbol="BTCUSDT", order_id=500)
        """
        result: list[Allocation] = self._call(
            "myAllocations",
            {
                "symbol": symbol,
                "startTime": start_time,
                "endTime": end_time,
                "fromAllocationId": from_allocation_id,
                "limit": limit,
                "orderId": order_id,
                "recvWindow": recv_window,
            },
            list[Allocation],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def account_commission(
        self,
        *,
        symbol: str,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> AccountCommission:
        """The account's commission rates on a symbol.

        Weight 20; security USER_DATA (signed); data source: database. Standard, special and tax
        rates, and the BNB discount.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#account-commission-rates-user_data

        Example::

            rates = client.account_commission(symbol="BTCUSDT")
            rates.standard_commission.taker, rates.discount.discount
        """
        result: AccountCommission = self._call(
            "account.commission",
            {
                "symbol": symbol,
                "recvWindow": recv_window,
            },
            AccountCommission,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def order_amendments(
        self,
        *,
        symbol: str,
        order_id: int,
        from_execution_id: int | None = None,
        limit: int | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[OrderAmendment]:
        """The keep-priority amendments of one order (see :meth:`order_amend_keep_priority`).

        Weight 4; security USER_DATA (signed); data source: database. Page with
        ``from_execution_id`` and ``limit`` (default 500, max 1000).

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#query-order-amendments-user_data

        Example::

            for amendment in client.order_amendments(symbol="BTCUSDT", order_id=23):
                print(amendment.orig_qty, "->", amendment.new_qty)
        """
        result: list[OrderAmendment] = self._call(
            "order.amendments",
            {
                "symbol": symbol,
                "orderId": order_id,
                "fromExecutionId": from_execution_id,
                "limit": limit,
                "recvWindow": recv_window,
            },
            list[OrderAmendment],
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def my_filters(
        self,
        *,
        symbol: str,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> AccountFilters:
        """The filters that apply to the account on a symbol: exchange, symbol and asset filters.

        Weight 40; security USER_DATA (signed); data source: memory. The only method that shows the
        account-level ``MAX_ASSET`` filters.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/account-requests#query-relevant-filters-user_data

        Example::

            filters = client.my_filters(symbol="BTCUSDT")
            filters.filter("MAX_NUM_ORDER_LISTS").max_num_order_lists
        """
        result: AccountFilters = self._call(
            "myFilters",
            {
                "symbol": symbol,
                "recvWindow": recv_window,
            },
            AccountFilters,
            timeout=timeout,
            unknown=unknown,
        )
        return result
