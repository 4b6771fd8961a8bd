"""User data stream of the local exchange: subscriptions and event delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._server import LocalExchange


def publish(ex: LocalExchange, account_id: str, event: dict[str, Any]) -> None:
    """Deliver one user-data event to every subscription of ``account_id`` (first version: none)."""
