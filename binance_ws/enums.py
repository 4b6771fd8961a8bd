"""Binance enumerations (``enums.md`` plus the WebSocket API's own).

Every enum is a :class:`BinanceEnum`: a ``str`` enum equal to its wire value that accepts
values Binance adds later instead of failing. Request parameters take either the enum or
its string value.

Example::

    >>> from binance_ws.enums import Side, OrderStatus
    >>> Side.BUY == "BUY"
    True
    >>> OrderStatus("NEW")
    <OrderStatus.NEW: 'NEW'>
"""

from __future__ import annotations

__all__ = [
    "AllocationType",
    "BinanceEnum",
    "CancelReplaceMode",
    "CancelReplaceResult",
    "CancelRestrictions",
    "ContingencyType",
    "ExecutionRuleType",
    "ExecutionType",
    "ExpiryReason",
    "KlineInterval",
    "MatchType",
    "OrderListOrderStatus",
    "OrderListStatus",
    "OrderRateLimitExceededMode",
    "OrderRejectReason",
    "OrderResponseType",
    "OrderStatus",
    "OrderType",
    "PegOffsetType",
    "PegPriceType",
    "Permission",
    "RateLimitInterval",
    "RateLimitType",
    "ReferencePriceCalculationType",
    "SecurityType",
    "SelfTradePreventionMode",
    "Side",
    "SymbolStatus",
    "TickerType",
    "TimeInForce",
    "WorkingFloor",
]

from ._enumbase import BinanceEnum


class SymbolStatus(BinanceEnum):
    """Symbol status (status)."""

    TRADING = "TRADING"
    END_OF_DAY = "END_OF_DAY"
    HALT = "HALT"
    BREAK = "BREAK"
    CANCEL_ONLY = "CANCEL_ONLY"


class Permission(BinanceEnum):
    """Account and Symbol Permissions (permissions)."""

    SPOT = "SPOT"
    MARGIN = "MARGIN"
    LEVERAGED = "LEVERAGED"
    TRD_GRP_002 = "TRD_GRP_002"
    TRD_GRP_003 = "TRD_GRP_003"
    TRD_GRP_004 = "TRD_GRP_004"
    TRD_GRP_005 = "TRD_GRP_005"
    TRD_GRP_006 = "TRD_GRP_006"
    TRD_GRP_007 = "TRD_GRP_007"
    TRD_GRP_008 = "TRD_GRP_008"
    TRD_GRP_009 = "TRD_GRP_009"
    TRD_GRP_010 = "TRD_GRP_010"
    TRD_GRP_011 = "TRD_GRP_011"
    TRD_GRP_012 = "TRD_GRP_012"
    TRD_GRP_013 = "TRD_GRP_013"
    TRD_GRP_014 = "TRD_GRP_014"
    TRD_GRP_015 = "TRD_GRP_015"
    TRD_GRP_016 = "TRD_GRP_016"
    TRD_GRP_017 = "TRD_GRP_017"
    TRD_GRP_018 = "TRD_GRP_018"
    TRD_GRP_019 = "TRD_GRP_019"
    TRD_GRP_020 = "TRD_GRP_020"
    TRD_GRP_021 = "TRD_GRP_021"
    TRD_GRP_022 = "TRD_GRP_022"
    TRD_GRP_023 = "TRD_GRP_023"
    TRD_GRP_024 = "TRD_GRP_024"
    TRD_GRP_025 = "TRD_GRP_025"


class OrderStatus(BinanceEnum):
    """Order status (status)."""

    #: accepted by the matching engine
    NEW = "NEW"
    #: waiting until the working order of its order list is fully filled
    PENDING_NEW = "PENDING_NEW"
    #: some quantity filled
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    #: completely filled
    FILLED = "FILLED"
    #: canceled by the user
    CANCELED = "CANCELED"
    #: currently unused
    PENDING_CANCEL = "PENDING_CANCEL"
    #: not accepted by the engine, not processed
    REJECTED = "REJECTED"
    #: ended by order-type rules (e.g. unfilled FOK, partially filled IOC/MARKET) or by the exchange (e.g. liquidation, maintenance)
    EXPIRED = "EXPIRED"
    #: expired by the exchange because of self-trade prevention
    EXPIRED_IN_MATCH = "EXPIRED_IN_MATCH"


