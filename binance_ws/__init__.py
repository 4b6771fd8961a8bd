"""binance_ws: a synchronous, thread-backed client for the Binance Spot WebSocket API.

Example::

    >>> from binance_ws import Client
    >>> from binance_ws.exchange import LocalExchange
    >>> with LocalExchange() as ex, Client(ex.url) as client:
    ...     client.request("ping").status
    200
"""

from __future__ import annotations

import logging

from ._client import PRODUCTION_URL, TESTNET_URL, Client
from ._connection import AttemptBudget, ClientState, ConnectionEvent, ConnectionEventKind
from ._converter import structure, unstructure
from ._display import ResultList, to_pandas, to_records
from ._errors import (
    APIError,
    BadRequestError,
    BinanceWSError,
    ClientClosedError,
    ConnectError,
    ConnectionClosedError,
    ExecutionUnknownError,
    InsecureTransportError,
    InvalidParameterError,
    IPBannedError,
    PartialSuccessError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    ResolveTimeoutError,
    ServerError,
    UnauthorizedError,
    WAFBlockedError,
)
from ._governor import RateGovernor
from ._ratelimits import RateLimit, RateLimitUsage
from ._resolve import CancelReplaceResolution
from ._response import Response
from ._tracker import AccountTracker, TrackedBalance, TrackedOrder
from ._userdata import EventsLostError, StreamGap, UserDataStream

__version__ = "0.1.0"

__all__ = [
    "PRODUCTION_URL",
    "TESTNET_URL",
    "APIError",
    "AccountTracker",
    "AttemptBudget",
    "CancelReplaceResolution",
    "BadRequestError",
    "BinanceWSError",
    "Client",
    "ClientClosedError",
    "ClientState",
    "ConnectError",
    "ConnectionClosedError",
    "ConnectionEvent",
    "ConnectionEventKind",
    "EventsLostError",
    "ExecutionUnknownError",
    "IPBannedError",
    "InsecureTransportError",
    "InvalidParameterError",
    "PartialSuccessError",
    "ProtocolError",
    "RateGovernor",
    "RateLimit",
    "RateLimitUsage",
    "RateLimitedError",
    "RequestTimeoutError",
    "ResolveTimeoutError",
    "Response",
    "ResultList",
    "ServerError",
    "StreamGap",
    "TrackedBalance",
    "TrackedOrder",
    "UnauthorizedError",
    "UserDataStream",
    "WAFBlockedError",
    "add_stderr_logger",
    "structure",
    "to_pandas",
    "to_records",
    "unstructure",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def add_stderr_logger(level: int = logging.DEBUG) -> logging.Handler:
    """Send this package's log records to stderr at ``level``; returns the handler.

    Log lines never contain request parameters, keys or signatures.
    """
    logger = logging.getLogger(__name__)
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(level)
    return handler


# Tracebacks say binance_ws.ServerError, not binance_ws._errors.ServerError.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj
