"""The blocking request path, shared by every call of :class:`binance_ws.Client`.

Order of a call: validate and encode params -> sign -> pick the connection (waiting while
one is being restored or replaced) -> register a pending slot -> send -> wait on the slot (in
short slices on the main thread, so Ctrl-C and Jupyter's interrupt land promptly) ->
unregister in ``finally`` -> raise the mapped error or decode the result. A request that
certainly did not leave (its connection ended or was rotated out first) goes again on the
next connection within its own timeout; one that may have left is never re-sent.

The path takes no lock of its own besides the pending table's, which is never held across
I/O or waiting.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from . import _json
from ._auth import is_microsecond_window, missing_credentials_hint, validate_recv_window
from ._connection import Connections
from ._converter import structure
from ._errors import (
    ClientClosedError,
    ConnectionClosedError,
    InvalidParameterError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    UnauthorizedError,
    error_for_response,
)
from ._naming import to_snake
from ._ratelimits import parse_rate_limits
from ._response import Response
from ._signing import ED25519, Signer, canonical_payload, redact
from ._spec import METHODS, MethodSpec, ParamSpec

logger = logging.getLogger("binance_ws._client")

__all__ = ["RequestPath", "fork_count", "forked", "validate_timeout"]

# The main thread waits in slices so a KeyboardInterrupt (Ctrl-C, Jupyter's interrupt) lands
# within this long even on platforms where a blocked Event.wait ignores signals. Other threads
# never receive signals: they wait in one call, so 10 000 waiting threads cost no CPU.
_WAIT_SLICE = 0.1
_MAIN_THREAD = threading.main_thread().ident


class _Forks:
    """Bumped in a forked child, where the parent's connections must not be used.

    Comparing a counter costs nothing, while ``os.getpid()`` is a system call per request.
    """

    count = 0

    @classmethod
    def bump(cls) -> None:
        cls.count += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_Forks.bump)


def forked(count: int) -> bool:
    """True in a process forked since ``count`` was read from :func:`fork_count`."""
    return count != _Forks.count


def fork_count() -> int:
    """How many times this process was forked from its parent's (0 in the original)."""
    return _Forks.count


def validate_timeout(value: float, name: str = "timeout") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value <= 0:
        raise InvalidParameterError(name, f"must be a positive number of seconds, got {value!r}")
    # Beyond this a lock wait overflows; nobody waits 292 years for an answer anyway.
    if value >= threading.TIMEOUT_MAX:
        return threading.TIMEOUT_MAX
    return float(value)


