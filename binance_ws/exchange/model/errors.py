"""Errors the local exchange answers with, worded as Binance words them (``errors.md``)."""

from __future__ import annotations

from typing import Any


class ExchangeError(Exception):
    """An error response: status, Binance code, message and optional ``data``."""

    def __init__(self, status: int, code: int, msg: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(status, code, msg)
        self.status = status
        self.code = code
        self.msg = msg
        self.data = data

    def payload(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "msg": self.msg}
        if self.data is not None:
            error["data"] = self.data
        return error


def bad_request(code: int, msg: str, data: dict[str, Any] | None = None) -> ExchangeError:
    return ExchangeError(400, code, msg, data)


def unknown_method(method: object) -> ExchangeError:
    return bad_request(
        -1100, f"Illegal characters found in parameter 'method'; legal range is '{method!s}' is not a method."
    )


def mandatory_missing(name: str) -> ExchangeError:
    return bad_request(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def malformed(name: str) -> ExchangeError:
    return bad_request(
        -1100, f"Illegal characters found in parameter '{name}'; legal range is 'valid {name}'."
    )


def unread_params(read: int, sent: int) -> ExchangeError:
    return bad_request(
        -1104, f"Not all sent parameters were read; read '{read}' parameter(s) but was sent '{sent}'."
    )


def bad_symbol() -> ExchangeError:
    return bad_request(-1121, "Invalid symbol.")


def invalid_json() -> ExchangeError:
    return bad_request(-1135, "Invalid JSON Request")


# Default payloads for injected faults, by status.
DEFAULT_FAULTS: dict[int, tuple[int, str]] = {
    400: (-1102, "A mandatory parameter was not sent, was empty/null, or malformed."),
    401: (-2015, "Invalid API-key, IP, or permissions for action."),
    403: (-1002, "You are not authorized to execute this request."),
    409: (-2021, "Order cancel-replace partially failed."),
    418: (
        -1003,
        "Way too much request weight used; IP banned until %s. Please use WebSocket Streams for live updates to avoid bans.",
    ),
    429: (
        -1003,
        "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
    ),
    500: (-1000, "An unknown error occurred while processing the request."),
    503: (-1008, "Server is currently overloaded with other requests. Please try again in a few minutes."),
}
