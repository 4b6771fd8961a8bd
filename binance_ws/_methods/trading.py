"""Typed trading methods: place and test orders (cancel, amend, order lists and SOR in sibling modules)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, NoReturn, overload

from ..enums import (
    OrderResponseType,
    OrderType,
    PegOffsetType,
    PegPriceType,
    SelfTradePreventionMode,
    Side,
    TimeInForce,
)
from ..models.general import Empty
from ..models.trading import OrderAck, OrderFull, OrderResult, OrderTestCommissions
from ._orders import new_order_class
from .order_changes import OrderChangeMethods
from .order_lists import OrderListMethods
from .sor import SorMethods

__all__ = ["TradingMethods"]


class TradingMethods(OrderChangeMethods, OrderListMethods, SorMethods):
    """Trading methods of the Binance WebSocket API (security TRADE: signed)."""

    @overload
    def order_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str | None = None,
        quote_order_qty: Decimal | str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: Literal["ACK", OrderResponseType.ACK],
        stop_price: Decimal | str | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        peg_price_type: PegPriceType | str | None = None,
        peg_offset_value: int | None = None,
        peg_offset_type: PegOffsetType | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderAck: ...

    @overload
    def order_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str | None = None,
        quote_order_qty: Decimal | str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: Literal["RESULT", OrderResponseType.RESULT],
        stop_price: Decimal | str | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        peg_price_type: PegPriceType | str | None = None,
        peg_offset_value: int | None = None,
        peg_offset_type: PegOffsetType | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderResult: ...

    @overload
    def order_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str | None = None,
        quote_order_qty: Decimal | str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: Literal["FULL", OrderResponseType.FULL],
        stop_price: Decimal | str | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        peg_price_type: PegPriceType | str | None = None,
        peg_offset_value: int | None = None,
        peg_offset_type: PegOffsetType | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderFull: ...

    @overload
    def order_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: Literal["MARKET", "LIMIT", OrderType.MARKET, OrderType.LIMIT],
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str | None = None,
        quote_order_qty: Decimal | str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: None = None,
        stop_price: Decimal | str | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        peg_price_type: PegPriceType | str | None = None,
        peg_offset_value: int | None = None,
        peg_offset_type: PegOffsetType | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderFull: ...

    @overload
    def order_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str | None = None,
        quote_order_qty: Decimal | str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        stop_price: Decimal | str | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        peg_price_type: PegPriceType | str | None = None,
        peg_offset_value: int | None = None,
        peg_offset_type: PegOffsetType | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderAck | OrderResult | OrderFull: ...

    def order_place(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str | None = None,
        quote_order_qty: Decimal | str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        stop_price: Decimal | str | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        peg_price_type: PegPriceType | str | None = None,
        peg_offset_value: int | None = None,
        peg_offset_type: PegOffsetType | str | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderAck | OrderResult | OrderFull:
        """Place a new order.

        Weight 1; security TRADE (signed); data source: matching engine. Adds 1 to the unfilled order
        count and to the EXCHANGE_MAX_NUM_ORDERS / MAX_NUM_ORDERS filters.

        Mandatory by ``type``:

        - ``LIMIT``: ``time_in_force``, ``price``, ``quantity``
        - ``LIMIT_MAKER``: ``price``, ``quantity``
        - ``MARKET``: ``quantity``, or ``quote_order_qty`` to spend (BUY) or receive (SELL) that quote
          amount
        - ``STOP_LOSS`` / ``TAKE_PROFIT``: ``quantity``, and ``stop_price`` or ``trailing_delta``
        - ``STOP_LOSS_LIMIT`` / ``TAKE_PROFIT_LIMIT``: ``time_in_force``, ``price``, ``quantity``, and
          ``stop_price`` or ``trailing_delta``

        The answer's shape follows ``new_order_resp_type``: ``ACK`` gives :class:`~binance_ws.models.OrderAck`,
        ``RESULT`` :class:`~binance_ws.models.OrderResult`, ``FULL`` :class:`~binance_ws.models.OrderFull`
        (with ``fills``). Binance's default is ``FULL`` for MARKET and LIMIT orders and ``ACK`` for
        every other type.

        ``iceberg_qty`` makes a LIMIT or LIMIT_MAKER order an iceberg (needs ``time_in_force="GTC"``).
        ``peg_price_type`` pegs the price to the book (``PRIMARY_PEG``: best price on the order's own
        side; ``MARKET_PEG``: best price on the other side); ``peg_offset_type`` and
        ``peg_offset_value`` (price levels, at most 100) go together. Stop direction: ``stop_price`` is
        above the market for STOP_LOSS BUY and TAKE_PROFIT SELL, below it for STOP_LOSS SELL and
        TAKE_PROFIT BUY. ``new_client_order_id`` must be unique among open orders; ``strategy_type``
        values below 1000000 are reserved.

        If the call raises :class:`~binance_ws.ExecutionUnknownError` (timeout, 5xx, lost connection)
        the order may exist: confirm with :meth:`order_status` by the ``new_client_order_id`` you sent.

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#place-new-order-trade

        Example::

            order = client.order_place(symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC",
                                       price=Decimal("60000.00"), quantity=Decimal("0.001"))
            order.status, order.fills  # an OrderFull: LIMIT orders default to FULL
        """
        result: OrderAck | OrderResult | OrderFull = self._call(
            "order.place",
            {
                "symbol": symbol,
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
                "pegPriceType": peg_price_type,
                "pegOffsetValue": peg_offset_value,
                "pegOffsetType": peg_offset_type,
                "recvWindow": recv_window,
            },
            new_order_class(type, new_order_resp_type),
            timeout=timeout,
            unknown=unknown,
        )
        return result

    @overload
    def order_test(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str | None = None,
        quote_order_qty: Decimal | str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        stop_price: Decimal | str | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        peg_price_type: PegPriceType | str | None = None,
        peg_offset_value: int | None = None,
        peg_offset_type: PegOffsetType | str | None = None,
        compute_commission_rates: Literal[True],
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> OrderTestCommissions: ...

    @overload
    def order_test(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str | None = None,
        quote_order_qty: Decimal | str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        stop_price: Decimal | str | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        peg_price_type: PegPriceType | str | None = None,
        peg_offset_value: int | None = None,
        peg_offset_type: PegOffsetType | str | None = None,
        compute_commission_rates: Literal[False] | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Empty: ...

    @overload
    def order_test(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str | None = None,
        quote_order_qty: Decimal | str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        stop_price: Decimal | str | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        peg_price_type: PegPriceType | str | None = None,
        peg_offset_value: int | None = None,
        peg_offset_type: PegOffsetType | str | None = None,
        compute_commission_rates: bool | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Empty | OrderTestCommissions: ...

    def order_test(
        self,
        *,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        time_in_force: TimeInForce | str | None = None,
        price: Decimal | str | None = None,
        quantity: Decimal | str | None = None,
        quote_order_qty: Decimal | str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: OrderResponseType | str | None = None,
        stop_price: Decimal | str | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Decimal | str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        self_trade_prevention_mode: SelfTradePreventionMode | str | None = None,
        peg_price_type: PegPriceType | str | None = None,
        peg_offset_value: int | None = None,
        peg_offset_type: PegOffsetType | str | None = None,
        compute_commission_rates: bool | None = None,
        recv_window: Decimal | str | int | None = None,
        timeout: float | None = None,
        **unknown: NoReturn,
    ) -> Empty | OrderTestCommissions:
        """Test a new order: checked like :meth:`order_place`, but never sent to the matching engine.

        Weight 1, or 20 with ``compute_commission_rates=True``; security TRADE (signed); data source:
        memory. Takes every :meth:`order_place` parameter, with the same mandatory-by-type rules.

        Returns :class:`~binance_ws.models.Empty` (``{}``), or with ``compute_commission_rates=True``
        the :class:`~binance_ws.models.OrderTestCommissions` the order would pay (standard, special and
        tax rates and the BNB discount).

        Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/trading-requests#test-new-order-trade

        Example::

            rates = client.order_test(symbol="BTCUSDT", side="BUY", type="MARKET",
                                      quantity=Decimal("0.001"), compute_commission_rates=True)
            rates.standard_commission_for_order.taker
        """
        result: Empty | OrderTestCommissions = self._call(
            "order.test",
            {
                "symbol": symbol,
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
                "pegPriceType": peg_price_type,
                "pegOffsetValue": peg_offset_value,
                "pegOffsetType": peg_offset_type,
                "computeCommissionRates": compute_commission_rates,
                "recvWindow": recv_window,
            },
            OrderTestCommissions if compute_commission_rates else Empty,
            timeout=timeout,
            unknown=unknown,
        )
        return result
