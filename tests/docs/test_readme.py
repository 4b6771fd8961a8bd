"""The README runs: every ```python block executes, in order, against a local exchange.

How a block runs:

- One namespace per block (``__name__ == "__main__"``): each block must work on its own, as a
  user would copy it into a script or a notebook cell.
- As a user who has an Ed25519 key in the environment: ``BINANCE_API_KEY`` is the local
  exchange's ``ex.keys.ed25519.api_key`` and ``BINANCE_PRIVATE_KEY`` the path of its PEM,
  written to ``ed25519.pem`` in a temporary directory that is the working directory while the
  block runs. ``binance_ws.PRODUCTION_URL`` and ``binance_ws.TESTNET_URL`` (the defaults of
  ``Client()`` and ``Client(testnet=True)``) are the local exchange's URL, so the README shows
  the real defaults and the test still never leaves 127.0.0.1: resolving or connecting to any
  other host fails the block.
- Every statement must execute (traced line by line); only a bare ``raise`` may stay
  unexecuted, since it can only pass on an error the block already met. Printed output is
  not checked.
- A block may be marked on the line right before its fence:
  ``<!-- not run: reason -->`` skips it (counted, listed, and kept rare);
  ``<!-- test setup: ex.fail_next(...) -->`` calls that method of the exchange first, so the
  error handling of a block runs too.
"""

from __future__ import annotations

import ast
import builtins
import ipaddress
import re
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import attrs
import pytest

import binance_ws._client
from binance_ws.exchange import LocalExchange
from binance_ws.exchange.model.keys import DemoHmacKey, DemoKeyPair

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CI_RUN = ROOT / ".ci" / "run"
# Blocks marked "not run" stay rare: raise this only with a reason in the review.
MAX_NOT_RUN = 1

_FENCE = re.compile(r"^```(\w*)\s*$")
_MARKER = re.compile(r"^<!--\s*(not run|test setup):\s*(.+?)\s*-->$")
_SETUP_CALL = re.compile(r"^ex\.\w+\(.*\)$")
# The fault-injection and connection-behaviour methods the README's "The local exchange" lists.
FAULT_METHODS = (
    "fail_next",
    "delay_next",
    "garbage_next",
    "drop_next",
    "wrong_id_next",
    "duplicate_id_next",
    "drop_all_connections",
    "send_server_shutdown",
    "restart",
)
DEMO_KEYS = ("ex.keys.hmac", "ex.keys.ed25519", "ex.keys.rsa")


@attrs.frozen
class Block:
    """One ```python block of a Markdown file."""

    line: int  # of the first line of code (the line after the fence)
    section: str  # the ``## `` heading it sits under
    source: str
    not_run: str | None = None
    setup: str | None = None

    @property
    def test_id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.section.lower()).strip("-")
        return f"L{self.line}-{slug}"


def extract_blocks(text: str) -> list[Block]:
    """The ```python blocks of ``text`` in order, with their markers; refuses unknown markers."""
    lines = text.splitlines()
    blocks: list[Block] = []
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence is None:
            if line.startswith("## "):
                section = line[3:].strip()
            i += 1
            continue
        end = i + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        if end == len(lines):
            raise ValueError(f"line {i + 1}: the code fence is never closed")
        if fence.group(1) == "python":
            not_run, setup = _marker_before(lines, i)
            source = "\n".join(lines[i + 1 : end]) + "\n"
            blocks.append(Block(i + 2, section, source, not_run, setup))
        i = end + 1
    return blocks


def _marker_before(lines: list[str], fence_index: int) -> tuple[str | None, str | None]:
    j = fence_index - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    previous = lines[j].strip() if j >= 0 else ""
    if not previous.startswith("<!--"):
        return None, None
    marker = _MARKER.match(previous)
    if marker is None:
        raise ValueError(
            f"line {j + 1}: unknown marker {previous!r} before a python block; "
            "use <!-- not run: reason --> or <!-- test setup: ex.method(...) -->"
        )
    kind, value = marker.groups()
    if kind == "not run":
        return value, None
    if _SETUP_CALL.match(value) is None:
        raise ValueError(f"line {j + 1}: a test setup is one call of the exchange, ex.method(...)")
    return None, value


def statement_lines(tree: ast.AST) -> set[int]:
    """Lines that start a statement, except bare re-raises."""
    return {
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and not (isinstance(node, ast.Raise) and node.exc is None)
    }