class OrderListStatus(BinanceEnum):
    """Order List Status (listStatusType)."""

    #: list status reporting a failed action (placement or cancel)
    RESPONSE = "RESPONSE"
    #: list placed, or its status changed
    EXEC_STARTED = "EXEC_STARTED"
    #: clientOrderId of an order in the list changed
    UPDATED = "UPDATED"
    #: list finished executing; no longer active
    ALL_DONE = "ALL_DONE"


class OrderListOrderStatus(BinanceEnum):
    """Order List Order Status (listOrderStatus)."""

    #: list placed or its status updated
    EXECUTING = "EXECUTING"
    #: list completed; no longer active
    ALL_DONE = "ALL_DONE"
    #: list status reporting a failed placement or cancel
    REJECT = "REJECT"


class ContingencyType(BinanceEnum):
    """ContingencyType."""

    OCO = "OCO"
    OTO = "OTO"


class AllocationType(BinanceEnum):
    """AllocationType."""

    SOR = "SOR"


class OrderType(BinanceEnum):
    """Order types (orderTypes, type)."""

    LIMIT = "LIMIT"
    MARKET = "MARKET"
    STOP_LOSS = "STOP_LOSS"
    STOP_LOSS_LIMIT = "STOP_LOSS_LIMIT"
    TAKE_PROFIT = "TAKE_PROFIT"
    TAKE_PROFIT_LIMIT = "TAKE_PROFIT_LIMIT"
    LIMIT_MAKER = "LIMIT_MAKER"


class OrderResponseType(BinanceEnum):
    """Order Response Type (newOrderRespType)."""

    ACK = "ACK"
    RESULT = "RESULT"
    FULL = "FULL"


class WorkingFloor(BinanceEnum):
    """Working Floor."""

    EXCHANGE = "EXCHANGE"
    SOR = "SOR"


class Side(BinanceEnum):
    """Order side (side)."""

    BUY = "BUY"
    SELL = "SELL"


class TimeInForce(BinanceEnum):
    """Time in force (timeInForce)."""

    #: Good Til Canceled: stays on the book until canceled or filled
    GTC = "GTC"
    #: Immediate Or Cancel: fills what it can at once, rest expires
    IOC = "IOC"
    #: Fill or Kill: expires unless fully fillable immediately
    FOK = "FOK"


class RateLimitType(BinanceEnum):
    """Rate limiters (rateLimitType)."""

    REQUEST_WEIGHT = "REQUEST_WEIGHT"
    ORDERS = "ORDERS"
    RAW_REQUESTS = "RAW_REQUESTS"
    CONNECTIONS = "CONNECTIONS"


class RateLimitInterval(BinanceEnum):
    """Rate limit intervals (interval)."""

    SECOND = "SECOND"
    MINUTE = "MINUTE"
    DAY = "DAY"
    HOUR = "HOUR"


class SelfTradePreventionMode(BinanceEnum):
    """STP Modes."""

    NONE = "NONE"
    EXPIRE_MAKER = "EXPIRE_MAKER"
    EXPIRE_TAKER = "EXPIRE_TAKER"
    EXPIRE_BOTH = "EXPIRE_BOTH"
    DECREMENT = "DECREMENT"
    TRANSFER = "TRANSFER"


class ExecutionType(BinanceEnum):
    """Execution types:."""

    #: order accepted into the engine
    NEW = "NEW"
    #: canceled by the user
    CANCELED = "CANCELED"
    #: order amended
    REPLACED = "REPLACED"
    #: order rejected, not processed (e.g. failed new order of a cancel-replace whose cancel succeeded)
    REJECTED = "REJECTED"
    #: some or all quantity filled
    TRADE = "TRADE"
    #: ended by order-type rules or by the exchange
    EXPIRED = "EXPIRED"
    #: expired because of self-trade prevention
    TRADE_PREVENTION = "TRADE_PREVENTION"


class ExecutionRuleType(BinanceEnum):
    """Execution Rules."""

    PRICE_RANGE = "PRICE_RANGE"


