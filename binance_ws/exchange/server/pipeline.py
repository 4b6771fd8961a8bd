"""The request pipeline: one request frame in, one answer frame out, no sockets.

decode (decimals as ``Decimal``) -> request weight (429, 418) -> method and parameter
checks -> security (:func:`~binance_ws.exchange.services.security.authenticate`) ->
unfilled order count (429) -> handler -> answer frame (with ``rateLimits``). Parameter
values sent as text, as Binance's own SDK sends them (``"limit": "5"``), are turned into
ints, bools and lists first, keeping their signed text unchanged.

The server adds the I/O around it (fault injection, delays, drops); a test can call
:func:`handle` with a :class:`~binance_ws.exchange.services.venue.Venue` and a
:class:`~binance_ws.exchange.services.session.Session` over any object with ``send``.

Example::

    >>> import json
    >>> from binance_ws.exchange.services.session import Session
    >>> from binance_ws.exchange.services.venue import Venue
    >>> class Conn:
    ...     remote_address = ("127.0.0.1", 5000)
    ...     def send(self, message): pass
    >>> frame = json.loads(handle(Venue(), Session(Conn()), '{"id": 1, "method": "ping"}'))
    >>> frame["status"], frame["result"], frame["rateLimits"][0]["count"]
    (200, {}, 1)
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from ... import _json
from ..._spec import METHODS
from ..._weights import failure_weight_refund, request_weight
from ..handlers.registry import HANDLERS
from ..model import errors as _errors
from ..model.clock import now_ms
from ..model.errors import DEFAULT_FAULTS, ExchangeError
from ..services.params import check_params, normalize_params
from ..services.security import authenticate

if TYPE_CHECKING:
    from ..services.session import Session
    from ..services.venue import Venue
    from .faults import Fault

__all__ = ["Request", "answer", "error_frame", "fault_error", "handle", "parse"]

logger = logging.getLogger(__name__)

UNKNOWN_ERROR = (-1000, "An unknown error occurred while processing the request.")
# Decimals stay exact, so a price's text (and its signature) survives decoding. One decoder
# for every text frame: json.loads(..., parse_float=) would build a new one per request.
_DECODER = json.JSONDecoder(parse_float=Decimal)


class Request(NamedTuple):
    """A decoded request frame (``method`` without a ``v3/`` prefix)."""

    id: Any
    method: str
    params: dict[str, Any]


def parse(message: str | bytes) -> Request | str:
    """The request of ``message``, or the error frame to answer a malformed one with."""
    try:
        if isinstance(message, str):
            request = _DECODER.decode(message)
        else:  # a binary frame: json.loads tells its encoding
            request = json.loads(message, parse_float=Decimal)
    except ValueError:
        return error_frame(None, _errors.invalid_json())
    if not isinstance(request, dict):
        return error_frame(None, _errors.invalid_json())
    request_id = request.get("id")
    method = request.get("method")
    params = request.get("params", {})
    if not isinstance(method, str) or not isinstance(params, dict) or "id" not in request:
        name = "id" if "id" not in request else "method" if not isinstance(method, str) else "params"
        return error_frame(request_id, _errors.mandatory_missing(name))
    if method.startswith("v3/"):
        method = method[3:]
    return Request(request_id, method, params)


def handle(venue: Venue, session: Session, message: str | bytes) -> str:
    """The whole pipeline for one frame: the answer frame to send back."""
    request = parse(message)
    if isinstance(request, str):
        return request
    return answer(venue, session, request.id, request.method, request.params)


def answer(
    venue: Venue,
    session: Session,
    request_id: Any,
    method: str,
    raw: dict[str, Any],
    *,
    fault: Fault | None = None,
) -> str:
    """Charge, check, authenticate and handle one request; returns its answer frame.

    ``fault`` (from the server's fault plan): a wrong id, or an error answered instead of
    handling the request (after its weight is charged).
    """
    spec = METHODS.get(method)
    params = normalize_params(spec, raw)
    show = params.get("returnRateLimits", session.return_rate_limits) is not False
    weight = request_weight(method, params)
    weights = venue.weights
    used, refusal = weights.charge(session.ip, weight)
    limits = weights.report(used)
    if fault is not None and fault.wrong_id:
        request_id = f"not-{request_id}"
    if fault is not None and fault.status is not None and not fault.executed:
        return error_frame(request_id, fault_error(fault), limits if show else None)
    try:
        if refusal is not None:
            raise refusal
        handler = HANDLERS.get(method)
        if handler is None or spec is None:
            raise _errors.unknown_method(method)
        check_params(spec, params)
        session.request_key = authenticate(venue.keys, venue.user_data, session, spec, params)
        if spec.unfilled_order_count:
            account = venue.keys.account_of(session.request_key)
            refused = venue.order_limits.charge(account, spec.unfilled_order_count)
            limits = venue.order_limits.snapshot(account) + limits
            session.order_refusal = refused
            # With CANCEL_ONLY, cancelReplace still cancels and reports the new order refused.
            if refused is not None and params.get("orderRateLimitExceededMode") != "CANCEL_ONLY":
                raise refused
        result = handler(venue, session, params)
        refund = failure_weight_refund(spec, weight)
        if refund:
            refunded = weights.report(weights.refund(session.ip, refund))
            limits = [e for e in limits if e["rateLimitType"] != "REQUEST_WEIGHT"] + refunded
    except ExchangeError as exc:
        return error_frame(request_id, exc, limits if show else None)
    except Exception:
        logger.exception("handler for %s failed", method)
        error = ExchangeError(500, *UNKNOWN_ERROR)
        return error_frame(request_id, error, limits if show else None)
    frame: dict[str, Any] = {"id": request_id, "status": 200, "result": result}
    if show:
        frame["rateLimits"] = limits
    return _json.dumps(frame)


def error_frame(request_id: Any, error: ExchangeError, limits: list[dict[str, Any]] | None = None) -> str:
    """An error answer: ``{"id", "status", "error"}`` and, when given, ``rateLimits``."""
    frame: dict[str, Any] = {"id": request_id, "status": error.status, "error": error.payload()}
    if limits is not None:
        frame["rateLimits"] = limits
    return _json.dumps(frame)


def fault_error(fault: Fault) -> ExchangeError:
    """The error an injected fault answers with (Binance's payload for its status by default)."""
    assert fault.status is not None  # checked by the caller
    code, msg = DEFAULT_FAULTS.get(fault.status, UNKNOWN_ERROR)
    data = fault.data
    if data is None and fault.status in (418, 429):
        data = {"serverTime": now_ms(), "retryAfter": now_ms() + 60_000}
    return ExchangeError(fault.status, fault.code if fault.code is not None else code, fault.msg or msg, data)
