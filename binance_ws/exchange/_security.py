"""Request security of the local exchange: API keys, signatures, timestamps, sessions.

``authenticate`` runs before every handler. It returns the API key the request acts for
(``None`` for public methods) or raises :class:`ExchangeError` as Binance would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._spec import MethodSpec

if TYPE_CHECKING:
    from ._server import LocalExchange, Session


def authenticate(ex: LocalExchange, session: Session, spec: MethodSpec, params: dict[str, Any]) -> str | None:
    """The API key the request acts for; first version: no checks yet."""
    key = params.get("apiKey")
    return key if isinstance(key, str) else session.api_key
