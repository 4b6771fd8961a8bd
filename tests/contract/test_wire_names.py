"""Every typed method sends exactly its wire method name and wire parameter names.

Checked on the server side: the local exchange records each request before answering it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from binance_ws import APIError, Client
from binance_ws._naming import to_snake
from binance_ws._spec import METHODS, MethodSpec
from binance_ws.exchange import LocalExchange

# Added by signing or session logon, never by the caller.
AUTH_PARAMS = {"apiKey", "signature", "timestamp"}

SAMPLE: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "symbols": ["BTCUSDT", "ETHUSDT"],
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "recvWindow": 5000,
}
BY_KIND: dict[str, Any] = {
    "str": "abc123",
    "enum": "X",
    "decimal": "1.5",
    "int": 3,
    "bool": True,
    "list": ["A"],
}


def sample_params(spec: MethodSpec) -> dict[str, Any]:
    """One value for every parameter, leaving out the later members of exclusive groups."""
    skip: set[str] = set()
    for rule, names in spec.groups:
        if rule in ("at_most_one", "exactly_one"):
            skip.update(names[1:])
    return {p.name: SAMPLE.get(p.name, BY_KIND[p.kind]) for p in spec.params if p.name not in skip}


@pytest.fixture(scope="module")
def authed() -> Iterator[tuple[LocalExchange, Client]]:
    with LocalExchange(book_levels=50) as ex:
        key = ex.keys.ed25519
        with Client(ex.url, api_key=key.api_key, private_key=key.private_key_pem, auto_logon=True) as client:
            yield ex, client


# Logging out ends the session the other methods rely on: run it last.
ORDER = sorted(METHODS, key=lambda wire: (wire == "session.logout", wire))


@pytest.mark.parametrize("wire", ORDER)
def test_request_carries_wire_names(authed: tuple[LocalExchange, Client], wire: str) -> None:
    ex, client = authed
    spec = METHODS[wire]
    params = sample_params(spec)
    method = getattr(client, to_snake(wire))
    before = len(ex.requests)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            method(**{to_snake(k): v for k, v in params.items()})
        except APIError:
            pass  # the sample values need not make sense to the exchange
    assert len(ex.requests) > before, f"{wire}: nothing reached the exchange"
    sent_method, sent_params = ex.requests[-1]
    assert sent_method == wire
    assert set(sent_params) - AUTH_PARAMS == set(params)
