"""A result with an odd value is never a parse failure: the value is kept, not lost."""

from __future__ import annotations

import logging

import pytest

from binance_ws import structure, unstructure
from binance_ws.enums import OrderStatus
from binance_ws.models import OrderFull


def test_odd_values_are_kept_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    doc = {
        "symbol": "BTCUSDT",
        "orderId": 12,
        "price": "n/a",
        "status": 5,
        "fills": {},
        "executedQty": "0.00100000",
        "newField": [1, 2],
    }
    with caplog.at_level(logging.WARNING, logger="binance_ws"):
        order = structure(doc, OrderFull)
    assert order.order_id == 12 and order.symbol == "BTCUSDT"
    assert str(order.executed_qty) == "0.00100000"
    assert order.price is None and order.status is None and order.fills is None
    assert order.extra == {"price": "n/a", "status": 5, "fills": {}, "newField": [1, 2]}
    assert unstructure(order) == doc
    assert list(unstructure(order)) == list(doc)  # key order kept too
    assert any("OrderFull.price" in r.getMessage() for r in caplog.records)


def test_unknown_enum_value_is_not_odd() -> None:
    order = structure({"status": "PENDING_SOMETHING"}, OrderFull)
    assert isinstance(order.status, OrderStatus) and order.status.value == "PENDING_SOMETHING"
    assert order.extra is None
