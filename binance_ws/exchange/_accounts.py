"""Accounts of the local exchange: balances and commission rates."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

__all__ = ["DEMO_ACCOUNT", "Account", "Accounts"]

DEMO_ACCOUNT = "demo"


@attrs.define
class Account:
    """One account: free and locked balance per asset."""

    account_id: str
    free: dict[str, Decimal] = attrs.Factory(dict)
    locked: dict[str, Decimal] = attrs.Factory(dict)


class Accounts:
    """Every account of the exchange, keyed by account id."""

    def __init__(self) -> None:
        self.by_id: dict[str, Account] = {}

    @classmethod
    def demo(cls, balances: Mapping[str, Decimal | str] | None = None) -> Accounts:
        """The default demo account, with ``balances`` (asset -> amount) or a default set."""
        accounts = cls()
        start = (
            balances if balances is not None else {"USDT": "100000", "BTC": "1", "ETH": "10", "BNB": "100"}
        )
        accounts.by_id[DEMO_ACCOUNT] = Account(DEMO_ACCOUNT, {k: Decimal(v) for k, v in start.items()})
        return accounts
