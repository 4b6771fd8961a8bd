"""The blocking request path, shared by every call of :class:`binance_ws.Client`.

Order of a call: validate and encode params -> sign -> reserve its weight and order count
with the rate governor (``_governor``; waiting or raising locally when a limit is reached,
and holding everything back after a 429/418) -> pick the connection (waiting while
one is being restored or replaced) -> register a pending slot -> send -> wait on the slot (in
short slices on the main thread, so Ctrl-C and Jupyter's interrupt land promptly) ->
unregister in ``finally`` -> raise the mapped error or decode the result. A request that
certainly did not leave (its connection ended or was rotated out first) goes again on the
next connection within its own timeout; one that may have left is never re-sent, except a
read-only one (``MethodSpec.read_only``), sent once more after a 5xx or a lost connection
(``retry_reads``). Orders a call places get generated client order ids, and the
ExecutionUnknownError of a state-changing call notes what it sent (``_resolve.note_sent``).

The path takes no lock of its own besides the pending table's and the governor's, which are
never held across I/O (the governor's condition is released while it waits).
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
from ._client_ids import fill_client_ids
from ._connection import Connections
from ._converter import structure
from ._errors import (
    ClientClosedError,
    ConnectionClosedError,
    ExecutionUnknownError,
    InvalidParameterError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    UnauthorizedError,
    error_for_response,
)
from ._governor import RateGovernor
from ._naming import to_snake
from ._ratelimits import parse_rate_limits
from ._resolve import note_sent
from ._response import Response
from ._signing import ED25519, MaskedBytes, MaskedText, Signer, canonical_payload, redact
from ._spec import METHODS, MethodSpec, ParamSpec
from ._weights import failure_weight_refund, request_weight, spec_for

logger = logging.getLogger("binance_ws._client")

__all__ = ["MAX_REQUEST_SIZE", "RequestPath", "fork_count", "forked", "validate_timeout"]

# The main thread waits in slices so a KeyboardInterrupt (Ctrl-C, Jupyter's interrupt) lands
# within this long even on platforms where a blocked Event.wait ignores signals. Other threads
# never receive signals: they wait in one call, so 10 000 waiting threads cost no CPU.
_WAIT_SLICE = 0.1
# Of a call's timeout, what waiting for the rate governor leaves at least for the answer.
_ANSWER_RESERVE = 1.0
#: The largest request sent, in bytes of JSON. Binance documents no limit; a bigger frame than
#: a server accepts closes the connection under every caller, so the client refuses it first.
#: 64 KiB is ten times the largest documented request (a few thousand symbols in one list)
#: and well under what the local exchange accepts (1 MiB).
MAX_REQUEST_SIZE = 64 * 1024
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
    # NaN is asked of floats only: math.isnan(10**400) would overflow converting it.
    nan = isinstance(value, float) and math.isnan(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or nan or value <= 0:
        huge = isinstance(value, int) and value < -(10**20)  # repr() of 5000 digits raises
        shown = f"an int of {int(value).bit_length()} bits" if huge else repr(value)
        raise InvalidParameterError(name, f"must be a positive number of seconds, got {shown}")
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
    #: Send a read-only request once more after a 5xx or a lost connection.
    _retry_reads: bool
    _governor: RateGovernor
    #: "wait", "raise" or None (see Client's rate_limit=).
    _rate_limit: str | None
    #: The account key the governor counts this client's orders under.
    _account: str

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

        ``params`` go out as given (wire names, JSON values); no validation, signing or
        client order id is added. Returns a :class:`Response` for status 200 and raises the
        matching :class:`APIError` subclass otherwise. A method of the table that is
        read-only is sent once more after a 5xx or a lost connection (``retry_reads``); the
        error of a state-changing one carries the ids found in ``params``. The rate governor
        charges it as the method table says (1 for a method the table does not know).

        Example::

            client.request("depth", {"symbol": "BTCUSDT", "limit": 5}).result["bids"][0]
            # -> ['59999.99000000', '0.21322000']
        """
        spec = METHODS.get(method[3:] if method.startswith("v3/") else method)
        started = time.time()
        try:
            frame = self._roundtrip(method, params, timeout)
        except (ServerError, ConnectionClosedError) as exc:
            if spec is not None and spec.read_only and self._retry_reads:
                frame = self._retry_read(exc, method, params, timeout=timeout, started=started, typed=None)
            else:
                if spec is not None and spec.changes_state and params:
                    note_sent(exc, method, params, started)
                raise
        except ExecutionUnknownError as exc:
            if spec is not None and spec.changes_state and params:
                note_sent(exc, method, params, started)
            raise
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
        if spec.changes_state:
            fill_client_ids(wire, wire_params)  # so an unknown outcome can be looked up
        if spec.signed:
            self._sign(spec, wire_params)
        started = time.time()
        try:
            frame = self._roundtrip(wire, wire_params, timeout)
        except UnauthorizedError:
            # 401: the server dropped the session key; sign each request again.
            self._set_session_key(None)
            raise
        except (ServerError, ConnectionClosedError) as exc:
            if spec.read_only and self._retry_reads:
                frame = self._retry_read(
                    exc, wire, wire_params, timeout=timeout, started=started, typed=params
                )
            else:
                if spec.changes_state:
                    note_sent(exc, wire, wire_params, started)
                raise
        except ExecutionUnknownError as exc:
            if spec.changes_state:
                note_sent(exc, wire, wire_params, started)
            raise
        result = frame.get("result")
        if spec.category == "session":
            self._track_session(wire, result)
        if result_type is None:
            return result
        return self._decode(wire, result, result_type)

    def _retry_read(
        self,
        first: ServerError | ConnectionClosedError,
        method: str,
        params: Mapping[str, Any] | None,
        *,
        timeout: float | None,
        started: float,
        typed: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        """Send a read-only request once more after ``first`` (a 5xx or a lost connection).

        Within what is left of the call's own timeout (``started``: time.time() before the
        first try); after a drop the retry waits for the reconnect. ``typed``: the caller's
        params of a typed call, signed afresh (the first timestamp may be stale by then); a
        raw request goes again as it was. Raises ``first`` when no retry can be made.
        """
        # A drop is retried on the next connection: none comes without reconnect, and a
        # restore step's connection is the one that just failed.
        conns = self._conns
        if isinstance(first, ConnectionClosedError) and (
            not first.sent or not conns.reconnect or threading.get_ident() == conns.restore_ident
        ):
            raise first
        wait = self.timeout if timeout is None else validate_timeout(timeout)
        left = wait - max(time.time() - started, 0.0)
        if left <= 0:
            raise first
        logger.info("%s: %s; sending the read-only request once more", method, type(first).__name__)
        spec = METHODS.get(method)
        if typed is not None and spec is not None and spec.signed:
            params = spec.prepare(typed)
            self._sign(spec, params)
        try:
            return self._roundtrip(method, params, left)
        except ClientClosedError:
            raise first from None  # closed meanwhile: the first error says what happened

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
        # Masked in any repr (the params dict in a traceback's locals), the real text on the wire.
        params["signature"] = MaskedText(signer.sign(canonical_payload(params)))

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
        if self._forks != _Forks.count:  # forked(), inline: this runs on every request
            raise ClientClosedError(
                f"{method}: this client was connected in another process; create a new Client"
            )
        wait = self.timeout if timeout is None else validate_timeout(timeout)
        ident = threading.get_ident()
        on_main = ident == _MAIN_THREAD
        spec = METHODS.get(method) or spec_for(method)
        if spec is not None and spec.fixed_weight is not None:
            weight, refund = spec.fixed_weight, spec.fixed_refund
        else:
            weight = request_weight(method if spec is None else spec, params)
            refund = failure_weight_refund(spec, weight)
        orders = 0 if spec is None else spec.unfilled_order_count
        governor = self._governor
        # One clock read serves both: the governor's wait and the answer share the deadline.
        deadline = time.monotonic() + wait
        token = governor.acquire(
            weight,
            orders,
            refund=refund,
            account=self._account,
            mode=self._rate_limit,
            # The timeout bounds the whole call: what the governor waits leaves the answer
            # less, and a share of it is kept for the answer (else a sent order would time
            # out at once, its outcome unknown).
            timeout=wait - min(wait / 2, _ANSWER_RESERVE),
            method=method,
            wait_slice=_WAIT_SLICE if on_main else None,
        )
        try:
            frame = self._send_and_wait(method, params, deadline, ident, on_main, wait=wait)
        except ConnectionClosedError as exc:
            if exc.sent:
                governor.settle(token, False)
            else:
                governor.release(token)
            raise
        except InvalidParameterError:  # refused before sending (too big, not JSON)
            governor.release(token)
            raise
        except BaseException:
            governor.settle(token, False)
            raise
        raw_limits = frame.get("rateLimits")
        status = frame.get("status")
        governor.settle(token, status == 200, raw_limits)
        if raw_limits is not None:
            self._raw_rate_limits = raw_limits
        if status != 200:
            error = error_for_response(
                status if isinstance(status, int) else 0,
                frame.get("error"),
                method=method,
                request_id=frame.get("id"),
                rate_limits=parse_rate_limits(raw_limits),
            )
            if isinstance(error, RateLimitedError):
                governor.hold_back(error)
            raise error
        if method == "exchangeInfo":
            result = frame.get("result")
            if isinstance(result, dict):
                governor.learn(result.get("rateLimits"), self._account)
        return frame

    def _send_and_wait(
        self,
        method: str,
        params: Mapping[str, Any] | None,
        deadline: float,
        ident: int,
        on_main: bool,
        *,
        wait: float,
    ) -> dict[str, Any]:
        """Send on the current connection (again on the next one if it certainly did not
        leave) and wait for the answer frame, whatever its status, until ``deadline``
        (``time.monotonic()``; ``wait``: the call's whole timeout, for the error)."""
        conns = self._conns
        request_id = next(self._ids)
        message: dict[str, Any] = {"id": request_id, "method": method}
        if params:
            message["params"] = params
        try:
            encoded = _json.dumps_bytes(message)
        except (TypeError, ValueError) as exc:  # e.g. an int beyond 64 bits in raw params
            raise _unencodable(method, params, exc) from None
        if len(encoded) > MAX_REQUEST_SIZE:
            raise _too_big(method, params, len(encoded))
        # A signature is kept out of a traceback's recorded locals (Sentry, --showlocals).
        payload: bytes | None = MaskedBytes(encoded) if params and "signature" in params else encoded
        del encoded
        # The whole call (the governor, waiting for a connection, the write, the answer)
        # fits in ``wait``.
        while True:
            link = conns.link
            if link is None or ident == conns.restore_ident:
                link = conns.wait_link(method, ident, deadline, _WAIT_SLICE if on_main else None)
            pending = link.pending
            transport = link.transport
            assert transport is not None and payload is not None  # a published link has one
            try:
                slot = pending.register(request_id, method)
                try:
                    transport.send(payload, method=method, request_id=request_id, deadline=deadline)
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
                if time.monotonic() >= deadline:
                    raise
                if conns.link is link:  # its end is not reported yet: no busy loop meanwhile
                    time.sleep(0.001)
                continue
            break
        # Not kept while waiting: orjson's bytes carry a 4 KiB buffer, the frame is compact.
        payload = None
        try:
            left = max(deadline - time.monotonic(), 0.0)
            if not on_main:
                if not slot.wait(left):
                    raise RequestTimeoutError(method, request_id, wait)
            elif not slot.wait(min(left, _WAIT_SLICE)):
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
        return frame


def _unencodable(method: str, params: Mapping[str, Any] | None, exc: Exception) -> InvalidParameterError:
    """Name the first param JSON cannot carry (only after encoding the request failed)."""
    for name, value in (params or {}).items():
        try:
            _json.dumps_bytes(value)
        except (TypeError, ValueError) as problem:
            return InvalidParameterError(name, f"{method}: cannot be sent as JSON ({problem})")
    return InvalidParameterError("params", f"{method}: cannot be sent as JSON ({exc})")


def _too_big(method: str, params: Mapping[str, Any] | None, size: int) -> InvalidParameterError:
    """The request would end the connection for every caller: refused before sending."""
    sizes = {name: len(_json.dumps_bytes(value)) for name, value in (params or {}).items()}
    name = max(sizes, key=sizes.__getitem__) if sizes else "params"
    return InvalidParameterError(
        name,
        f"{method}: the request is {size} bytes, over the {MAX_REQUEST_SIZE} bytes a request may have "
        f"(the server would close the connection); split it or send less, e.g. fewer symbols",
    )


def _refuse_unknown(name: str, params: Sequence[ParamSpec], unknown: Mapping[str, Any]) -> None:
    valid = sorted(p.python_name for p in params)
    for key in unknown:
        snake = to_snake(key)
        if snake in valid and snake != key:
            raise InvalidParameterError(key, f"{name}() spells it {snake}=")
        shown = ", ".join(valid) or "none besides timeout"
        raise InvalidParameterError(key, f"{name}() takes no such parameter; valid: {shown}")
