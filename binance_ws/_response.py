"""The generic response of :meth:`Client.request`."""

from __future__ import annotations

from typing import Any

from ._ratelimits import RateLimit, parse_rate_limits

__all__ = ["Response"]


class Response:
    """A successful (status 200) response: ``id``, ``status``, ``result``, ``rate_limits``.

    ``result`` is the decoded JSON as the server sent it. ``rate_limits`` is parsed on first
    access, so requests that never look at it do not pay for it.

    :func:`binance_ws.unstructure` gives back the frame as the server sent it: ``id``,
    ``status``, ``result`` and ``rateLimits`` (left out when the server left it out).

    Example::

        resp = client.request("time")
        resp.result["serverTime"]  # -> 1700000000000
        unstructure(resp)  # -> {"id": 1, "status": 200, "result": {...}, "rateLimits": [...]}
    """

    __slots__ = ("_rate_limits", "_raw_rate_limits", "id", "method", "result", "status")

    def __init__(
        self, *, id: object, status: int, result: Any, raw_rate_limits: Any, method: str = ""
    ) -> None:
        self.id = id
        self.status = status
        self.result = result
        self.method = method
        self._raw_rate_limits = raw_rate_limits
        self._rate_limits: tuple[RateLimit, ...] | None = None

    @property
    def rate_limits(self) -> tuple[RateLimit, ...]:
        """The ``rateLimits`` array of the response (empty when the server left it out)."""
        if self._rate_limits is None:
            self._rate_limits = parse_rate_limits(self._raw_rate_limits)
        return self._rate_limits

    def __repr__(self) -> str:
        result = self.result
        if isinstance(result, (list, dict)):
            kind = "list" if isinstance(result, list) else "object"
            shown = f"<{kind} of {len(result)}>" if len(result) > 8 else repr(result)
        else:
            shown = repr(result)
        if len(shown) > 200:
            shown = shown[:197] + "..."
        return f"Response(id={self.id!r}, method={self.method!r}, status={self.status}, result={shown})"
