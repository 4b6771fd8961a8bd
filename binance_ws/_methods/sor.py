"""Typed trading methods for smart order routing (SOR): place and test."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, NoReturn, overload

from ..enums import OrderResponseType, OrderType, SelfTradePreventionMode, Side, TimeInForce
from ..models.general import Empty
from ..models.trading import OrderAck, OrderFull, OrderResult, OrderTestCommissions
from ._base import MethodsBase
from ._orders import sor_result_type

__all__ = ["SorMethods"]


class SorMethods(MethodsBase):
    """SOR methods (part of the trading methods)."""

    @overload
    def sor_order_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str,
        new_client_order_id: str | None = None,
        new_order_resp_type: Literal["ACK", OrderResponseType.ACK],
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[OrderAck]: ...

    @overload
    def sor_order_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str,
        new_client_order_id: str | None = None,
        new_order_resp_type: Literal["RESULT", OrderResponseType.RESULT],
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[OrderResult]: ...

    @overload
    def sor_order_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str,
        new_client_order_id: str | None = None,
        new_order_resp_type: Literal["FULL", OrderResponseType.FULL] | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[OrderFull]: ...

    @overload
    def sor_order_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[OrderAck] | list[OrderResult] | list[OrderFull]: ...

    def sor_order_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> list[OrderAck] | list[OrderResult] | list[OrderFull]:
        """Place a new order using smart order routing (SOR).

        Weight 1; security TRADE (signed); data source: matching engine. Adds 1 to the unfilled order
        count and to the EXCHANGE_MAX_NUM_ORDERS / MAX_NUM_ORDERS filters.

        Only ``LIMIT`` and ``MARKET`` orders; there is no ``quote_order_qty``. ``time_in_force`` and
        ``price`` apply to LIMIT orders only. The answer is a list of orders in the shape of
        ``new_order_resp_type`` (default ``FULL``); SOR fills carry ``match_type`` and ``alloc_id``, and
        the orders ``working_floor`` and ``used_sor``.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#place-new-order-using-sor-trade

        Example::

            [order] = client.sor_order_place(symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC",
                                             price=Decimal("31000"), quantity=Decimal("0.5"))
            order.working_floor, order.fills[0].alloc_id
        """
        result: list[OrderAck] | list[OrderResult] | list[OrderFull] = self._call(
            "sor.order.place",
            {
                "symbol": symbol,
                "side": side,
                "type": type,
                "timeInForce": time_in_force,
                "price": price,
                "quantity": quantity,
                "newClientOrderId": new_client_order_id,
                "newOrderRespType": new_order_resp_type,
                "icebergQty": iceberg_qty,
                "strategyId": strategy_id,
                "strategyType": strategy_type,
                "selfTradePreventionMode": self_trade_prevention_mode,
                "recvWindow": recv_window,
            },
            sor_result_type(new_order_resp_type),
            timeout=timeout,
            unknown=unknown,
        )
        return result

    @overload
    def sor_order_test(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        compute_commission_rates: Literal[True],
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderTestCommissions: ...

    @overload
    def sor_order_test(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        compute_commission_rates: Literal[False] | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Empty: ...

    @overload
    def sor_order_test(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        compute_commission_rates: bool | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Empty | OrderTestCommissions: ...

    def sor_order_test(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        compute_commission_rates: bool | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Empty | OrderTestCommissions:
        """Test a new SOR order: checked like :meth:`sor_order_place`, never sent to the matching engine.

        Weight 1, or 20 with ``compute_commission_rates=True``; security TRADE (signed); data source:
        memory. Takes every :meth:`sor_order_place` parameter.

        Returns :class:`~binance_ws.models.Empty` (``{}``), or with ``compute_commission_rates=True``
        the :class:`~binance_ws.models.OrderTestCommissions` the order would pay.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#test-new-order-using-sor-trade

        Example::

            rates = client.sor_order_test(symbol="BTCUSDT", side="BUY", type="MARKET",
                                          quantity=Decimal("0.5"), compute_commission_rates=True)
            rates.discount.discount_asset  # 'BNB'
        """
        result: Empty | OrderTestCommissions = self._call(
            "sor.order.test",
            {
                "symbol": symbol,
                "side": side,
                "type": type,
                "timeInForce": time_in_force,
                "price": price,
                "quantity": quantity,
                "newClientOrderId": new_client_order_id,
                "newOrderRespType": new_order_resp_type,
                "icebergQty": iceberg_qty,
                "strategyId": strategy_id,
                "strategyType": strategy_type,
                "selfTradePreventionMode": self_trade_prevention_mode,
                "computeCommissionRates": compute_commission_rates,
                "recvWindow": recv_window,
            },
            OrderTestCommissions if compute_commission_rates else Empty,
            timeout=timeout,
            unknown=unknown,
        )
        return result