def run_traced(source: str, filename: str, first_line: int, namespace: dict[str, Any]) -> set[int]:
    """Execute ``source`` in ``namespace``; returns the statement lines that never ran.

    Line numbers are those of the file (``first_line`` is the line of the first statement), so
    a traceback points into the README itself.
    """
    padded = "\n" * (first_line - 1) + source
    tree = ast.parse(padded, filename)
    code = compile(tree, filename, "exec")
    executed: set[int] = set()

    def local(frame: FrameType, event: str, arg: object) -> Any:
        if event == "line":
            executed.add(frame.f_lineno)
        return local

    def calls(frame: FrameType, event: str, arg: object) -> Any:
        return local if frame.f_code.co_filename == filename else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        exec(code, namespace)
    finally:
        sys.settrace(previous)
    return statement_lines(tree) - executed


BLOCKS = extract_blocks(README.read_text(encoding="utf-8"))


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


# -- the environment of a README user ------------------------------------------------------


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0]).is_loopback
    except ValueError:
        return host.lower() == "localhost"


@pytest.fixture
def offsite(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuses (and records) every name lookup or connection to a host other than loopback."""
    attempts: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def refuse(host: object) -> None:
        attempts.append(repr(host))
        raise OSError(f"a README block tried to reach {host!r}; the tests stay on 127.0.0.1")

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            refuse(host)
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            refuse(address[0])
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            refuse(address[0])
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return attempts


@pytest.fixture(scope="module")
def readme_exchange() -> Iterator[LocalExchange]:
    # Its own exchange: the blocks trade on the demo account and inject faults.
    with LocalExchange() as ex:
        yield ex


@pytest.fixture
def readme_user(
    readme_exchange: LocalExchange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> LocalExchange:
    key = readme_exchange.keys.ed25519
    pem = tmp_path / "ed25519.pem"
    pem.write_bytes(key.private_key_pem)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BINANCE_API_KEY", key.api_key)
    monkeypatch.setenv("BINANCE_PRIVATE_KEY", str(pem))
    # Client() reads these module globals when no url= is given.
    monkeypatch.setattr(binance_ws._client, "PRODUCTION_URL", readme_exchange.url)
    monkeypatch.setattr(binance_ws._client, "TESTNET_URL", readme_exchange.url)
    return readme_exchange


# -- the blocks ----------------------------------------------------------------------------


@pytest.mark.parametrize("block", BLOCKS, ids=[b.test_id for b in BLOCKS])
def test_block_runs(block: Block, readme_user: LocalExchange, offsite: list[str]) -> None:
    if block.not_run is not None:
        pytest.skip(f"README.md line {block.line}: not run: {block.not_run}")
    try:
        if block.setup is not None:
            eval(block.setup, {"ex": readme_user})
        namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        missed = run_traced(block.source, str(README), block.line, namespace)
    finally:
        readme_user.faults.clear()
    assert offsite == [], f"README.md line {block.line}: the block tried to reach {offsite}"
    assert missed == set(), f"README.md lines {sorted(missed)} never ran (block at line {block.line})"


def test_not_run_blocks_are_counted_and_rare() -> None:
    fences = sum(1 for line in README.read_text(encoding="utf-8").splitlines() if line == "```python")
    assert len(BLOCKS) == fences and len(BLOCKS) >= 5
    skipped = [f"line {b.line} ({b.section}): {b.not_run}" for b in BLOCKS if b.not_run is not None]
    assert len(skipped) <= MAX_NOT_RUN, "README blocks not run:\n" + "\n".join(skipped)


# -- the machinery can fail ----------------------------------------------------------------


def test_extractor_reads_sections_and_markers() -> None:
    text = (
        "# T\n\n## First\n\n```python\nx = 1\n```\n\n```bash\n## not a heading\n```\n"
        "<!-- not run: shows output -->\n```python\n>>> x\n```\n\n## Second one\n\n"
        '<!-- test setup: ex.fail_next("ping", 503) -->\n\n```python\ny = 2\nz = 3\n```\n'
    )
    blocks = extract_blocks(text)
    assert blocks == [
        Block(6, "First", "x = 1\n"),
        Block(14, "First", ">>> x\n", not_run="shows output"),
        Block(22, "Second one", "y = 2\nz = 3\n", setup='ex.fail_next("ping", 503)'),
    ]
    assert [b.test_id for b in blocks] == ["L6-first", "L14-first", "L22-second-one"]


@pytest.mark.parametrize(
    "text",
    [
        "<!-- notrun: typo -->\n```python\nx = 1\n```\n",
        "<!-- test setup: import os -->\n```python\nx = 1\n```\n",
        "```python\nx = 1\n",
    ],
)
def test_extractor_refuses_unknown_markers_and_open_fences(text: str) -> None:
    with pytest.raises(ValueError):
        extract_blocks(text)


def test_an_untaken_branch_is_reported(tmp_path: Path) -> None:
    source = "try:\n    x = 1\nexcept NameError:\n    undefined_name.fail()\nelse:\n    y = x\n"
    missed = run_traced(source, str(tmp_path / "block.md"), 10, {"__builtins__": builtins})
    assert missed == {13}
    reraise = "try:\n    x = 1\nexcept ValueError:\n    raise\n"
    assert run_traced(reraise, str(tmp_path / "block.md"), 1, {"__builtins__": builtins}) == set()


def test_a_failing_block_points_at_its_readme_line(tmp_path: Path) -> None:
    name = str(tmp_path / "block.md")
    with pytest.raises(NameError) as info:
        run_traced("a = 1\nb = binance_ws.Client\n", name, 40, {"__builtins__": builtins})
    assert str(info.traceback[-1].path) == name and info.traceback[-1].lineno + 1 == 41


def test_offsite_traffic_is_refused(offsite: list[str]) -> None:
    with pytest.raises(OSError, match=r"stay on 127\.0\.0\.1"):
        socket.getaddrinfo("ws-api.binance.com", 443)
    with socket.socket() as s, pytest.raises(OSError, match=r"stay on 127\.0\.0\.1"):
        s.connect(("192.0.2.1", 443))
    assert offsite == ["'ws-api.binance.com'", "'192.0.2.1'"]
    assert type(socket.getaddrinfo("127.0.0.1", 80)) is list


# -- the README's promises -----------------------------------------------------------------


def _commands() -> list[str]:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# binance-ws" and lines[1] == ""
    assert lines[2] == "```bash", "the README starts with its two commands, in a bash block"
    end = lines.index("```", 3)
    return lines[3:end]


def test_readme_starts_with_the_demo_and_the_test_command() -> None:
    demo, tests = _commands()
    assert demo == "python -m pip install -e '.[exchange]' && python -m binance_ws demo"
    assert tests.startswith("python -m pip install -q -e '.[test]' && ")
    assert tests.endswith(" && python -m pytest")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    preamble = {"#!/usr/bin/env bash", "set -euo pipefail", 'cd "$(dirname "$0")/.."'}
    commands = [
        line
        for line in CI_RUN.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#") and line not in preamble
    ]
    assert commands == [_commands()[1]]


def test_local_exchange_section_names_the_demo_keys_and_every_fault() -> None:
    section = _section("The local exchange")
    for key in DEMO_KEYS:
        assert f"`{key}`" in section, key
    for attribute in (*attrs.fields_dict(DemoHmacKey), *attrs.fields_dict(DemoKeyPair)):
        if attribute != "key_type":
            assert f"`.{attribute}`" in section, attribute
    # Any new *_next fault must be listed too.
    public = {name for name in dir(LocalExchange) if not name.startswith("_")}
    faults = set(FAULT_METHODS) | {name for name in public if name.endswith("_next")}
    for name in sorted(faults):
        assert name in public and callable(getattr(LocalExchange, name)), name
        assert f"`ex.{name}(" in section, f"the README does not list ex.{name}()"


def test_license_matches_the_declared_one() -> None:
    setup = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    assert re.search(r"^license = MIT$", setup, re.MULTILINE)
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 the binance-ws authors\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


def test_the_quick_start_states_the_client_signature_as_it_is() -> None:
    import inspect

    from binance_ws import Client

    parts = []
    for param in inspect.signature(Client).parameters.values():
        if param.kind is inspect.Parameter.KEYWORD_ONLY and "*" not in parts:
            parts.append("*")
        parts.append(f"{param.name}={param.default!r}")
    stated = f"Client({', '.join(parts)})"
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert stated in text, stated
