"""Accounts of the local exchange: balances (free and locked) and commission rates.

Every account is changed only by the engine, under the engine's lock; nothing here locks.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from .clock import now_ms
from .decimals import ZERO

__all__ = ["DEMO_ACCOUNT", "MARKET_MAKER", "Account", "Accounts"]

#: The account every demo API key acts for.
DEMO_ACCOUNT = "demo"
#: The account that owns the seeded resting liquidity (and the seeded trades).
MARKET_MAKER = "market-maker"

# Binance's standard spot rate: 0.1 % for makers and takers.
DEFAULT_RATE = Decimal("0.001")
# The demo account's default start: enough to try every symbol of the exchange.
DEFAULT_BALANCES: Mapping[str, str] = {"USDT": "100000", "BTC": "1", "ETH": "10", "BNB": "100"}
# The market maker never runs out (the engine funds it for every listed asset).
MARKET_MAKER_BALANCE = Decimal("1000000000000")

_uids = itertools.count(354937868)


@attrs.define(eq=False)
class Account:
    """One account: free and locked balance per asset, commission rates and flags.

    Rates are fractions (``0.001`` is 0.1 %); a fill pays ``maker`` or ``taker`` plus
    ``buyer`` or ``seller``, in the asset it receives.
    """

    account_id: str
    free: dict[str, Decimal] = attrs.Factory(dict)
    locked: dict[str, Decimal] = attrs.Factory(dict)
    #: The part of ``locked`` an external system holds (``LocalExchange.lock_externally``).
    external: dict[str, Decimal] = attrs.Factory(dict)
    maker: Decimal = DEFAULT_RATE
    taker: Decimal = DEFAULT_RATE
    buyer: Decimal = ZERO
    seller: Decimal = ZERO
    uid: int = attrs.Factory(lambda: next(_uids))
    can_trade: bool = True
    update_time: int = attrs.Factory(now_ms)

    def available(self, asset: str) -> Decimal:
        return self.free.get(asset, ZERO)

    def lock(self, asset: str, amount: Decimal) -> None:
        """Move ``amount`` from free to locked (the caller checked :meth:`available`)."""
        self.free[asset] = self.free.get(asset, ZERO) - amount
        self.locked[asset] = self.locked.get(asset, ZERO) + amount

    def unlock(self, asset: str, amount: Decimal) -> None:
        self.locked[asset] = self.locked.get(asset, ZERO) - amount
        self.free[asset] = self.free.get(asset, ZERO) + amount

    def pay_locked(self, asset: str, amount: Decimal) -> None:
        """Spend ``amount`` that an order had locked."""
        self.locked[asset] = self.locked.get(asset, ZERO) - amount

    def credit(self, asset: str, amount: Decimal) -> None:
        self.free[asset] = self.free.get(asset, ZERO) + amount

    def debit(self, asset: str, amount: Decimal) -> None:
        self.free[asset] = self.free.get(asset, ZERO) - amount

    def assets(self) -> list[str]:
        return sorted(set(self.free) | set(self.locked))

    def balance_rows(self, assets: Iterable[str] | None = None) -> list[tuple[str, Decimal, Decimal]]:
        """``(asset, free, locked)`` for ``assets`` (default: every asset the account holds)."""
        names = self.assets() if assets is None else sorted(set(assets))
        return [(a, self.free.get(a, ZERO), self.locked.get(a, ZERO)) for a in names]


class Accounts:
    """Every account of the exchange, keyed by account id."""

    def __init__(self) -> None:
        self.by_id: dict[str, Account] = {}

    @classmethod
    def demo(cls, balances: Mapping[str, Decimal | str] | None = None) -> Accounts:
        """The demo account, with ``balances`` (asset -> amount) or a default set, and the market maker.

        Example::

            >>> accounts = Accounts.demo({"USDT": "500"})
            >>> accounts.get(DEMO_ACCOUNT).free
            {'USDT': Decimal('500')}
        """
        accounts = cls()
        accounts.add(DEMO_ACCOUNT, DEFAULT_BALANCES if balances is None else balances)
        accounts.add(MARKET_MAKER, {}, maker=ZERO, taker=ZERO)
        return accounts

    def add(
        self,
        account_id: str,
        balances: Mapping[str, Decimal | str] | None = None,
        *,
        maker: Decimal = DEFAULT_RATE,
        taker: Decimal = DEFAULT_RATE,
    ) -> Account:
        """Open (or replace) an account with these balances and commission rates."""
        account = Account(
            account_id, {k: Decimal(v) for k, v in (balances or {}).items()}, maker=maker, taker=taker
        )
        self.by_id[account_id] = account
        return account

    def get(self, account_id: str) -> Account:
        account = self.by_id.get(account_id)
        if account is None:
            account = self.add(account_id, {})
        return account
