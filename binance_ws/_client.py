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
from decimal import Decimal
from types import TracebackType
from typing import Any

from . import _json
from ._auth import (
    check_transport,
    is_microsecond_window,
    measure_offset,
    missing_credentials_hint,
    resolve_signer,
    validate_recv_window,
)
from ._converter import structure
from ._errors import (
    ClientClosedError,
    InvalidParameterError,
    ProtocolError,
    RequestTimeoutError,
    UnauthorizedError,
    error_for_response,
)
from ._methods import AllMethods
from ._naming import to_snake
from ._pending import PendingTable
from ._ratelimits import RateLimit, parse_rate_limits
from ._response import Response
from ._signing import ED25519, Signer, canonical_payload, redact
from ._spec import METHODS, MethodSpec, ParamSpec
from ._transport import Transport

logger = logging.getLogger(__name__)

__all__ = ["Client", "ClientState", "PRODUCTION_URL", "TESTNET_URL"]

PRODUCTION_URL = "wss://ws-api.binance.com:443/ws-api/v3"
TESTNET_URL = "wss://ws-api.testnet.binance.vision/ws-api/v3"

# Binance's own matching-engine wait is 10 s (-1007 after that), so a shorter default would
# give up on requests the server is still legitimately processing.
DEFAULT_TIMEOUT = 10.0
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
# Epoch times above this are microseconds (ms values stay below it until the year 5138).
_MICROSECOND_TIMES = 10**14


class ClientState(enum.Enum):
    """Lifecycle of a :class:`Client`; a closed client cannot be reopened."""

    UNOPENED = "UNOPENED"  #: created, connect() not called yet
    OPEN = "OPEN"  #: connected; the reader thread runs
    CLOSED = "CLOSED"  #: closed by close() or by losing the connection


def _validate_timeout(value: float, name: str = "timeout") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value <= 0:
        raise InvalidParameterError(name, f"must be a positive number of seconds, got {value!r}")
    # Beyond this a lock wait overflows; nobody waits 292 years for an answer anyway.
    return min(float(value), threading.TIMEOUT_MAX)


