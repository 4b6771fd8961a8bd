"""A result with an odd value is never a parse failure: the value is kept, not lost."""

from __future__ import annotations

import logging

import pytest

from binance_ws import _converter, structure, unstructure
from binance_ws.enums import OrderStatus
from binance_ws.models import OrderFull


# Odd values are kept whether or not the object also carries keys the model does not know.
@pytest.mark.parametrize("unknown_key", [True, False], ids=["unknown-key", "known-keys-only"])
def test_odd_values_are_kept_and_logged(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, unknown_key: bool
) -> None:
    monkeypatch.setattr(_converter, "_warned", set())  # it warns once per model and key
    doc: dict[str, object] = {
        "symbol": "BTCUSDT",
        "orderId": 12,
        "price": "n/a",
        "status": 5,
        "fills": {},
        "executedQty": "0.00100000",
    }
    if unknown_key:
        doc["newField"] = [1, 2]
    with caplog.at_level(logging.WARNING, logger="binance_ws"):
        order = structure(doc, OrderFull)
    assert order.order_id == 12 and order.symbol == "BTCUSDT"
    assert str(order.executed_qty) == "0.00100000"
    assert order.price is None and order.status is None and order.fills is None
    odd = {"price": "n/a", "status": 5, "fills": {}}
    assert order.extra == ({**odd, "newField": [1, 2]} if unknown_key else odd)
    assert unstructure(order) == doc
    assert list(unstructure(order)) == list(doc)  # key order kept too
    assert any("OrderFull.price" in r.getMessage() for r in caplog.records)


def test_a_well_formed_order_builds_every_field() -> None:
    doc = {
        "symbol": "BTCUSDT",
        "orderId": 12,
        "price": "1.50",
        "status": "FILLED",
        "fills": [{"price": "1.50", "qty": "2", "tradeId": 7, "commissionAsset": "BNB"}],
    }
    order = structure(doc, OrderFull)
    assert order.status is OrderStatus.FILLED and str(order.price) == "1.50"
    assert order.fills is not None and order.fills[0].trade_id == 7 and str(order.fills[0].qty) == "2"
    assert order.extra is None and order.fills[0].extra is None
    assert order.executed_qty is None  # a key the server left out
    assert unstructure(order) == doc


def test_unknown_enum_value_is_not_odd() -> None:
    order = structure({"status": "PENDING_SOMETHING"}, OrderFull)
    assert isinstance(order.status, OrderStatus) and order.status.value == "PENDING_SOMETHING"
    assert order.extra is None
