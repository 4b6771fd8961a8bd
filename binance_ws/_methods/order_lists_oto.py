"""Typed trading methods for the OTO family of order lists: OTO, OTOCO, OPO and OPOCO.

A working order goes on the book first; the pending order (OTO, OPO) or OCO pair (OTOCO,
OPOCO) is placed once the working order is fully filled. Each answers with an
:class:`~binance_ws.models.OrderList`.
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
from ._base import MethodsBase

__all__ = ["OtoOrderListMethods"]


class OtoOrderListMethods(MethodsBase):
    """OTO, OTOCO, OPO and OPOCO order lists (part of the trading methods)."""

    def order_list_place_oto(
        self,
        *,
        symbol: str,
        list_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        working_type: OrderType | str,
        working_side: Side | str,
        working_client_order_id: str | None = None,
        working_price: Decimal | str,
        working_quantity: Decimal | str,
        working_iceberg_qty: Decimal | str | None = None,
        working_time_in_force: TimeInForce | str | None = None,
        working_strategy_id: int | None = None,
        working_strategy_type: int | None = None,
        working_peg_price_type: PegPriceType | str | None = None,
        working_peg_offset_type: PegOffsetType | str | None = None,
        working_peg_offset_value: int | None = None,
        pending_type: OrderType | str,
        pending_side: Side | str,
        pending_client_order_id: str | None = None,
        pending_price: Decimal | str | None = None,
        pending_stop_price: Decimal | str | None = None,
        pending_trailing_delta: Decimal | str | int | None = None,
        pending_quantity: Decimal | str,
        pending_iceberg_qty: Decimal | str | None = None,
        pending_time_in_force: TimeInForce | str | None = None,
        pending_strategy_id: int | None = None,
        pending_strategy_type: int | None = None,
        pending_peg_offset_type: PegOffsetType | str | None = None,
        pending_peg_price_type: PegPriceType | str | None = None,
        pending_peg_offset_value: int | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderList:
        """Place a new OTO order list: a working order, and a pending order placed once the working order
        is fully filled.

        Weight 1; security TRADE (signed); data source: matching engine. Adds 2 to the unfilled order
        count and to the EXCHANGE_MAX_NUM_ORDERS / MAX_NUM_ORDERS filters.

        The working order is LIMIT or LIMIT_MAKER; the pending order any type except a MARKET order
        sized by quote quantity. Mandatory by type: ``working_type="LIMIT"`` needs
        ``working_time_in_force``; a LIMIT pending order needs ``pending_price`` and
        ``pending_time_in_force``; STOP_LOSS / TAKE_PROFIT need ``pending_stop_price`` and/or
        ``pending_trailing_delta``; STOP_LOSS_LIMIT / TAKE_PROFIT_LIMIT need ``pending_price``,
        ``pending_stop_price`` and/or ``pending_trailing_delta``, and ``pending_time_in_force``.
        ``*_iceberg_qty`` only with ``*_time_in_force="GTC"`` or a LIMIT_MAKER order. Canceling either
        order cancels the list. If the working order fills at once, the answer still shows the pending
        order as PENDING_NEW: query it for its real status.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#place-new-order-list---oto-trade

        Example::

            order_list = client.order_list_place_oto(
                symbol="BTCUSDT", working_type="LIMIT", working_side="BUY", working_price=Decimal("60000"),
                working_quantity=Decimal("0.001"), working_time_in_force="GTC",
                pending_type="LIMIT_MAKER", pending_side="SELL", pending_price=Decimal("65000"),
                pending_quantity=Decimal("0.001"))
        """
        result: OrderList = self._call(
            "orderList.place.oto",
            {
                "symbol": symbol,
                "listClientOrderId": list_client_order_id,
                "newOrderRespType": new_order_resp_type,
                "selfTradePreventionMode": self_trade_prevention_mode,
                "workingType": working_type,
                "workingSide": working_side,
                "workingClientOrderId": working_client_order_id,
                "workingPrice": working_price,
                "workingQuantity": working_quantity,
                "workingIcebergQty": working_iceberg_qty,
                "workingTimeInForce": working_time_in_force,
                "workingStrategyId": working_strategy_id,
                "workingStrategyType": working_strategy_type,
                "workingPegPriceType": working_peg_price_type,
                "workingPegOffsetType": working_peg_offset_type,
                "workingPegOffsetValue": working_peg_offset_value,
                "pendingType": pending_type,
                "pendingSide": pending_side,
                "pendingClientOrderId": pending_client_order_id,
                "pendingPrice": pending_price,
                "pendingStopPrice": pending_stop_price,
                "pendingTrailingDelta": pending_trailing_delta,
                "pendingQuantity": pending_quantity,
                "pendingIcebergQty": pending_iceberg_qty,
                "pendingTimeInForce": pending_time_in_force,
                "pendingStrategyId": pending_strategy_id,
                "pendingStrategyType": pending_strategy_type,
                "pendingPegOffsetType": pending_peg_offset_type,
                "pendingPegPriceType": pending_peg_price_type,
                "pendingPegOffsetValue": pending_peg_offset_value,
                "recvWindow": recv_window,
            },
            OrderList,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def order_list_place_otoco(
        self,
        *,
        symbol: str,
        list_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        working_type: OrderType | str,
        working_side: Side | str,
        working_client_order_id: str | None = None,
        working_price: Decimal | str,
        working_quantity: Decimal | str,
        working_iceberg_qty: Decimal | str | None = None,
        working_time_in_force: TimeInForce | str | None = None,
        working_strategy_id: int | None = None,
        working_strategy_type: int | None = None,
        working_peg_price_type: PegPriceType | str | None = None,
        working_peg_offset_type: PegOffsetType | str | None = None,
        working_peg_offset_value: int | None = None,
        pending_side: Side | str,
        pending_quantity: Decimal | str,
        pending_above_type: OrderType | str,
        pending_above_client_order_id: str | None = None,
        pending_above_price: Decimal | str | None = None,
        pending_above_stop_price: Decimal | str | None = None,
        pending_above_trailing_delta: Decimal | str | int | None = None,
        pending_above_iceberg_qty: Decimal | str | None = None,
        pending_above_time_in_force: TimeInForce | str | None = None,
        pending_above_strategy_id: int | None = None,
        pending_above_strategy_type: int | None = None,
        pending_above_peg_price_type: PegPriceType | str | None = None,
        pending_above_peg_offset_type: PegOffsetType | str | None = None,
        pending_above_peg_offset_value: int | None = None,
        pending_below_type: OrderType | str | None = None,
        pending_below_client_order_id: str | None = None,
        pending_below_price: Decimal | str | None = None,
        pending_below_stop_price: Decimal | str | None = None,
        pending_below_trailing_delta: Decimal | str | int | None = None,
        pending_below_iceberg_qty: Decimal | str | None = None,
        pending_below_time_in_force: TimeInForce | str | None = None,
        pending_below_strategy_id: int | None = None,
        pending_below_strategy_type: int | None = None,
        pending_below_peg_price_type: PegPriceType | str | None = None,
        pending_below_peg_offset_type: PegOffsetType | str | None = None,
        pending_below_peg_offset_value: int | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderList:
        """Place a new OTOCO order list: a working order, and an OCO pair (pending above and below)
        placed once the working order is fully filled.

        Weight 1; security TRADE (signed); data source: matching engine. Adds 3 to the unfilled order
        count and to the EXCHANGE_MAX_NUM_ORDERS / MAX_NUM_ORDERS filters.

        The working order follows the OTO rules (LIMIT or LIMIT_MAKER; LIMIT needs
        ``working_time_in_force``); the pending pair follows the OCO rules and shares ``pending_side``
        and ``pending_quantity``. Mandatory by type, for each pending order (``pending_above_*`` /
        ``pending_below_*``): LIMIT_MAKER needs its ``*_price``; STOP_LOSS / TAKE_PROFIT its
        ``*_stop_price`` and/or ``*_trailing_delta``; STOP_LOSS_LIMIT / TAKE_PROFIT_LIMIT its
        ``*_price``, ``*_stop_price`` and/or ``*_trailing_delta``, and ``*_time_in_force``.
        ``*_iceberg_qty`` only with ``*_time_in_force="GTC"`` or a LIMIT_MAKER order.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#place-new-order-list---otoco-trade

        Example::

            order_list = client.order_list_place_otoco(
                symbol="BTCUSDT", working_type="LIMIT", working_side="BUY", working_price=Decimal("60000"),
                working_quantity=Decimal("0.001"), working_time_in_force="GTC",
                pending_side="SELL", pending_quantity=Decimal("0.001"),
                pending_above_type="LIMIT_MAKER", pending_above_price=Decimal("65000"),
                pending_below_type="STOP_LOSS", pending_below_stop_price=Decimal("57000"))
        """
        result: OrderList = self._call(
            "orderList.place.otoco",
            {
                "symbol": symbol,
                "listClientOrderId": list_client_order_id,
                "newOrderRespType": new_order_resp_type,
                "selfTradePreventionMode": self_trade_prevention_mode,
                "workingType": working_type,
                "workingSide": working_side,
                "workingClientOrderId": working_client_order_id,
                "workingPrice": working_price,
                "workingQuantity": working_quantity,
                "workingIcebergQty": working_iceberg_qty,
                "workingTimeInForce": working_time_in_force,
                "workingStrategyId": working_strategy_id,
                "workingStrategyType": working_strategy_type,
                "workingPegPriceType": working_peg_price_type,
                "workingPegOffsetType": working_peg_offset_type,
                "workingPegOffsetValue": working_peg_offset_value,
                "pendingSide": pending_side,
                "pendingQuantity": pending_quantity,
                "pendingAboveType": pending_above_type,
                "pendingAboveClientOrderId": pending_above_client_order_id,
                "pendingAbovePrice": pending_above_price,
                "pendingAboveStopPrice": pending_above_stop_price,
                "pendingAboveTrailingDelta": pending_above_trailing_delta,
                "pendingAboveIcebergQty": pending_above_iceberg_qty,
                "pendingAboveTimeInForce": pending_above_time_in_force,
                "pendingAboveStrategyId": pending_above_strategy_id,
                "pendingAboveStrategyType": pending_above_strategy_type,
                "pendingAbovePegPriceType": pending_above_peg_price_type,
                "pendingAbovePegOffsetType": pending_above_peg_offset_type,
                "pendingAbovePegOffsetValue": pending_above_peg_offset_value,
                "pendingBelowType": pending_below_type,
                "pendingBelowClientOrderId": pending_below_client_order_id,
                "pendingBelowPrice": pending_below_price,
                "pendingBelowStopPrice": pending_below_stop_price,
                "pendingBelowTrailingDelta": pending_below_trailing_delta,
                "pendingBelowIcebergQty": pending_below_iceberg_qty,
                "pendingBelowTimeInForce": pending_below_time_in_force,
                "pendingBelowStrategyId": pending_below_strategy_id,
                "pendingBelowStrategyType": pending_below_strategy_type,
                "pendingBelowPegPriceType": pending_below_peg_price_type,
                "pendingBelowPegOffsetType": pending_below_peg_offset_type,
                "pendingBelowPegOffsetValue": pending_below_peg_offset_value,
                "recvWindow": recv_window,
            },
            OrderList,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def order_list_place_opo(
        self,
        *,
        symbol: str,
        list_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        working_type: OrderType | str,
        working_side: Side | str,
        working_client_order_id: str | None = None,
        working_price: Decimal | str,
        working_quantity: Decimal | str,
        working_iceberg_qty: Decimal | str | None = None,
        working_time_in_force: TimeInForce | str | None = None,
        working_strategy_id: int | None = None,
        working_strategy_type: int | None = None,
        working_peg_price_type: PegPriceType | str | None = None,
        working_peg_offset_type: PegOffsetType | str | None = None,
        working_peg_offset_value: int | None = None,
        pending_type: OrderType | str,
        pending_side: Side | str,
        pending_client_order_id: str | None = None,
        pending_price: Decimal | str | None = None,
        pending_stop_price: Decimal | str | None = None,
        pending_trailing_delta: Decimal | str | int | None = None,
        pending_iceberg_qty: Decimal | str | None = None,
        pending_time_in_force: TimeInForce | str | None = None,
        pending_strategy_id: int | None = None,
        pending_strategy_type: int | None = None,
        pending_peg_price_type: PegPriceType | str | None = None,
        pending_peg_offset_type: PegOffsetType | str | None = None,
        pending_peg_offset_value: int | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderList:
        """Place a new OPO order list (One Pays the Other): like OTO, but the pending order has no
        quantity of its own and sells what the working order bought.

        Weight 1; security TRADE (signed); data source: matching engine. Adds 2 to the unfilled order
        count and to the EXCHANGE_MAX_NUM_ORDERS / MAX_NUM_ORDERS filters.

        Only a BUY working order and a SELL pending order are accepted (errors -1222 / -1223). The
        mandatory-by-type rules of :meth:`order_list_place_oto` apply to the working and pending
        parameters.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#opo-trade

        Example::

            order_list = client.order_list_place_opo(
                symbol="BTCUSDT", working_type="LIMIT", working_side="BUY", working_price=Decimal("101496"),
                working_quantity=Decimal("0.0007"), working_time_in_force="GTC",
                pending_type="MARKET", pending_side="SELL")
        """
        result: OrderList = self._call(
            "orderList.place.opo",
            {
                "symbol": symbol,
                "listClientOrderId": list_client_order_id,
                "newOrderRespType": new_order_resp_type,
                "selfTradePreventionMode": self_trade_prevention_mode,
                "workingType": working_type,
                "workingSide": working_side,
                "workingClientOrderId": working_client_order_id,
                "workingPrice": working_price,
                "workingQuantity": working_quantity,
                "workingIcebergQty": working_iceberg_qty,
                "workingTimeInForce": working_time_in_force,
                "workingStrategyId": working_strategy_id,
                "workingStrategyType": working_strategy_type,
                "workingPegPriceType": working_peg_price_type,
                "workingPegOffsetType": working_peg_offset_type,
                "workingPegOffsetValue": working_peg_offset_value,
                "pendingType": pending_type,
                "pendingSide": pending_side,
                "pendingClientOrderId": pending_client_order_id,
                "pendingPrice": pending_price,
                "pendingStopPrice": pending_stop_price,
                "pendingTrailingDelta": pending_trailing_delta,
                "pendingIcebergQty": pending_iceberg_qty,
                "pendingTimeInForce": pending_time_in_force,
                "pendingStrategyId": pending_strategy_id,
                "pendingStrategyType": pending_strategy_type,
                "pendingPegPriceType": pending_peg_price_type,
                "pendingPegOffsetType": pending_peg_offset_type,
                "pendingPegOffsetValue": pending_peg_offset_value,
                "recvWindow": recv_window,
            },
            OrderList,
            timeout=timeout,
            unknown=unknown,
        )
        return result

    def order_list_place_opoco(
        self,
        *,
        symbol: str,
        list_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        working_type: OrderType | str,
        working_side: Side | str,
        working_client_order_id: str | None = None,
        working_price: Decimal | str,
        working_quantity: Decimal | str,
        working_iceberg_qty: Decimal | str | None = None,
        working_time_in_force: TimeInForce | str | None = None,
        working_strategy_id: int | None = None,
        working_strategy_type: int | None = None,
        working_peg_price_type: PegPriceType | str | None = None,
        working_peg_offset_type: PegOffsetType | str | None = None,
        working_peg_offset_value: int | None = None,
        pending_side: Side | str,
        pending_above_type: OrderType | str,
        pending_above_client_order_id: str | None = None,
        pending_above_price: Decimal | str | None = None,
        pending_above_stop_price: Decimal | str | None = None,
        pending_above_trailing_delta: Decimal | str | int | None = None,
        pending_above_iceberg_qty: Decimal | str | None = None,
        pending_above_time_in_force: TimeInForce | str | None = None,
        pending_above_strategy_id: int | None = None,
        pending_above_strategy_type: int | None = None,
        pending_above_peg_price_type: PegPriceType | str | None = None,
        pending_above_peg_offset_type: PegOffsetType | str | None = None,
        pending_above_peg_offset_value: int | None = None,
        pending_below_type: OrderType | str | None = None,
        pending_below_client_order_id: str | None = None,
        pending_below_price: Decimal | str | None = None,
        pending_below_stop_price: Decimal | str | None = None,
        pending_below_trailing_delta: Decimal | str | int | None = None,
        pending_below_iceberg_qty: Decimal | str | None = None,
        pending_below_time_in_force: TimeInForce | str | None = None,
        pending_below_strategy_id: int | None = None,
        pending_below_strategy_type: int | None = None,
        pending_below_peg_price_type: PegPriceType | str | None = None,
        pending_below_peg_offset_type: PegOffsetType | str | None = None,
        pending_below_peg_offset_value: int | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderList:
        """Place a new OPOCO order list: an OPO whose pending side is an OCO pair (pending above and
        below), sized by what the working order bought.

        Weight 1; security TRADE (signed); data source: matching engine. Adds 3 to the unfilled order
        count and to the EXCHANGE_MAX_NUM_ORDERS / MAX_NUM_ORDERS filters.

        Only a BUY working order and SELL pending orders are accepted (errors -1222 / -1223). The
        working and pending-order rules of :meth:`order_list_place_otoco` apply (without
        ``pending_quantity``).

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#opoco-trade

        Example::

            order_list = client.order_list_place_opoco(
                symbol="BTCUSDT", working_type="LIMIT", working_side="BUY", working_price=Decimal("102496"),
                working_quantity=Decimal("0.0017"), working_time_in_force="GTC", pending_side="SELL",
                pending_above_type="LIMIT_MAKER", pending_above_price=Decimal("104261"),
                pending_below_type="STOP_LOSS_LIMIT", pending_below_price=Decimal("101613"),
                pending_below_stop_price=Decimal("101700"), pending_below_time_in_force="GTC")
        """
        result: OrderList = self._call(
            "orderList.place.opoco",
            {
                "symbol": symbol,
                "listClientOrderId": list_client_order_id,
                "newOrderRespType": new_order_resp_type,
                "selfTradePreventionMode": self_trade_prevention_mode,
                "workingType": working_type,
                "workingSide": working_side,
                "workingClientOrderId": working_client_order_id,
                "workingPrice": working_price,
                "workingQuantity": working_quantity,
                "workingIcebergQty": working_iceberg_qty,
                "workingTimeInForce": working_time_in_force,
                "workingStrategyId": working_strategy_id,
                "workingStrategyType": working_strategy_type,
                "workingPegPriceType": working_peg_price_type,
                "workingPegOffsetType": working_peg_offset_type,
                "workingPegOffsetValue": working_peg_offset_value,
                "pendingSide": pending_side,
                "pendingAboveType": pending_above_type,
                "pendingAboveClientOrderId": pending_above_client_order_id,
                "pendingAbovePrice": pending_above_price,
                "pendingAboveStopPrice": pending_above_stop_price,
                "pendingAboveTrailingDelta": pending_above_trailing_delta,
                "pendingAboveIcebergQty": pending_above_iceberg_qty,
                "pendingAboveTimeInForce": pending_above_time_in_force,
                "pendingAboveStrategyId": pending_above_strategy_id,
                "pendingAboveStrategyType": pending_above_strategy_type,
                "pendingAbovePegPriceType": pending_above_peg_price_type,
                "pendingAbovePegOffsetType": pending_above_peg_offset_type,
                "pendingAbovePegOffsetValue": pending_above_peg_offset_value,
                "pendingBelowType": pending_below_type,
                "pendingBelowClientOrderId": pending_below_client_order_id,
                "pendingBelowPrice": pending_below_price,
                "pendingBelowStopPrice": pending_below_stop_price,
                "pendingBelowTrailingDelta": pending_below_trailing_delta,
                "pendingBelowIcebergQty": pending_below_iceberg_qty,
                "pendingBelowTimeInForce": pending_below_time_in_force,
                "pendingBelowStrategyId": pending_below_strategy_id,
                "pendingBelowStrategyType": pending_below_strategy_type,
                "pendingBelowPegPriceType": pending_below_peg_price_type,
                "pendingBelowPegOffsetType": pending_below_peg_offset_type,
                "pendingBelowPegOffsetValue": pending_below_peg_offset_value,
                "recvWindow": recv_window,
            },
            OrderList,
            timeout=timeout,
            unknown=unknown,
        )
        return result
