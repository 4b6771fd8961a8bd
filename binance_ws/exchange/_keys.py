"""API keys of the local exchange (first version: none yet)."""

from __future__ import annotations

__all__ = ["KeyStore"]


class KeyStore:
    """API keys and the accounts they act for."""

    @classmethod
    def demo(cls, account_id: str) -> KeyStore:
        return cls()
