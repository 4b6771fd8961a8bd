"""The documentation site: it builds with ``mkdocs build --strict`` without a warning, its
method reference covers the whole method table, and its Python blocks run.

The Python blocks of ``docs/**/*.md`` run as the README's do (``tests/docs/test_readme.py``): each
on its own against a local exchange standing in for production and the testnet, every
statement executed, with the same ``<!-- not run: reason -->`` and ``<!-- test setup:
ex.method(...) -->`` markers.
"""

from __future__ import annotations

import builtins
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import test_readme as readme

import binance_ws._client
from binance_ws import Client
from binance_ws._spec import METHODS
from binance_ws.exchange import LocalExchange

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# Blocks that cannot run (other processes' code, other keys), listed by the test output.
MAX_NOT_RUN = 6

offsite = readme.offsite  # the fixture: no traffic beyond 127.0.0.1


def _gen_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{log}"
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert warnings == [], "\n".join(warnings)
    return out


def test_the_site_builds_strict(site: Path) -> None:
    for page in ("index.html", "errors/index.html", "migration/python-binance/index.html", "api/index.html"):
        assert (site / page).is_file(), page
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for anchor in ("binance_ws.Client.resolve_unknown", "binance_ws.RateGovernor", "binance_ws.testing"):
        assert f'id="{anchor}"' in api, anchor
    # Sphinx roles of the docstrings are rewritten as code (tools/docs_roles.py).
    assert ":meth:" not in api and ":class:" not in api
    # reST literal blocks are Examples sections and fenced code (highlighted), not "Example::".
    pages = [p.read_text(encoding="utf-8") for p in site.rglob("*.html")]
    assert not any("Example::" in text for text in pages)
    assert 'class="highlight"' in api and "&gt;&gt;&gt;" in api


def test_every_method_of_the_table_is_in_the_reference(site: Path) -> None:
    index = (site / "methods" / "index.html").read_text(encoding="utf-8")
    for spec in METHODS.values():
        page = (site / "methods" / spec.category / "index.html").read_text(encoding="utf-8")
        name = spec.python_name
        assert f'id="{name}"' in page, f"{spec.wire}: no section {name} on methods/{spec.category}"
        assert f"<code>{spec.wire}</code>" in page, spec.wire
        assert f'href="../{spec.category}/#{name}"' in index or f'href="{spec.category}/#{name}"' in index, (
            name
        )
        first_line = (getattr(Client, name).__doc__ or "").strip().splitlines()[0]
        plain = re.match(r"[\w ,.()-]+", first_line)  # up to the first markup or quote
        assert plain is not None and plain.group(0).strip() in page, (
            f"{name}: its docstring is not on the page"
        )
        for param in spec.params:
            assert f"<code>{param.python_name}</code>" in page, f"{spec.wire}: {param.name}"


def test_a_method_section_states_the_table_facts() -> None:
    gen = _gen_docs()
    trading = gen.pages()["methods/trading.md"]
    section = trading[trading.index("## `order_place`") : trading.index("## `order_test`")]
    assert "wire `order.place`" in section and "security TRADE (signed)" in section
    assert "weight 1 (0 on success)" in section and "unfilled order count +1" in section
    assert "| `new_client_order_id` | `newClientOrderId` | `str | None` |" in section
    market = gen.pages()["methods/market.md"]
    assert "by `limit` (default 100): up to 100: 5, up to 500: 25" in market


def test_a_category_without_a_page_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    gen = _gen_docs()
    monkeypatch.delitem(gen.GROUPS, "session")
    with pytest.raises(ValueError, match="session"):
        gen.pages()


# -- the Python blocks of the pages --------------------------------------------------------


def _blocks() -> list[tuple[str, readme.Block]]:
    out = []
    for path in sorted(DOCS.rglob("*.md")):
        for block in readme.extract_blocks(path.read_text(encoding="utf-8")):
            out.append((str(path.relative_to(ROOT)), block))
    return out


BLOCKS = _blocks()


@pytest.fixture(scope="module")
def docs_exchange() -> Iterator[LocalExchange]:
    with LocalExchange() as ex:
        yield ex


@pytest.fixture
def docs_user(docs_exchange: LocalExchange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalExchange:
    """A user with an Ed25519 key in the environment; production and the testnet are local."""
    key = docs_exchange.keys.ed25519
    pem = tmp_path / "ed25519.pem"
    pem.write_bytes(key.private_key_pem)
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("BINANCE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BINANCE_API_KEY", key.api_key)
    monkeypatch.setenv("BINANCE_PRIVATE_KEY", str(pem))
    monkeypatch.setattr(binance_ws._client, "PRODUCTION_URL", docs_exchange.url)
    monkeypatch.setattr(binance_ws._client, "TESTNET_URL", docs_exchange.url)
    return docs_exchange


@pytest.mark.parametrize(("page", "block"), BLOCKS, ids=[f"{page}:{block.line}" for page, block in BLOCKS])
def test_block_runs(page: str, block: readme.Block, docs_user: LocalExchange, offsite: list[str]) -> None:
    if block.not_run is not None:
        pytest.skip(f"{page} line {block.line}: not run: {block.not_run}")
    try:
        if block.setup is not None:
            eval(block.setup, {"ex": docs_user})
        namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        missed = readme.run_traced(block.source, str(ROOT / page), block.line, namespace)
    finally:
        docs_user.faults.clear()
    assert offsite == [], f"{page} line {block.line}: the block tried to reach {offsite}"
    assert missed == set(), f"{page} lines {sorted(missed)} never ran (block at line {block.line})"


def test_not_run_blocks_are_rare() -> None:
    assert len(BLOCKS) >= 10
    skipped = [f"{page}:{b.line}: {b.not_run}" for page, b in BLOCKS if b.not_run is not None]
    assert len(skipped) <= MAX_NOT_RUN, "docs blocks not run:\n" + "\n".join(skipped)
