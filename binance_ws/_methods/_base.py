"""What every facade mixin relies on: the client's typed call path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class MethodsBase:
    """Base of the facade mixins; :class:`binance_ws.Client` provides ``_call``."""

    def _call(
        self,
        wire: str,
        params: Mapping[str, Any],
        result_type: Any = None,
        *,
        timeout: float | None = None,
        unknown: Mapping[str, Any] | None = None,
    ) -> Any:
        raise NotImplementedError
