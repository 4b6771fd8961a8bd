"""Every documented example response parses into its method's typed result and back, exactly.

For each of the 55 methods in the protocol reference, the Client must have the mechanically
named method; its return annotation names the result type(s). Each 200 example's ``result``
must structure into one of those types and unstructure to the identical JSON.
"""

from __future__ import annotations

import typing
from typing import Any

import pytest
from methods_support import result_types

import binance_ws as bw
from binance_ws import ResultList, structure, unstructure
from binance_ws._errors import error_for_response
from tools import reference

EXPECTED_ERRORS: dict[int, type[bw.APIError]] = {
    400: bw.BadRequestError,
    409: bw.PartialSuccessError,
    418: bw.IPBannedError,
    429: bw.RateLimitedError,
}


def _examples() -> list[Any]:
    cases = []
    for m in reference.methods():
        variants = m.get("example_responses") or [{"label": "example", "response": m["example_response"]}]
        for v in variants:
            cases.append(pytest.param(m["method"], v["response"], id=f"{m['method']}:{v['label']}"))
    return cases


@pytest.mark.parametrize(("wire", "response"), _examples())
def test_example_round_trips(wire: str, response: dict[str, Any]) -> None:
    types_ = result_types(wire)
    if response.get("status") != 200:
        # Error examples: the documented error maps to its exception with every field intact.
        error = response["error"]
        exc = error_for_response(
            response["status"], error, method=wire, request_id=response["id"], rate_limits=()
        )
        assert isinstance(exc, EXPECTED_ERRORS[response["status"]])
        assert (exc.code, exc.msg, exc.data) == (error["code"], error["msg"], error.get("data"))
        assert str(exc).startswith(f"{wire} [{response['status']}] {error['code']}: ")
        return
    result = response["result"]
    errors = []
    for t in types_:
        is_list = typing.get_origin(t) in (list, ResultList)
        if is_list != isinstance(result, list):
            continue
        try:
            model = structure(result, t)
        except Exception as exc:
            errors.append(f"{t}: {exc!r}")
            continue
        if unstructure(model) == result:
            return
        errors.append(f"{t}: unstructure differs")
    pytest.fail(f"no result type of {wire} round-trips this example: {types_} {errors}")
