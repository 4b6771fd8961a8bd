"""The one loader of the in-repo protocol reference (``spec/`` at the top of the repository)."""

from __future__ import annotations

import functools
import json
import pathlib
from typing import Any

__all__ = ["SPEC_DIR", "load", "methods"]

SPEC_DIR = pathlib.Path(__file__).resolve().parent.parent / "spec"


@functools.cache
def _read(name: str) -> Any:
    return json.loads((SPEC_DIR / name).read_text(encoding="utf-8"))


def load(name: str) -> Any:
    """The decoded JSON of ``spec/<name>`` (e.g. ``"errors.json"``); cached, do not mutate."""
    return _read(name)


def methods() -> list[dict[str, Any]]:
    """Every method record of ``spot-ws-api-methods.json``."""
    records: list[dict[str, Any]] = load("spot-ws-api-methods.json")
    return records
