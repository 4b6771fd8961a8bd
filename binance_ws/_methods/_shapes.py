"""Which type an answer is structured into when it follows the request's params.

The generated facade methods call these; the overloads in ``tools/facade_overlay.py`` tell
type checkers the same.
"""

from __future__ import annotations

import types
from typing import Any

from ..enums import OrderResponseType, OrderType
from ..models.market import MiniTicker
from ..models.trading import OrderAck, OrderFull, OrderResult

_BY_RESPONSE_TYPE: dict[str, type[OrderAck]] = {"ACK": OrderAck, "RESULT": OrderResult, "FULL": OrderFull}
#: The order types Binance answers with FULL by default (every other type: ACK). The facade's
#: overloads are generated from this too (``tools/facade_overlay.py``).
FULL_BY_DEFAULT = ("MARKET", "LIMIT")


def new_order_class(
    order_type: OrderType | str | None, response_type: OrderResponseType | str | None
) -> type[OrderAck]:
    """The model of a new order's answer: ACK, RESULT or FULL, with Binance's default by type.

    A response type the SDK does not know gets the widest model. (Bad values are refused by
    the parameter checks right after; this only must not fail first.)
    """
    if response_type is None:
        kind = order_type.value if isinstance(order_type, OrderType) else order_type
        return OrderFull if isinstance(kind, str) and kind in FULL_BY_DEFAULT else OrderAck
    key = response_type.value if isinstance(response_type, OrderResponseType) else response_type
    return _BY_RESPONSE_TYPE.get(key, OrderFull) if isinstance(key, str) else OrderFull


def sor_result_type(response_type: OrderResponseType | str | None) -> Any:
    """``list[...]`` of the model of ``sor.order.place``'s answer (SOR orders default to FULL)."""
    # SOR takes only LIMIT and MARKET orders, both answered with FULL by default.
    return types.GenericAlias(list, (new_order_class(OrderType.MARKET, response_type),))


def ticker_type(single: bool, mini: bool, full: type[MiniTicker]) -> Any:
    """The result type of a ticker method: one or a list of the FULL or MINI model."""
    if single:
        return MiniTicker if mini else full
    return list[MiniTicker] if mini else list[full]  # type: ignore[valid-type]
