"""Client: the connection's lifecycle and the blocking request path.

Order of a call: validate and encode params -> sign -> register a pending slot -> send ->
wait on the slot (in short slices, so Ctrl-C and Jupyter's interrupt land promptly) ->
unregister in ``finally`` -> raise the mapped error or decode the result.

Threads: the caller's own, and one reader per connection (see ``_transport``). Locks:
``Client._state_lock`` (connect/close) is taken before ``PendingTable._lock`` if they ever
nest; neither is held across I/O or waiting.
"""

from __future__ import annotations

import enum
import itertools
import logging
import math
import os
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

from . import _json
from ._converter import structure
from ._errors import (
    ClientClosedError,
    InvalidParameterError,
    ProtocolError,
    RequestTimeoutError,
    error_for_response,
)
from ._methods import AllMethods
from ._naming import to_snake
from ._pending import PendingTable
from ._ratelimits import RateLimit, parse_rate_limits
from ._response import Response
from ._spec import METHODS, ParamSpec
from ._transport import Transport

logger = logging.getLogger(__name__)

__all__ = ["Client", "ClientState", "PRODUCTION_URL", "TESTNET_URL"]

PRODUCTION_URL = "wss://ws-api.binance.com:443/ws-api/v3"
TESTNET_URL = "wss://ws-api.testnet.binance.vision/ws-api/v3"

# Binance's own matching-engine wait is 10 s (-1007 after that), so a shorter default would
# give up on requests the server is still legitimately processing.
DEFAULT_TIMEOUT = 10.0
# Waits are sliced so a KeyboardInterrupt (Ctrl-C, Jupyter's interrupt) lands within this
# long even on platforms where a blocked Event.wait ignores signals.
_WAIT_SLICE = 0.1


class ClientState(enum.Enum):
    """Lifecycle of a :class:`Client`; a closed client cannot be reopened."""

    UNOPENED = "UNOPENED"  #: created, connect() not called yet
    OPEN = "OPEN"  #: connected; the reader thread runs
    CLOSED = "CLOSED"  #: closed by close() or by losing the connection


def _validate_timeout(value: float, name: str = "timeout") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value <= 0:
        raise InvalidParameterError(name, f"must be a positive number of seconds, got {value!r}")
    return float(value)