class RequestPath:
    """The request path as a mixin of :class:`binance_ws.Client`, which sets these attributes."""

    timeout: float
    _conns: Connections
    _signer: Signer | None
    _recv_window: int | str | None
    _time_offset: int
    _ids: itertools.count[int]
    _forks: int
    _raw_rate_limits: Any
    #: After a 429/418: (time.monotonic() until which nothing is sent, the server's error,
    #: whether only order placements are held).
    _hold: tuple[float, RateLimitedError, bool] | None

    @property
    def _session_key(self) -> str | None:
        link = self._conns.link_for_thread()
        return None if link is None else link.session_key

    def _set_session_key(self, key: str | None) -> None:
        link = self._conns.link_for_thread()
        if link is not None:
            link.session_key = key

    def request(
        self, method: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> Response:
        """Send any method with raw wire params and wait for its response.

        ``params`` go out as given (wire names, JSON values); no validation or signing is
        added. Returns a :class:`Response` for status 200 and raises the matching
        :class:`APIError` subclass otherwise.

        Example::

            client.request("depth", {"symbol": "BTCUSDT", "limit": 5}).result["bids"][0]
            # -> ['59999.99000000', '0.21322000']
        """
        frame = self._roundtrip(method, params, timeout)
        return Response(
            id=frame.get("id"),
            status=frame["status"],
            result=frame.get("result"),
            raw_rate_limits=frame.get("rateLimits"),
            method=method,
        )

    def _call(
        self,
        wire: str,
        params: Mapping[str, Any],
        result_type: Any = None,
        *,
        timeout: float | None = None,
        unknown: Mapping[str, Any] | None = None,
    ) -> Any:
        """The typed path: validate and encode with the method table, send, decode.

        ``result_type`` is any type the converter can build (a model, ``list[Model]``, ...);
        ``None`` returns the raw decoded JSON. ``unknown`` holds keyword arguments the
        facade method does not define; any of them is refused with a hint.
        """
        spec = METHODS[wire]
        if unknown:
            _refuse_unknown(spec.python_name, spec.params, unknown)
        if spec.deprecated:
            warnings.warn(
                f"{wire} is deprecated by Binance; see the method's docstring for its replacement",
                DeprecationWarning,
                stacklevel=3,
            )
        wire_params = spec.prepare(params)
        if spec.signed:
            self._sign(spec, wire_params)
        try:
            frame = self._roundtrip(wire, wire_params, timeout)
        except UnauthorizedError:
            # 401: the server dropped the session key; sign each request again.
            self._set_session_key(None)
            raise
        result = frame.get("result")
        if spec.category == "session":
            self._track_session(wire, result)
        if result_type is None:
            return result
        return self._decode(wire, result, result_type)

    def _sign(self, spec: MethodSpec, params: dict[str, Any]) -> None:
        """Add ``recvWindow`` (client default), ``timestamp``, ``apiKey`` and ``signature``.

        On a logged-on connection only ``timestamp`` (and ``recvWindow``) is added: the
        session key authenticates the request.
        """
        signer = self._signer
        if signer is None:
            raise InvalidParameterError(
                "api_key",
                f"{spec.wire} is a signed ({spec.security.value}) method and this client has no "
                f"credentials: {missing_credentials_hint()}",
            )
        logon = spec.wire == "session.logon"
        if logon and signer.key_type != ED25519:
            raise InvalidParameterError(
                "private_key",
                f"session.logon accepts only Ed25519 keys, this client has an {signer.key_type} key; "
                "without logon every signed request is signed on its own",
            )
        window = params.get("recvWindow")
        if window is not None:
            window = params["recvWindow"] = validate_recv_window(window)
        elif self._recv_window is not None and "recvWindow" in spec.param_map:
            window = params["recvWindow"] = self._recv_window
        if is_microsecond_window(window):
            params["timestamp"] = int(time.time() * 1_000_000) + self._time_offset * 1000
        else:
            params["timestamp"] = int(time.time() * 1000) + self._time_offset
        if not logon and self._session_key is not None and self._session_key == signer.api_key:
            return
        params["apiKey"] = signer.api_key
        params["signature"] = signer.sign(canonical_payload(params))

    def _track_session(self, wire: str, result: Any) -> None:
        """Follow the connection's session key from session.logon / status / logout results."""
        if not isinstance(result, dict):
            return
        key = result.get("apiKey")
        if wire == "session.logon" and key is None and self._signer is not None:
            key = self._signer.api_key
        was = self._session_key
        self._set_session_key(key if isinstance(key, str) else None)
        if was != self._session_key:
            if self._session_key is None:
                logger.info("session logged out")
            else:
                logger.info("session logged on with key %s", redact(self._session_key))

    def _decode(self, wire: str, raw: Any, result_type: Any) -> Any:
        try:
            return structure(raw, result_type)
        except Exception as exc:
            raise ProtocolError(f"{wire}: could not decode the result: {exc}") from exc

    def _roundtrip(
        self, method: str, params: Mapping[str, Any] | None, timeout: float | None
    ) -> dict[str, Any]:
        if forked(self._forks):
            raise ClientClosedError(
                f"{method}: this client was connected in another process; create a new Client"
            )
        hold = self._hold
        if hold is not None:
            if time.monotonic() >= hold[0]:
                self._hold = None
            elif not hold[2] or _places_orders(method):
                raise hold[1].held_back(method)
        wait = self.timeout if timeout is None else validate_timeout(timeout)
        ident = threading.get_ident()
        on_main = ident == _MAIN_THREAD
        conns = self._conns
        request_id = next(self._ids)
        message: dict[str, Any] = {"id": request_id, "method": method}
        if params:
            message["params"] = params
        payload: bytes | None = _json.dumps_bytes(message)
        deadline = 0.0
        while True:
            link = conns.link
            if link is None or ident == conns.restore_ident:
                if not deadline:
                    deadline = time.monotonic() + wait
                link = conns.wait_link(method, ident, deadline, _WAIT_SLICE if on_main else None)
            pending = link.pending
            transport = link.transport
            assert transport is not None and payload is not None  # a published link has one
            try:
                slot = pending.register(request_id, method)
                try:
                    transport.send(payload, method=method, request_id=request_id)
                except BaseException:
                    pending.discard(request_id)
                    raise
            except ConnectionClosedError as exc:
                # Not sent: this connection just ended or was rotated out. Go again on the
                # next one within the call's own timeout, unless this is a restore step or
                # no next connection will come (reconnect=False and this one is gone).
                if exc.sent or ident == conns.restore_ident:
                    raise
                if not conns.reconnect and not transport.usable:
                    raise
                if not deadline:
                    deadline = time.monotonic() + wait
                if time.monotonic() >= deadline:
                    raise
                if conns.link is link:  # its end is not reported yet: no busy loop meanwhile
                    time.sleep(0.001)
                continue
            break
        # Not kept while waiting: orjson's bytes carry a 4 KiB buffer, the frame is compact.
        payload = None
        # The timeout covers the whole call: time spent waiting for a connection counts.
        left = wait if not deadline else max(0.0, deadline - time.monotonic())
        try:
            if not on_main:
                if not slot.wait(left):
                    raise RequestTimeoutError(method, request_id, wait)
            elif not slot.wait(min(left, _WAIT_SLICE)):
                end = time.monotonic() + left - _WAIT_SLICE
                while not slot.wait(min(max(end - time.monotonic(), 0.0), _WAIT_SLICE)):
                    if time.monotonic() >= end:
                        raise RequestTimeoutError(method, request_id, wait)
        finally:
            if not slot.is_set():
                pending.discard(request_id)
        if slot.error is not None:
            raise slot.error
        frame = slot.frame
        assert frame is not None  # set together with the event by the reader
        raw_limits = frame.get("rateLimits")
        if raw_limits is not None:
            self._raw_rate_limits = raw_limits
        status = frame.get("status")
        if status != 200:
            error = error_for_response(
                status if isinstance(status, int) else 0,
                frame.get("error"),
                method=method,
                request_id=request_id,
                rate_limits=parse_rate_limits(raw_limits),
            )
            if isinstance(error, RateLimitedError):
                self._hold_back(error)
            raise error
        return frame

    def _hold_back(self, error: RateLimitedError) -> None:
        """After a 429 or 418, send nothing until the server's ``retryAfter``.

        Binance bans an IP that keeps sending after a 429. Without a ``retryAfter`` the
        hold lasts until the end of the exhausted window the response reported (1 s if none).
        """
        seconds = error.seconds_left(self._time_offset)
        if seconds is None:
            seconds = max(
                (limit.seconds_to_reset() for limit in error.rate_limits if limit.exhausted), default=1.0
            )
        until = time.monotonic() + min(seconds, threading.TIMEOUT_MAX)
        # The unfilled-order limit (-1015, ORDERS) refuses new orders only; anything else
        # (request weight, a ban) holds every request.
        exhausted = [str(limit.type) for limit in error.rate_limits if limit.exhausted]
        orders_only = error.code == -1015 or (bool(exhausted) and set(exhausted) == {"ORDERS"})
        current = self._hold
        if current is None or current[0] < until or (current[2] and not orders_only):
            self._hold = (until, error, orders_only)
        what = "new orders" if orders_only else "every request"
        logger.warning("%s: holding %s back for %.1f s, as the server asked", error.method, what, seconds)


def _places_orders(method: str) -> bool:
    spec = METHODS.get(method[3:] if method.startswith("v3/") else method)
    return spec is not None and bool(spec.unfilled_order_count)


def _refuse_unknown(name: str, params: Sequence[ParamSpec], unknown: Mapping[str, Any]) -> None:
    valid = sorted(p.python_name for p in params)
    for key in unknown:
        snake = to_snake(key)
        if snake in valid and snake != key:
            raise InvalidParameterError(key, f"{name}() spells it {snake}=")
        shown = ", ".join(valid) or "none besides timeout"
        raise InvalidParameterError(key, f"{name}() takes no such parameter; valid: {shown}")