class Client(AllMethods):
    """A blocking client for the Binance Spot WebSocket API over one connection.

    ``url`` defaults to production; ``testnet=True`` picks the spot testnet; any ``ws://`` or
    ``wss://`` URL works (e.g. a :class:`binance_ws.exchange.LocalExchange`). ``timeout`` is
    the default wait for a response, in seconds. Nothing happens on the network until
    :meth:`connect` (or entering the ``with`` block).

    Credentials, for the signed (TRADE, USER_DATA, USER_STREAM) methods:

    - ``api_key`` + ``api_secret``: an HMAC key;
    - ``api_key`` + ``private_key``: an RSA or Ed25519 key, as a PEM file path, PEM text or
      bytes, or a loaded ``cryptography`` key object (``private_key_password`` decrypts an
      encrypted PEM). Needs the ``crypto`` extra: ``pip install 'binance-ws[crypto]'``;
    - none of these: the environment variables ``BINANCE_API_KEY`` with ``BINANCE_API_SECRET``
      or ``BINANCE_PRIVATE_KEY`` (path or PEM) and ``BINANCE_PRIVATE_KEY_PASSWORD``, unless
      ``credentials_from_env=False``.

    Signed methods get ``apiKey``, ``timestamp`` and ``signature`` added automatically.
    ``recv_window`` (ms, at most 60000, up to three decimals) is the default validity window
    of signed requests; each method also takes its own ``recv_window=``. ``sync_time=True``
    measures the offset to the server clock on connect (see :attr:`time_offset`), for
    machines whose clock drifts. ``auto_logon=True`` calls :meth:`session_logon` right after
    connecting (Ed25519 keys only); afterwards signed requests travel without a signature.

    Keys are never sent over ``ws://`` to a host other than loopback: :meth:`connect` raises
    :class:`~binance_ws.InsecureTransportError` instead. Secrets never appear in a repr, a
    log line or an error message.

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
        private_key: Any = None,
        private_key_password: str | bytes | None = None,
        recv_window: Decimal | str | int | None = None,
        auto_logon: bool = False,
        sync_time: bool = False,
        credentials_from_env: bool = True,
    ) -> None:
        if url is not None and testnet:
            raise InvalidParameterError("testnet", "give either url= or testnet=True, not both")
        url = url if url is not None else (TESTNET_URL if testnet else PRODUCTION_URL)
        if not url.startswith(("ws://", "wss://")):
            raise InvalidParameterError("url", f"must start with ws:// or wss://, got {url!r}")
        self.url = url
        self.timeout = _validate_timeout(timeout)
        self._connect_timeout = _validate_timeout(connect_timeout, "connect_timeout")
        self._signer: Signer | None = resolve_signer(
            api_key, api_secret, private_key, private_key_password, from_env=credentials_from_env
        )
        self._recv_window = None if recv_window is None else validate_recv_window(recv_window)
        if auto_logon and (self._signer is None or self._signer.key_type != ED25519):
            raise InvalidParameterError(
                "auto_logon", "session logon needs an Ed25519 key: pass api_key= and private_key="
            )
        self._auto_logon = auto_logon
        self._sync_time = sync_time
        # Server clock minus local clock, in ms; added to every timestamp.
        self._time_offset = 0
        # The API key the connection is logged on with (session.logon), if any.
        self._session_key: str | None = None
        self._state = ClientState.UNOPENED
        self._state_lock = threading.Lock()
        self._transport: Transport | None = None
        self._pending = PendingTable()
        self._ids = itertools.count(1)
        self._forks = _Forks.count
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

    @property
    def key_type(self) -> str | None:
        """``"HMAC"``, ``"RSA"``, ``"Ed25519"``, or None when the client has no credentials."""
        return None if self._signer is None else self._signer.key_type

    @property
    def logged_on(self) -> bool:
        """True while the connection is authenticated with :meth:`session_logon`."""
        return self._session_key is not None

    @property
    def time_offset(self) -> int:
        """Server clock minus local clock in ms, added to every request ``timestamp``.

        0 until measured by ``sync_time=True`` or :meth:`sync_clock`; may also be set by hand.
        """
        return self._time_offset

    @time_offset.setter
    def time_offset(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidParameterError("time_offset", f"expected an int of milliseconds, got {value!r}")
        self._time_offset = value

    @property
    def recv_window(self) -> int | str | None:
        """The default ``recvWindow`` of signed requests (None: the server's default, 5000 ms)."""
        return self._recv_window

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
            check_transport(self.url, self._signer)
            transport = Transport(
                self.url,
                on_text=self._on_text,
                on_lost=self._on_lost,
                connect_timeout=self._connect_timeout,
            )
            transport.connect()
            self._forks = _Forks.count
            self._transport = transport
            self._state = ClientState.OPEN
        logger.info("connected to %s", self.url)
        if self._sync_time or self._auto_logon:
            try:
                if self._sync_time:
                    self.sync_clock()
                if self._auto_logon:
                    self.session_logon()
            except BaseException:
                # The caller gets no client to close (a failed __enter__ skips __exit__).
                self.close()
                raise
        return self

    def sync_clock(self, *, timeout: float | None = None) -> int:
        """Measure the offset to the server's clock and use it from now on; returns it (ms).

        Asks the server's ``time`` a few times (weight 1 each) and compares it with the
        midpoint of the fastest round trip. Call it again now and then in long-running
        programs if the local clock drifts.

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     abs(client.sync_clock()) < 1000
            True
        """

        def server_time() -> int:
            frame = self._roundtrip("time", None, timeout)
            result = frame.get("result")
            value = result.get("serverTime") if isinstance(result, dict) else None
            if isinstance(value, bool) or not isinstance(value, int):
                raise ProtocolError("time: the result has no integer serverTime")
            # A connection opened with timeUnit=MICROSECOND reports microseconds.
            return value // 1000 if value > _MICROSECOND_TIMES else value

        offset = measure_offset(server_time)
        self._time_offset = offset
        logger.info("clock offset to the server: %d ms", offset)
        return offset

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
        signer = getattr(self, "_signer", None)
        if signer is not None:
            parts.append(f"key={signer.key_type}:{redact(signer.api_key)}")
            if getattr(self, "_session_key", None) is not None:
                parts.append("logged_on")
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
            if request_id is None and frame["status"] == 401:
                # Binance revokes a session whose key became invalid with an id-less 401.
                self._session_key = None
                logger.warning("the server revoked the session's API key; signing each request again")
                return
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
        if spec.signed:
            self._sign(spec, wire_params)
        try:
            frame = self._roundtrip(wire, wire_params, timeout)
        except UnauthorizedError:
            # 401: the server dropped the session key; sign each request again.
            self._session_key = None
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
        self._session_key = key if isinstance(key, str) else None
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
        transport = self._transport
        if transport is None or self._state is not ClientState.OPEN:
            raise ClientClosedError.not_open(method, closed=self._state is ClientState.CLOSED)
        if self._forks != _Forks.count:
            raise ClientClosedError(
                f"{method}: this client was connected in another process; create a new Client"
            )
        wait = self.timeout if timeout is None else _validate_timeout(timeout)
        request_id = next(self._ids)
        message: dict[str, Any] = {"id": request_id, "method": method}
        if params:
            message["params"] = params
        payload = _json.dumps_bytes(message)
        pending = self._pending
        slot = pending.register(request_id, method)
        try:
            # Not kept while waiting: orjson's bytes carry a 4 KiB buffer, the frame is compact.
            transport.send(payload, method=method, request_id=request_id)
            del payload
            if threading.get_ident() != _MAIN_THREAD:
                if not slot.wait(wait):
                    raise RequestTimeoutError(method, request_id, wait)
            elif not slot.wait(min(wait, _WAIT_SLICE)):
                deadline = time.monotonic() + wait - _WAIT_SLICE
                while not slot.wait(min(max(deadline - time.monotonic(), 0.0), _WAIT_SLICE)):
                    if time.monotonic() >= deadline:
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