class Client(AllMethods):
    """A blocking client for the Binance Spot WebSocket API over one connection.

    ``url`` defaults to production; ``testnet=True`` picks the spot testnet; any ``ws://`` or
    ``wss://`` URL works (e.g. a :class:`binance_ws.exchange.LocalExchange`). ``timeout`` is
    the default wait for a response, in seconds. Nothing happens on the network until
    :meth:`connect` (or entering the ``with`` block).

    Example::

        >>> from binance_ws import Client
        >>> from binance_ws.exchange import LocalExchange
        >>> with LocalExchange() as ex, Client(ex.url) as client:
        ...     client.request("ping").result
        {}
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        testnet: bool = False,
        api_key: str | None = None,
        api_secret: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if url is not None and testnet:
            raise InvalidParameterError("testnet", "give either url= or testnet=True, not both")
        url = url if url is not None else (TESTNET_URL if testnet else PRODUCTION_URL)
        if not url.startswith(("ws://", "wss://")):
            raise InvalidParameterError("url", f"must start with ws:// or wss://, got {url!r}")
        self.url = url
        self.timeout = _validate_timeout(timeout)
        self._connect_timeout = _validate_timeout(connect_timeout, "connect_timeout")
        self._api_key = api_key
        self._api_secret = api_secret
        self._state = ClientState.UNOPENED
        self._state_lock = threading.Lock()
        self._transport: Transport | None = None
        self._pending = PendingTable()
        self._ids = itertools.count(1)
        self._pid = os.getpid()
        self._raw_rate_limits: Any = None

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def state(self) -> ClientState:
        """UNOPENED, OPEN or CLOSED."""
        return self._state

    @property
    def pending_count(self) -> int:
        """How many requests are waiting for their response right now."""
        return len(self._pending)

    @property
    def last_rate_limits(self) -> tuple[RateLimit, ...]:
        """The ``rateLimits`` of the latest response that carried them (empty before any)."""
        return parse_rate_limits(self._raw_rate_limits)

    def connect(self) -> Client:
        """Open the connection and start the reader thread; returns the client.

        Raises ConnectError when the server cannot be reached, and ClientClosedError on a
        client that was already closed (create a new one instead).
        """
        with self._state_lock:
            if self._state is ClientState.OPEN:
                return self
            if self._state is ClientState.CLOSED:
                raise ClientClosedError("this client was closed; create a new Client to reconnect")
            transport = Transport(
                self.url,
                on_text=self._on_text,
                on_lost=self._on_lost,
                connect_timeout=self._connect_timeout,
            )
            transport.connect()
            self._pid = os.getpid()
            self._transport = transport
            self._state = ClientState.OPEN
        logger.info("connected to %s", self.url)
        return self

    def close(self) -> None:
        """Close the connection and stop the reader thread. Idempotent, safe from any thread.

        Callers still waiting are woken at once with ConnectionClosedError.
        """
        with self._state_lock:
            if self._state is ClientState.CLOSED:
                return
            self._state = ClientState.CLOSED
            transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()
            logger.info("closed the connection to %s", self.url)
        self._pending.fail_all("the client was closed")

    def __enter__(self) -> Client:
        return self.connect()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = getattr(self, "_state", None)
        pending = getattr(self, "_pending", None)
        parts = [
            f"<binance_ws.Client {getattr(self, 'url', '?')}",
            f"state={state.value if state else '?'}",
            f"pending={len(pending) if pending is not None else '?'}",
        ]
        return " ".join(parts) + ">"

    # -- reader-thread callbacks -----------------------------------------------------------

    def _on_text(self, data: bytes) -> None:
        try:
            frame = _json.loads(data)
        except ValueError:
            logger.warning("skipped a frame that is not valid JSON (%d bytes)", len(data))
            return
        if not isinstance(frame, dict):
            logger.warning("skipped a JSON frame that is not an object")
            return
        if "status" in frame and "id" in frame:
            request_id = frame["id"]
            if request_id is None or not self._pending.resolve(request_id, frame):
                logger.debug(
                    "dropped a response nobody waits for (id=%r, status=%r)",
                    request_id,
                    frame.get("status"),
                )
            return
        if "event" in frame:
            logger.debug("event without a consumer: %r", _event_type(frame))
            return
        logger.warning("skipped a frame that is neither a response nor an event")

    def _on_lost(self, reason: str) -> None:
        with self._state_lock:
            if self._state is ClientState.OPEN:
                self._state = ClientState.CLOSED
                logger.info("connection to %s ended: %s", self.url, reason)
        self._pending.fail_all(reason)

    # -- the request path ------------------------------------------------------------------

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
        frame = self._roundtrip(wire, wire_params, timeout)
        result = frame.get("result")
        if result_type is None:
            return result
        return self._decode(wire, result, result_type)

    def _decode(self, wire: str, raw: Any, result_type: Any) -> Any:
        try:
            return structure(raw, result_type)
        except Exception as exc:
            raise ProtocolError(f"{wire}: could not decode the result: {exc}") from exc

    def _roundtrip(
        self, method: str, params: Mapping[str, Any] | None, timeout: float | None
    ) -> dict[str, Any]:
        transport = self._transport
        if transport is None or self._state is not ClientState.OPEN:
            raise ClientClosedError(
                f"{method}: the client is {self._state.value.lower()}; "
                "call connect() or use it in a with block"
            )
        if self._pid != os.getpid():
            raise ClientClosedError(
                f"{method}: this client was connected in another process; create a new Client"
            )
        wait = self.timeout if timeout is None else _validate_timeout(timeout)
        request_id = next(self._ids)
        message: dict[str, Any] = {"id": request_id, "method": method}
        if params:
            message["params"] = params
        text = _json.dumps(message)
        pending = self._pending
        slot = pending.register(request_id, method)
        try:
            transport.send(text, method=method, request_id=request_id)
            event = slot.event
            if not event.wait(min(wait, _WAIT_SLICE)):
                deadline = time.monotonic() + wait - _WAIT_SLICE
                while not event.wait(min(max(deadline - time.monotonic(), 0.0), _WAIT_SLICE)):
                    if time.monotonic() >= deadline:
                        raise RequestTimeoutError(method, request_id, wait)
        finally:
            if not slot.event.is_set():
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
            raise error_for_response(
                status if isinstance(status, int) else 0,
                frame.get("error"),
                method=method,
                request_id=request_id,
                rate_limits=parse_rate_limits(raw_limits),
            )
        return frame


def _refuse_unknown(name: str, params: Sequence[ParamSpec], unknown: Mapping[str, Any]) -> None:
    valid = sorted(p.python_name for p in params)
    for key in unknown:
        snake = to_snake(key)
        if snake in valid and snake != key:
            raise InvalidParameterError(key, f"{name}() spells it {snake}=")
        shown = ", ".join(valid) or "none besides timeout"
        raise InvalidParameterError(key, f"{name}() takes no such parameter; valid: {shown}")


def _event_type(frame: Mapping[str, Any]) -> object:
    event = frame.get("event")
    return event.get("e") if isinstance(event, Mapping) else None
