"""What the method table cannot say about the typed facade: Python types, result types, layout.

``tools/gen_facade.py`` joins this with the method table (``binance_ws._spec.METHODS``) and the
prose in ``tools/facade_docs/<module>.md`` to write ``binance_ws/_methods/``. Everything else
(parameter names and order, which are mandatory, wire names, weights, security, rules, the
docs link) comes from the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from binance_ws._methods._shapes import FULL_BY_DEFAULT

# -- Parameter types ------------------------------------------------------------------------
# The annotation of a parameter, without ``| None`` (added, with ``= None``, to every optional
# one). str, int, bool and list params are typed by their kind alone; enum and decimal params
# by the end of their wire name (``pendingAboveTimeInForce`` ends with ``TimeInForce``; the
# longest matching ending wins), then by kind.
KIND_TYPES: dict[str, str] = {
    "str": "str",
    "int": "int",
    "bool": "bool",
    "list": "Sequence[str]",
    "decimal": "Decimal | str",
}
NAME_TYPES: dict[str, str] = {
    "side": "Side | str",
    "type": "OrderType | str",
    "newOrderRespType": "OrderResponseType | str",
    "timeInForce": "TimeInForce | str",
    "selfTradePreventionMode": "SelfTradePreventionMode | str",
    "pegPriceType": "PegPriceType | str",
    "pegOffsetType": "PegOffsetType | str",
    "cancelReplaceMode": "CancelReplaceMode | str",
    "cancelRestrictions": "CancelRestrictions | str",
    "orderRateLimitExceededMode": "OrderRateLimitExceededMode | str",
    "symbolStatus": "SymbolStatus | str",
    "interval": "KlineInterval | str",
    "windowSize": "str",  # "1m".."7d": no enum, Binance takes any such span
    # Integral on the wire but documented as decimals: an int is sent as it is.
    "recvWindow": "Decimal | str | int",
    "trailingDelta": "Decimal | str | int",
}
# Per-method exceptions: (wire, param) -> annotation.
METHOD_TYPES: dict[tuple[str, str], str] = {
    ("ticker.24hr", "type"): "TickerType | str",
    ("ticker.tradingDay", "type"): "TickerType | str",
    ("ticker", "type"): "TickerType | str",
}


# -- Result types -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Shape:
    """A result whose type follows the params: the overloads that tell type checkers so.

    ``result`` annotates the implementation (and the catch-all last overload); ``runtime`` is
    the expression, over the method's Python parameter names, that picks the type to build.
    Each overload replaces some parameters' annotation (``"Literal[True]"``: now mandatory;
    ``"None = None"``: keeps a default) and names its return type.
    """

    result: str
    runtime: str
    overloads: tuple[tuple[dict[str, str], str], ...] = field(default=())


def _literal(values: tuple[str, ...], enum: str) -> str:
    """``Literal["A", "B", Enum.A, Enum.B]``: the strings, then the enum members."""
    strings = [f'"{v}"' for v in values]
    members = [f"{enum}.{v}" for v in values]
    return f"Literal[{', '.join(strings + members)}]"


def _resp(name: str) -> dict[str, str]:
    return {"new_order_resp_type": f'Literal["{name}", OrderResponseType.{name}]'}


NEW_ORDER = Shape(
    "OrderAck | OrderResult | OrderFull",
    "new_order_class(type, new_order_resp_type)",
    (
        (_resp("ACK"), "OrderAck"),
        (_resp("RESULT"), "OrderResult"),
        (_resp("FULL"), "OrderFull"),
        # Binance's default shape: FULL for MARKET and LIMIT orders.
        ({"type": _literal(FULL_BY_DEFAULT, "OrderType"), "new_order_resp_type": "None = None"}, "OrderFull"),
    ),
)
SOR_ORDER = Shape(
    "list[OrderAck] | list[OrderResult] | list[OrderFull]",
    "sor_result_type(new_order_resp_type)",
    (
        (_resp("ACK"), "list[OrderAck]"),
        (_resp("RESULT"), "list[OrderResult]"),
        (
            {"new_order_resp_type": 'Literal["FULL", OrderResponseType.FULL] | None = None'},
            "list[OrderFull]",
        ),
    ),
)
TEST_ORDER = Shape(
    "Empty | OrderTestCommissions",
    "OrderTestCommissions if compute_commission_rates else Empty",
    (
        ({"compute_commission_rates": "Literal[True]"}, "OrderTestCommissions"),
        ({"compute_commission_rates": "Literal[False] | None = None"}, "Empty"),
    ),
)


def ticker(full: str, *, symbols_required: bool) -> Shape:
    """One model for ``symbol=``, a list otherwise; the MiniTicker for ``type="MINI"``."""
    many = "Sequence[str]" if symbols_required else "Sequence[str] | None = None"
    is_full = 'Literal["FULL", TickerType.FULL] | None = None'
    is_mini = 'Literal["MINI", TickerType.MINI]'
    one = {"symbol": "str", "symbols": "None = None"}
    lists = {"symbol": "None = None", "symbols": many}
    return Shape(
        f"{full} | MiniTicker | list[{full}] | list[MiniTicker]",
        f"ticker_type(symbol is not None, type == TickerType.MINI, {full})",
        (
            ({**one, "type": is_full}, full),
            ({**one, "type": is_mini}, "MiniTicker"),
            ({**lists, "type": is_full}, f"list[{full}]"),
            ({**lists, "type": is_mini}, "list[MiniTicker]"),
        ),
    )


def one_or_list(model: str) -> Shape:
    """One model for ``symbol=``, else a list (``symbols=`` or every symbol)."""
    return Shape(
        f"{model} | list[{model}]",
        f"{model} if symbol is not None else list[{model}]",
        (
            ({"symbol": "str", "symbols": "None = None"}, model),
            ({"symbol": "None = None", "symbols": "Sequence[str] | None = None"}, f"list[{model}]"),
        ),
    )


RESULTS: dict[str, str | Shape] = {
    "ping": "Empty",
    "time": "ServerTime",
    "exchangeInfo": "ExchangeInfo",
    "executionRules": "ExecutionRules",
    "depth": "OrderBook",
    "trades.recent": "list[Trade]",
    "trades.historical": "list[Trade]",
    "blockTrades.historical": "list[Trade]",
    "trades.aggregate": "list[AggregateTrade]",
    "klines": "list[Kline]",
    "uiKlines": "list[Kline]",
    "avgPrice": "AveragePrice",
    "ticker.24hr": ticker("Ticker24hr", symbols_required=False),
    "ticker.tradingDay": ticker("Ticker", symbols_required=True),
    "ticker": ticker("Ticker", symbols_required=True),
    "ticker.price": one_or_list("PriceTicker"),
    "ticker.book": one_or_list("BookTicker"),
    "referencePrice": "ReferencePrice",
    "referencePrice.calculation": "ReferencePriceCalculation",
    "session.logon": "SessionStatus",
    "session.status": "SessionStatus",
    "session.logout": "SessionStatus",
    "order.place": NEW_ORDER,
    "order.test": TEST_ORDER,
    "order.cancel": "CancelReport",
    "order.cancelReplace": "CancelReplaceOutcome",
    "order.amend.keepPriority": "AmendKeepPriorityResult",
    "openOrders.cancelAll": "list[CancelReport]",
    "orderList.place": "OrderList",
    "orderList.place.oco": "OrderList",
    "orderList.place.oto": "OrderList",
    "orderList.place.otoco": "OrderList",
    "orderList.place.opo": "OrderList",
    "orderList.place.opoco": "OrderList",
    "orderList.cancel": "OrderList",
    "sor.order.place": SOR_ORDER,
    "sor.order.test": TEST_ORDER,
    "account.status": "AccountInfo",
    "order.status": "Order",
    "openOrders.status": "list[Order]",
    "allOrders": "list[Order]",
    "orderList.status": "OrderList",
    "openOrderLists.status": "list[OrderList]",
    "allOrderLists": "list[OrderList]",
    "myTrades": "list[AccountTrade]",
    "account.rateLimits.orders": "list[UnfilledOrderCount]",
    "myPreventedMatches": "list[PreventedMatch]",
    "myAllocations": "list[Allocation]",
    "account.commission": "AccountCommission",
    "order.amendments": "list[OrderAmendment]",
    "myFilters": "AccountFilters",
    "userDataStream.subscribe": "Subscription",
    "userDataStream.unsubscribe": "Empty",
    "session.subscriptions": "list[Subscription]",
    "userDataStream.subscribe.signature": "Subscription",
}


# -- Layout -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Module:
    """One generated module of ``binance_ws/_methods/`` and its mixin class.

    The module's docstring is the preamble of ``tools/facade_docs/<name>.md``.

    It holds the methods named in ``wires``, plus every other method of ``category`` (so a
    new method lands in its category's module without an entry here).
    """

    name: str
    cls: str
    bases: tuple[str, ...]
    cls_doc: str
    category: str | None = None
    wires: tuple[str, ...] = ()


MODULES: tuple[Module, ...] = (
    Module(
        "general",
        "GeneralMethods",
        ("MethodsBase",),
        "General methods of the Binance WebSocket API.",
        category="general",
    ),
    Module(
        "tickers",
        "TickerMethods",
        ("MethodsBase",),
        "Ticker methods of the Binance WebSocket API (part of the market data methods).",
        wires=("ticker.24hr", "ticker.tradingDay", "ticker", "ticker.price", "ticker.book"),
    ),
    Module(
        "market",
        "MarketMethods",
        ("TickerMethods",),
        "Market data methods of the Binance WebSocket API (security NONE: no keys needed).",
        category="market",
    ),
    Module(
        "session",
        "SessionMethods",
        ("MethodsBase",),
        "Session authentication methods of the Binance WebSocket API.",
        category="session",
    ),
    Module(
        "order_changes",
        "OrderChangeMethods",
        ("MethodsBase",),
        "Cancel, replace and amend orders (part of the trading methods).",
        wires=("order.cancel", "order.cancelReplace", "order.amend.keepPriority", "openOrders.cancelAll"),
    ),
    Module(
        "order_lists_oto",
        "OtoOrderListMethods",
        ("MethodsBase",),
        "OTO, OTOCO, OPO and OPOCO order lists (part of the trading methods).",
        wires=(
            "orderList.place.oto",
            "orderList.place.otoco",
            "orderList.place.opo",
            "orderList.place.opoco",
        ),
    ),
    Module(
        "order_lists",
        "OrderListMethods",
        ("OtoOrderListMethods",),
        "Order-list methods (part of the trading methods).",
        wires=("orderList.place", "orderList.place.oco", "orderList.cancel"),
    ),
    Module(
        "sor",
        "SorMethods",
        ("MethodsBase",),
        "SOR methods (part of the trading methods).",
        wires=("sor.order.place", "sor.order.test"),
    ),
    Module(
        "trading",
        "TradingMethods",
        ("OrderChangeMethods", "OrderListMethods", "SorMethods"),
        "Trading methods of the Binance WebSocket API (security TRADE: signed).",
        category="trading",
    ),
    Module(
        "account",
        "AccountMethods",
        ("MethodsBase",),
        "Account methods of the Binance WebSocket API (security USER_DATA: signed).",
        category="account",
    ),
    Module(
        "user_data",
        "UserDataMethods",
        ("MethodsBase",),
        "User Data Stream methods of the Binance WebSocket API.",
        category="user_data_stream",
    ),
)