class ExpiryReason(BinanceEnum):
    """Expiry Reasons."""

    #: order has not expired
    NONE = "NONE"
    #: contingent/OTO order rejected when the engine tried to place it (e.g. funds or filters)
    REJECTED = "REJECTED"
    #: canceled by Binance
    EXCHANGE_CANCELED = "EXCHANGE_CANCELED"
    #: OCO leg canceled because the other leg started working or the OCO expired
    OCO_TRIGGER = "OCO_TRIGGER"
    #: working order of the list expired, expiring the whole list
    OTO_PHASE_ONE_EXPIRED = "OTO_PHASE_ONE_EXPIRED"
    #: IOC order not fully filled
    UNFILLED_IOC_QUANTITY_EXPIRED = "UNFILLED_IOC_QUANTITY_EXPIRED"
    #: FOK order not fully filled
    UNFILLED_FOK_ORDER_EXPIRED = "UNFILLED_FOK_ORDER_EXPIRED"
    #: not enough resting orders to match against
    INSUFFICIENT_LIQUIDITY = "INSUFFICIENT_LIQUIDITY"
    #: would have traded outside the PRICE_RANGE execution rule
    EXECUTION_RULE_PRICE_RANGE_EXCEEDED = "EXECUTION_RULE_PRICE_RANGE_EXCEEDED"


class KlineInterval(BinanceEnum):
    """web-socket-api.md (klines)."""

    SECOND_1 = "1s"
    MINUTE_1 = "1m"
    MINUTE_3 = "3m"
    MINUTE_5 = "5m"
    MINUTE_15 = "15m"
    MINUTE_30 = "30m"
    HOUR_1 = "1h"
    HOUR_2 = "2h"
    HOUR_4 = "4h"
    HOUR_6 = "6h"
    HOUR_8 = "8h"
    HOUR_12 = "12h"
    DAY_1 = "1d"
    DAY_3 = "3d"
    WEEK_1 = "1w"
    MONTH_1 = "1M"


class TickerType(BinanceEnum):
    """web-socket-api.md (ticker, ticker.24hr, ticker.tradingDay)."""

    FULL = "FULL"
    MINI = "MINI"


class CancelReplaceMode(BinanceEnum):
    """web-socket-api.md (order.cancelReplace)."""

    STOP_ON_FAILURE = "STOP_ON_FAILURE"
    ALLOW_FAILURE = "ALLOW_FAILURE"


class OrderRateLimitExceededMode(BinanceEnum):
    """web-socket-api.md (order.cancelReplace)."""

    DO_NOTHING = "DO_NOTHING"
    CANCEL_ONLY = "CANCEL_ONLY"


class CancelReplaceResult(BinanceEnum):
    """web-socket-api.md (cancelResult / newOrderResult)."""

    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    NOT_ATTEMPTED = "NOT_ATTEMPTED"


class CancelRestrictions(BinanceEnum):
    """web-socket-api.md (order.cancel, order.cancelReplace)."""

    ONLY_NEW = "ONLY_NEW"
    ONLY_PARTIALLY_FILLED = "ONLY_PARTIALLY_FILLED"


class PegPriceType(BinanceEnum):
    """web-socket-api.md (order.place)."""

    PRIMARY_PEG = "PRIMARY_PEG"
    MARKET_PEG = "MARKET_PEG"


class PegOffsetType(BinanceEnum):
    """web-socket-api.md (order.place)."""

    PRICE_LEVEL = "PRICE_LEVEL"


class ReferencePriceCalculationType(BinanceEnum):
    """web-socket-api.md (referencePrice.calculation examples)."""

    ARITHMETIC_MEAN = "ARITHMETIC_MEAN"
    EXTERNAL = "EXTERNAL"


class SecurityType(BinanceEnum):
    """web-socket-api.md (Request security)."""

    #: public market data
    NONE = "NONE"
    #: place/cancel orders
    TRADE = "TRADE"
    #: private account data (orders, trades, balances)
    USER_DATA = "USER_DATA"
    #: manage User Data Stream subscriptions
    USER_STREAM = "USER_STREAM"


class OrderRejectReason(BinanceEnum):
    """user-data-stream.md (executionReport field r)."""

    NONE = "NONE"
    INSUFFICIENT_BALANCES = "INSUFFICIENT_BALANCES"
    STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY = "STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY"
    WOULD_MATCH_IMMEDIATELY = "WOULD_MATCH_IMMEDIATELY"
    OCO_BAD_PRICES = "OCO_BAD_PRICES"


class MatchType(BinanceEnum):
    """web-socket-api.md / user-data-stream.md examples (fills.matchType, executionReport b)."""

    ONE_PARTY_TRADE_REPORT = "ONE_PARTY_TRADE_REPORT"
