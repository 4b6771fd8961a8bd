"""Wallet changes from outside the exchange: deposits, withdrawals and external locks.

:class:`~binance_ws.exchange.LocalExchange` exposes these as its ``deposit`` and
``lock_externally`` methods. Each change runs as one engine transaction, so its events (``balanceUpdate`` or
``externalLockUpdate``, then ``outboundAccountPosition``, as Binance sends them) come in
order with the events of orders, and the account's ``updateTime`` moves with them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ..model.accounts import DEMO_ACCOUNT, MARKET_MAKER, Account
from ..model.decimals import EIGHT, ZERO, fmt
from .core import Engine

__all__ = ["deposit", "lock_externally"]


def deposit(
    engine: Engine, asset: str, amount: Decimal | str | int, *, account: str | None = None
) -> dict[str, Any]:
    """Credit (positive ``amount``) or debit (negative) a free balance; returns the ``balanceUpdate``.

    A withdrawal of more than is free raises ValueError (see ``LocalExchange.deposit``).
    """

    def apply(acct: Account, name: str, asset: str, delta: Decimal) -> None:
        if delta < 0 and acct.available(asset) < -delta:
            raise ValueError(
                f"amount: cannot withdraw {-delta} {asset}, only {acct.available(asset)} is free "
                f"in account {name!r}"
            )
        acct.credit(asset, delta)

    return _change(engine, "balanceUpdate", asset, amount, account=account, apply=apply)


def lock_externally(
    engine: Engine, asset: str, amount: Decimal | str | int, *, account: str | None = None
) -> dict[str, Any]:
    """Lock (positive ``amount``) or release (negative) free funds for an external system.

    Returns the ``externalLockUpdate``; only what was locked this way can be released
    (see ``LocalExchange.lock_externally``).
    """

    def apply(acct: Account, name: str, asset: str, delta: Decimal) -> None:
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

    return _change(engine, "externalLockUpdate", asset, amount, account=account, apply=apply)


def _change(
    engine: Engine,
    event_type: str,
    asset: str,
    amount: Decimal | str | int,
    *,
    account: str | None,
    apply: Callable[[Account, str, str, Decimal], None],
) -> dict[str, Any]:
    """The shared part: check the arguments, apply the change in one transaction, queue its event."""
    delta = _amount(amount)
    with engine.transaction() as tx:
        acct, name = _wallet_account(engine, account)
        asset = _asset(asset)
        apply(acct, name, asset, delta)
        event = {"e": event_type, "E": tx.now, "a": asset, "d": fmt(delta), "T": tx.now}
        tx.events.append((name, event))
        tx.touch(name, asset)
    return event


def _wallet_account(engine: Engine, account: str | None) -> tuple[Account, str]:
    name = DEMO_ACCOUNT if account is None else account
    by_id = engine.accounts.by_id
    if not isinstance(name, str) or name not in by_id or name == MARKET_MAKER:
        raise ValueError(
            f"account must be the id of an account of this exchange (default: the demo account), "
            f"got {account!r}; open one with ex.accounts.add(...)"
        )
    return by_id[name], name


def _amount(amount: Decimal | str | int) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, str, int)):
        raise TypeError(f"amount must be a Decimal, str or int, got {type(amount).__name__}")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise ValueError(f"amount must be a decimal number, got {amount!r}") from None
    if not value.is_finite() or value == 0 or value.quantize(EIGHT) != value:
        raise ValueError(f"amount must be a non-zero number with at most 8 decimals, got {amount!r}")
    return value


def _asset(asset: str) -> str:
    if not isinstance(asset, str) or not asset.isalnum() or not asset.isupper():
        raise ValueError(f"asset must be an asset name such as 'BTC', got {asset!r}")
    return asset
