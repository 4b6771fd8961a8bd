"""Wallet changes from outside the exchange: deposits, withdrawals and external locks.

Mixed into :class:`~binance_ws.exchange.LocalExchange` (through ``ExchangeControls``). Each
change runs as one engine transaction, so its events (``balanceUpdate`` or
``externalLockUpdate``, then ``outboundAccountPosition``, as Binance sends them) come in
order with the events of orders, and the account's ``updateTime`` moves with them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ._accounts import DEMO_ACCOUNT, MARKET_MAKER, Account
from ._orders import ZERO, fmt

if TYPE_CHECKING:
    from ._accounts import Accounts
    from ._engine import Engine

__all__ = ["WalletControls"]

_EIGHT = Decimal("0.00000001")


class WalletControls:
    """``deposit`` and ``lock_externally`` (see :class:`LocalExchange`)."""

    accounts: Accounts
    engine: Engine

    def deposit(
        self, asset: str, amount: Decimal | str | int, *, account: str | None = None
    ) -> dict[str, Any]:
        """Credit (positive ``amount``: a deposit) or debit (negative: a withdrawal) a free balance.

        Sends ``balanceUpdate`` (``d`` is the delta), then ``outboundAccountPosition``, to the
        account's subscriptions. ``account``: an account id (default: the demo account's).
        A withdrawal of more than is free raises ValueError. Returns the ``balanceUpdate`` sent.

        Example::

            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     ex.deposit("BTC", "0.5")["d"]
            ...     ex.accounts.get("demo").free["BTC"]
            '0.50000000'
            Decimal('1.5')
        """
        delta = _amount(amount)
        with self.engine.transaction() as tx:
            acct, name = self._wallet_account(account)
            asset = _asset(asset)
            if delta < 0 and acct.available(asset) < -delta:
                raise ValueError(
                    f"amount: cannot withdraw {-delta} {asset}, only {acct.available(asset)} is free "
                    f"in account {name!r}"
                )
            acct.credit(asset, delta)
            event = {"e": "balanceUpdate", "E": tx.now, "a": asset, "d": fmt(delta), "T": tx.now}
            tx.events.append((name, event))
            tx.touch(name, asset)
        return event

    def lock_externally(
        self, asset: str, amount: Decimal | str | int, *, account: str | None = None
    ) -> dict[str, Any]:
        """Lock ``amount`` of a free balance for an external system (negative: release it).

        As when Binance uses spot funds as margin collateral: free moves to locked (or back),
        then ``externalLockUpdate`` (``d`` is the delta) and ``outboundAccountPosition`` are
        sent to the account's subscriptions. Only what was locked this way can be released;
        locking more than is free raises ValueError. ``account``: an account id (default:
        the demo account's). Returns the ``externalLockUpdate`` sent.

        Example::

            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex:
            ...     ex.lock_externally("USDT", "250")["d"]
            ...     ex.accounts.get("demo").locked["USDT"]
            '250.00000000'
            Decimal('250')
        """
        delta = _amount(amount)
        with self.engine.transaction() as tx:
            acct, name = self._wallet_account(account)
            asset = _asset(asset)
            held = acct.external.get(asset, ZERO)
            if delta > 0 and acct.available(asset) < delta:
                raise ValueError(
                    f"amount: cannot lock {delta} {asset}, only {acct.available(asset)} is free "
                    f"in account {name!r}"
                )
            if delta < 0 and held < -delta:
                raise ValueError(
                    f"amount: cannot release {-delta} {asset}, only {held} is locked externally "
                    f"in account {name!r}"
                )
            acct.lock(asset, delta)
            acct.external[asset] = held + delta
            event = {"e": "externalLockUpdate", "E": tx.now, "a": asset, "d": fmt(delta), "T": tx.now}
            tx.events.append((name, event))
            tx.touch(name, asset)
        return event

    def _wallet_account(self, account: str | None) -> tuple[Account, str]:
        name = DEMO_ACCOUNT if account is None else account
        if not isinstance(name, str) or name not in self.accounts.by_id or name == MARKET_MAKER:
            raise ValueError(
                f"account must be the id of an account of this exchange (default: the demo account), "
                f"got {account!r}; open one with ex.accounts.add(...)"
            )
        return self.accounts.by_id[name], name


def _amount(amount: Decimal | str | int) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, str, int)):
        raise TypeError(f"amount must be a Decimal, str or int, got {type(amount).__name__}")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise ValueError(f"amount must be a decimal number, got {amount!r}") from None
    if not value.is_finite() or value == 0 or value.quantize(_EIGHT) != value:
        raise ValueError(f"amount must be a non-zero number with at most 8 decimals, got {amount!r}")
    return value


def _asset(asset: str) -> str:
    if not isinstance(asset, str) or not asset.isalnum() or not asset.isupper():
        raise ValueError(f"asset must be an asset name such as 'BTC', got {asset!r}")
    return asset
