"""Typed trading methods for order lists: OCO (and the deprecated orderList.place) and cancel.

Every placement answers with an :class:`~binance_ws.models.OrderList` whose ``order_reports``
carry the fields of the requested ``new_order_resp_type``. The OTO family is in
``order_lists_oto``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NoReturn

from ..enums import (
    OrderResponseType,
    OrderType,
    PegOffsetType,
    PegPriceType,
    SelfTradePreventionMode,
    Side,
    TimeInForce,
)
from ..models.trading import OrderList
from .order_lists_oto import OtoOrderListMethods

__all__ = ["OrderListMethods"]


class OrderListMethods(OtoOrderListMethods):
    """Order-list methods (part of the trading methods)."""

    def order_list_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        price: Decimal | str,
        quantity: Decimal | str,
        list_client_order_id: str | None = None,
        limit_client_order_id: str | None = None,
        limit_iceberg_qty: Decimal | str | None = None,
        limit_strategy_id: int | None = None,
        limit_strategy_type: int | None = None,
        stop_price: Decimal | str | None = None,
        trailing_delta: int | None = None,
        stop_client_order_id: str | None = None,
        stop_limit_price: Decimal | str | None = None,
        stop_limit_time_in_force: TimeInForce | str | None = None,
        stop_iceberg_qty: Decimal | str | None = None,
        stop_strategy_id: int | None = None,
        stop_strategy_type: int | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderList:
        """Place a new OCO order list. Deprecated: use :meth:`order_list_place_oco` instead.

        Binance deprecated this method in favour of ``orderList.place.oco``; calling it warns with a
        DeprecationWarning. It is not available on the spot testnet.

        Weight 1; security TRADE (signed); data source: matching engine. Adds 1 to the unfilled order
        count.

        Two orders share ``quantity``: a LIMIT_MAKER order at ``price``, and a STOP_LOSS order (a
        STOP_LOSS_LIMIT order with ``stop_limit_price`` and ``stop_limit_time_in_force``) triggered at
        ``stop_price`` and/or by ``trailing_delta``: at least one of the two is mandatory. Prices: for
        BUY ``price`` < market < ``stop_price``, for SELL ``price`` > market > ``stop_price``.
        ``stop_iceberg_qty`` needs ``stop_limit_time_in_force="GTC"``. ``list_client_order_id`` must be
        unique among open order lists. ``new_order_resp_type`` defaults to FULL.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#place-new-oco---deprecated-trade

        Example::

            order_list = client.order_list_place(symbol="BTCUSDT", side="SELL", price=Decimal("23420"),
                                                 quantity=Decimal("0.0065"), stop_price=Decimal("23405"),
                                                 stop_limit_price=Decimal("23410"),
                                                 stop_limit_time_in_force="GTC")
        """
        result: OrderList = self._call(
            "orderList.place",
            {
                "symbol": symbol,
                "side": side,
                "price": price,
                "quantity": quantity,
                "listClientOrderId": list_client_order_id,
                "limitClientOrderId": limit_client_order_id,
                "limitIcebergQty": limit_iceberg_qty,
                "limitStrategyId": limit_strategy_id,
                "limitStrategyType": limit_strategy_type,
                "stopPrice": stop_price,
                "trailingDelta": trailing_delta,
                "stopClientOrderId": stop_client_order_id,
                "stopLimitPrice": stop_limit_price,
                "stopLimitTimeInForce": stop_limit_time_in_force,
                "stopIcebergQty": stop_iceberg_qty,
                "stopStrategyId": stop_strategy_id,
                "stopStrategyType": stop_strategy_type,
                "newOrderRespType": new_order_resp_type,
                "selfTradePreventionMode": self_trade_prevention_mode,
                "recvWindow": recv_window,
            },
            OrderList,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def order_list_place_oco(
        self,
        *,
        symbol: str,
        list_client_order_id: str | None = None,
        side: Side | str,
        quantity: Decimal | str,
        above_type: OrderType | str,
        above_client_order_id: str | None = None,
        above_iceberg_qty: Decimal | str | None = None,
        above_price: Decimal | str | None = None,
        above_stop_price: Decimal | str | None = None,
        above_trailing_delta: int | None = None,
        above_time_in_force: TimeInForce | str | None = None,
        above_strategy_id: int | None = None,
        above_strategy_type: int | None = None,
        above_peg_price_type: PegPriceType | str | None = None,
        above_peg_offset_type: PegOffsetType | str | None = None,
        above_peg_offset_value: int | None = None,
        below_type: OrderType | str,
        below_client_order_id: str | None = None,
        below_iceberg_qty: Decimal | str | None = None,
        below_price: Decimal | str | None = None,
        below_stop_price: Decimal | str | None = None,
        below_trailing_delta: int | None = None,
        below_time_in_force: TimeInForce | str | None = None,
        below_strategy_id: int | None = None,
        below_strategy_type: int | None = None,
        below_peg_price_type: PegPriceType | str | None = None,
        below_peg_offset_type: PegOffsetType | str | None = None,
        below_peg_offset_value: int | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderList:
        """Place a new OCO order list: an order above and one below the market; one executing cancels
        the other.

        Weight 1; security TRADE (signed); data source: matching engine. Adds 2 to the unfilled order
        count and to the EXCHANGE_MAX_NUM_ORDERS / MAX_NUM_ORDERS filters.

        One order is LIMIT_MAKER, TAKE_PROFIT or TAKE_PROFIT_LIMIT and the other STOP_LOSS or
        STOP_LOSS_LIMIT (``above_type`` / ``below_type``); both share ``side`` and ``quantity``. For
        SELL: LIMIT_MAKER / TAKE_PROFIT_LIMIT price > last price > stop-loss stop price; for BUY:
        LIMIT_MAKER price < last price < stop-loss stop price. Per order (``above_*`` / ``below_*``):
        ``*_price`` for LIMIT_MAKER, STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT; ``*_stop_price`` and/or
        ``*_trailing_delta`` (at least one) for the stop and take-profit types; ``*_time_in_force`` for
        STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT; ``*_iceberg_qty`` only with ``*_time_in_force="GTC"``.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#place-new-order-list---oco-trade

        Example::

            order_list = client.order_list_place_oco(
                symbol="BTCUSDT", side="SELL", quantity=Decimal("0.001"),
                above_type="LIMIT_MAKER", above_price=Decimal("65000"),
                below_type="STOP_LOSS_LIMIT", below_price=Decimal("55000"), below_stop_price=Decimal("55100"),
                below_time_in_force="GTC")
            [order.order_id for order in order_list.orders]
        """
        result: OrderList = self._call(
            "orderList.place.oco",
            {
                "symbol": symbol,
                "listClientOrderId": list_client_order_id,
                "side": side,
                "quantity": quantity,
                "aboveType": above_type,
                "aboveClientOrderId": above_client_order_id,
                "aboveIcebergQty": above_iceberg_qty,
                "abovePrice": above_price,
                "aboveStopPrice": above_stop_price,
                "aboveTrailingDelta": above_trailing_delta,
                "aboveTimeInForce": above_time_in_force,
                "aboveStrategyId": above_strategy_id,
                "aboveStrategyType": above_strategy_type,
                "abovePegPriceType": above_peg_price_type,
                "abovePegOffsetType": above_peg_offset_type,
                "abovePegOffsetValue": above_peg_offset_value,
                "belowType": below_type,
                "belowClientOrderId": below_client_order_id,
                "belowIcebergQty": below_iceberg_qty,
                "belowPrice": below_price,
                "belowStopPrice": below_stop_price,
                "belowTrailingDelta": below_trailing_delta,
                "belowTimeInForce": below_time_in_force,
                "belowStrategyId": below_strategy_id,
                "belowStrategyType": below_strategy_type,
                "belowPegPriceType": below_peg_price_type,
                "belowPegOffsetType": below_peg_offset_type,
                "belowPegOffsetValue": below_peg_offset_value,
                "newOrderRespType": new_order_resp_type,
                "selfTradePreventionMode": self_trade_prevention_mode,
                "recvWindow": recv_window,
            },
            OrderList,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def order_list_cancel(
        self,
        *,
        symbol: str,
        order_list_id: int | None = None,
        list_client_order_id: str | None = None,
        new_client_order_id: str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderList:
        """Cancel an order list (every order in it).

        Weight 1; security TRADE (signed); data source: matching engine.

        Give ``order_list_id`` or ``list_client_order_id`` (at least one). If both are given the list
        is found by ``order_list_id`` and its client id must match, else the request is rejected.
        ``new_client_order_id`` renames the canceled list. Canceling any single order of a list with
        :meth:`order_cancel` also cancels the whole list.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#cancel-order-list-trade

        Example::

            canceled = client.order_list_cancel(symbol="BTCUSDT", order_list_id=1274512)
            canceled.list_status_type  # OrderListStatus.ALL_DONE
        """
        result: OrderList = self._call(
            "orderList.cancel",
            {
                "symbol": symbol,
                "orderListId": order_list_id,
                "listClientOrderId": list_client_order_id,
                "newClientOrderId": new_client_order_id,
                "recvWindow": recv_window,
            },
            OrderList,
            timeout=timeout,
            unknown=unknown,
        )
        return result
