"""Pytest fixtures for testing your own bot against the local exchange.

Enable them in your ``conftest.py``::

    pytest_plugins = ["binance_ws.testing"]

then ask for them in a test::

    def test_my_bot_buys(client, local_exchange):
        order = client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
        assert order.status == "FILLED"
        local_exchange.fail_next("order.place", 503)  # the next order gets a 503

Fixtures:

- ``local_exchange``: a :class:`~binance_ws.exchange.LocalExchange` of its own for each test,
  on a free port of 127.0.0.1, with the demo account and its keys (``local_exchange.keys``),
  and 1000 price levels per side of each book (it starts in a few hundredths of a second;
  ``exchange_for_tests()`` without arguments gives the full 5000 that ``depth(limit=5000)``
  needs).
  To change its options, define a ``local_exchange`` fixture of your own in your conftest
  (pytest's override): ``yield from exchange_for_tests(weight_limit=100)``.
- ``client``: a :class:`~binance_ws.Client` connected to it with the demo account's HMAC key
  (never the keys of your environment), closed after the test.

:func:`connect` makes more clients of the same exchange (another key type, other options).
Needs the ``exchange`` extra (``pip install 'binance-ws[exchange]'``) and pytest. Importing
``binance_ws`` never imports this module, nor pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from . import Client
from .exchange import LocalExchange

__all__ = ["client", "connect", "exchange_for_tests", "local_exchange"]

#: The default answer timeout of test clients (seconds): short, so a hung test says so soon.
TEST_TIMEOUT = 5.0
#: Price levels per book side of the fixture's exchange: enough for depth(limit=1000), and
#: quick to build (5000, the exchange's own default, takes about ten times longer).
FIXTURE_BOOK_LEVELS = 1000


def exchange_for_tests(**options: Any) -> Iterator[LocalExchange]:
    """Start a :class:`LocalExchange` with ``options``, yield it, and close it afterwards.

    For a fixture of your own: ``yield from exchange_for_tests(order_limit_10s=5)``.
    """
    with LocalExchange(**options) as exchange:
        yield exchange


def connect(exchange: LocalExchange, *, key: str = "hmac", **options: Any) -> Client:
    """A connected :class:`Client` of ``exchange`` using one of its demo keys.

    ``key``: ``"hmac"`` (default), ``"ed25519"``, ``"rsa"`` or ``"none"`` (no credentials).
    ``options`` go to :class:`Client` (e.g. ``auto_logon=True`` with ``key="ed25519"``).
    The caller closes it (``with connect(ex) as client: ...``).
    """
    credentials: dict[str, Any]
    if key == "hmac":
        credentials = {"api_key": exchange.keys.hmac.api_key, "api_secret": exchange.keys.hmac.api_secret}
    elif key in ("ed25519", "rsa"):
        pair = exchange.keys.ed25519 if key == "ed25519" else exchange.keys.rsa
        credentials = {"api_key": pair.api_key, "private_key": pair.private_key_pem}
    elif key == "none":
        credentials = {}
    else:
        raise ValueError(f'key must be "hmac", "ed25519", "rsa" or "none", got {key!r}')
    options.setdefault("timeout", TEST_TIMEOUT)
    # The test's keys only: BINANCE_API_KEY and friends of the developer's shell stay unused.
    client = Client(exchange.url, credentials_from_env=False, **credentials, **options)
    return client.connect()


@pytest.fixture
def local_exchange() -> Iterator[LocalExchange]:
    """A local exchange of this test's own on 127.0.0.1 (closed after the test)."""
    yield from exchange_for_tests(book_levels=FIXTURE_BOOK_LEVELS)


@pytest.fixture
def client(local_exchange: LocalExchange) -> Iterator[Client]:
    """A client of ``local_exchange`` signed with its demo HMAC key (closed after the test)."""
    with connect(local_exchange) as connected:
        yield connected
