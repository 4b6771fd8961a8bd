"""Typed trading methods that change open orders: cancel, cancel-replace, amend, cancel all."""

from __future__ import annotations

from decimal import Decimal
from typing import NoReturn

from ..enums import (
    CancelReplaceMode,
    CancelRestrictions,
    OrderRateLimitExceededMode,
    OrderResponseType,
    OrderType,
    PegOffsetType,
    PegPriceType,
    SelfTradePreventionMode,
    Side,
    TimeInForce,
)
from ..models.trading import AmendKeepPriorityResult, CancelReplaceOutcome, CancelReport
from ._base import MethodsBase

__all__ = ["OrderChangeMethods"]


class OrderChangeMethods(MethodsBase):
    """Cancel, replace and amend orders (part of the trading methods)."""

    def order_cancel(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
        new_client_order_id: str | None = None,
        cancel_restrictions: CancelRestrictions | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> CancelReport:
        """Cancel an open order.

        Weight 1; security TRADE (signed); data source: matching engine.

        Give ``order_id`` or ``orig_client_order_id`` (at least one; ``order_id`` alone is fastest). If
        both are given the order is found by ``order_id`` and its client order id must equal
        ``orig_client_order_id``, else the request is rejected. ``new_client_order_id`` renames the
        canceled order, freeing its old id. ``cancel_restrictions`` (``ONLY_NEW`` /
        ``ONLY_PARTIALLY_FILLED``) cancels only an order in that status (error -2011 otherwise).

        Canceling an order that belongs to an order list cancels the whole list; the
        :class:`~binance_ws.models.CancelReport` then has the order-list shape (``is_order_list``).

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#cancel-order-trade

        Example::

            report = client.order_cancel(symbol="BTCUSDT", order_id=12569099453)
            report.status  # OrderStatus.CANCELED
        """
        result: CancelReport = self._call(
            "order.cancel",
            {
                "symbol": symbol,
                "orderId": order_id,
                "origClientOrderId": orig_client_order_id,
                "newClientOrderId": new_client_order_id,
                "cancelRestrictions": cancel_restrictions,
                "recvWindow": recv_window,
            },
            CancelReport,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def order_cancel_replace(
        self,
        *,
        symbol: str,
        cancel_replace_mode: CancelReplaceMode | str,
        cancel_order_id: int | None = None,
        cancel_orig_client_order_id: str | None = None,
        cancel_new_client_order_id: str | None = None,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str | None = None,
        quote_order_qty: Decimal | str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        stop_price: Decimal | str | None = None,
        trailing_delta: Decimal | str | int | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        cancel_restrictions: CancelRestrictions | str | None = None,
        order_rate_limit_exceeded_mode: OrderRateLimitExceededMode | str | None = None,
        peg_price_type: PegPriceType | str | None = None,
        peg_offset_value: int | None = None,
        peg_offset_type: PegOffsetType | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> CancelReplaceOutcome:
        """Cancel an order and place a new one in the same request.

        Weight 1; security TRADE (signed); data source: matching engine. Adds 1 to the unfilled order
        count, also when the new order is not attempted.

        Give ``cancel_order_id`` or ``cancel_orig_client_order_id`` (at least one; if both, the id
        wins and the client id must match). The new order takes the :meth:`order_place` parameters
        with the same mandatory-by-type rules. ``cancel_replace_mode``: ``STOP_ON_FAILURE`` places the
        new order only if the cancel succeeded, ``ALLOW_FAILURE`` tries it either way.
        ``order_rate_limit_exceeded_mode``: with ``DO_NOTHING`` (default) nothing is canceled when the
        unfilled order count is exceeded (429, -1015); ``CANCEL_ONLY`` still cancels. Canceling an
        order of an order list cancels the whole list.

        The request is not atomic. A 200 answer means both halves succeeded; the
        :class:`~binance_ws.models.CancelReplaceOutcome`'s ``new_order_response`` has the fields of the
        requested ``new_order_resp_type``. Otherwise the client raises
        :class:`~binance_ws.PartialSuccessError` (409, -2021: one half succeeded) or
        :class:`~binance_ws.BadRequestError` (400, -2022: neither did), both carrying the two halves in
        ``data``: :meth:`CancelReplaceOutcome.from_error <binance_ws.models.CancelReplaceOutcome.from_error>`
        types them.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#cancel-and-replace-order-trade

        Example::

            try:
                outcome = client.order_cancel_replace(
                    symbol="BTCUSDT", cancel_replace_mode="STOP_ON_FAILURE", cancel_order_id=12569099453,
                    side="SELL", type="LIMIT", time_in_force="GTC", price=Decimal("23416.10"),
                    quantity=Decimal("0.00847"))
            except PartialSuccessError as exc:
                outcome = CancelReplaceOutcome.from_error(exc)
                if outcome.new_order_result == "FAILURE":  # the old order is canceled nonetheless
                    log.warning("new order failed: %s", outcome.new_order_response.msg)
        """
        result: CancelReplaceOutcome = self._call(
            "order.cancelReplace",
            {
                "symbol": symbol,
                "cancelReplaceMode": cancel_replace_mode,
                "cancelOrderId": cancel_order_id,
                "cancelOrigClientOrderId": cancel_orig_client_order_id,
                "cancelNewClientOrderId": cancel_new_client_order_id,
                "side": side,
                "type": type,
                "timeInForce": time_in_force,
                "price": price,
                "quantity": quantity,
                "quoteOrderQty": quote_order_qty,
                "newClientOrderId": new_client_order_id,
                "newOrderRespType": new_order_resp_type,
                "stopPrice": stop_price,
                "trailingDelta": trailing_delta,
                "icebergQty": iceberg_qty,
                "strategyId": strategy_id,
                "strategyType": strategy_type,
                "selfTradePreventionMode": self_trade_prevention_mode,
                "cancelRestrictions": cancel_restrictions,
                "orderRateLimitExceededMode": order_rate_limit_exceeded_mode,
                "pegPriceType": peg_price_type,
                "pegOffsetValue": peg_offset_value,
                "pegOffsetType": peg_offset_type,
                "recvWindow": recv_window,
            },
            CancelReplaceOutcome,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def order_amend_keep_priority(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
        new_client_order_id: str | None = None,
        new_qty: Decimal | str,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> AmendKeepPriorityResult:
        """Reduce an open order's quantity, keeping its place in the queue.

        Weight 4; security TRADE (signed); data source: matching engine. Changes neither the unfilled
        order count nor the order-count filters.

        Give ``order_id`` or ``orig_client_order_id`` (at least one). ``new_qty`` must be greater than
        0 and smaller than the order's current quantity; an amend that changes nothing is rejected, and
        the symbol must allow amends (``amendAllowed`` in exchangeInfo). ``new_client_order_id``
        renames the order (random if omitted; the current id may be reused). For an order of an order
        list the answer also carries ``list_status``.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#order-amend-keep-priority-trade

        Example::

            amended = client.order_amend_keep_priority(symbol="BTCUSDT", orig_client_order_id="my-order-1",
                                                       new_qty=Decimal("5"))
            amended.amended_order.qty  # Decimal('5.00000000')
        """
        result: AmendKeepPriorityResult = self._call(
            "order.amend.keepPriority",
            {
                "symbol": symbol,
                "orderId": order_id,
                "origClientOrderId": orig_client_order_id,
                "newClientOrderId": new_client_order_id,
                "newQty": new_qty,
                "recvWindow": recv_window,
            },
            AmendKeepPriorityResult,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def open_orders_cancel_all(
        self,
        *,
        symbol: str,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[CancelReport]:
        """Cancel every open order of a symbol, order lists included.

        Weight 1; security TRADE (signed); data source: matching engine.

        Returns one :class:`~binance_ws.models.CancelReport` per canceled order or order list, mixed
        in one list: ``is_order_list`` tells them apart.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#cancel-open-orders-trade

        Example::

            for report in client.open_orders_cancel_all(symbol="BTCUSDT"):
                print(report.order_list_id if report.is_order_list else report.order_id)
        """
        result: list[CancelReport] = self._call(
            "openOrders.cancelAll",
            {
                "symbol": symbol,
                "recvWindow": recv_window,
            },
            list[CancelReport],
            timeout=timeout,
            unknown=unknown,
        )
        return result
