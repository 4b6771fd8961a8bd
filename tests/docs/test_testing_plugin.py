"""The public pytest plugin ``binance_ws.testing``, used as a user's test suite would use it.

The user's suite runs in a pytest process of its own (pytester), in a temporary folder with a
conftest that enables the plugin, so nothing of this suite's conftest leaks into it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_readme import extract_blocks

from binance_ws.exchange import LocalExchange
from binance_ws.testing import connect

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]


def _docs_block(reason: str) -> str:
    """The block of docs/testing.md marked ``not run: <reason> ...`` (it runs here instead)."""
    blocks = extract_blocks((ROOT / "docs" / "testing.md").read_text(encoding="utf-8"))
    (block,) = [b for b in blocks if b.not_run is not None and b.not_run.startswith(reason)]
    return block.source


#: The test module and the conftest the testing page shows.
DOCS_TESTS = _docs_block("a test module")
DOCS_CONFTEST = _docs_block("a conftest")

USER_TESTS = textwrap.dedent(
    """
    import pytest

    import binance_ws
    from binance_ws.exchange import LocalExchange
    from binance_ws.testing import connect


    def test_the_fixtures_are_connected(client, local_exchange):
        assert type(local_exchange) is LocalExchange
        assert type(client) is binance_ws.Client
        assert client.url == local_exchange.url and client.key_type == "HMAC"
        assert len(client.depth(symbol="BTCUSDT", limit=1000).bids) == 1000
        order = client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
        assert order.status == "FILLED"


    def test_each_test_has_its_own_exchange(local_exchange):
        assert local_exchange.requests == []  # the order of the test before went elsewhere


    def test_faults_reach_the_client(client, local_exchange):
        local_exchange.fail_next("order.place", 503, executed=True)
        with pytest.raises(binance_ws.ExecutionUnknownError) as info:
            client.order_place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
        assert client.resolve_unknown(info.value).status == "FILLED"


    def test_more_clients_with_other_keys(local_exchange):
        with connect(local_exchange, key="ed25519", auto_logon=True) as logged_on:
            assert logged_on.logged_on and logged_on.key_type == "Ed25519"
        with connect(local_exchange, key="none") as anonymous:
            assert anonymous.key_type is None and anonymous.ping() is not None


    def test_a_failing_bot_fails(client):
        assert client.depth(symbol="BTCUSDT", limit=5).best_bid is None
    """
)


@pytest.fixture
def user_suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )
    # The user's own keys in the environment must not be what the fixtures use.
    monkeypatch.setenv("BINANCE_API_KEY", "not-the-demo-key")
    monkeypatch.setenv("BINANCE_API_SECRET", "not-the-demo-secret")
    return pytester


def test_a_users_suite_gets_the_fixtures(user_suite: pytest.Pytester) -> None:
    user_suite.makeconftest('pytest_plugins = ["binance_ws.testing"]\n')
    user_suite.makepyfile(test_bot=USER_TESTS, test_from_the_docs=DOCS_TESTS)
    result = user_suite.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=6, failed=1)
    result.stdout.fnmatch_lines(["*test_a_failing_bot_fails*"])


def test_a_user_overrides_the_exchange_as_the_docs_show(user_suite: pytest.Pytester) -> None:
    user_suite.makeconftest('pytest_plugins = ["binance_ws.testing"]\n\n' + DOCS_CONFTEST)
    user_suite.makepyfile(
        test_docs_conftest="""
        from decimal import Decimal


        def test_low_limits_and_a_logged_on_client(logged_on_client, local_exchange):
            assert logged_on_client.logged_on
            balances = {b.asset: b.free for b in logged_on_client.account_status().balances}
            assert balances["USDT"] == Decimal("500")
            assert logged_on_client.url == local_exchange.url
        """
    )
    result = user_suite.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1)


def test_importing_the_package_imports_neither_pytest_nor_the_plugin() -> None:
    code = "import sys, binance_ws, binance_ws.exchange; print('pytest' in sys.modules, 'binance_ws.testing' in sys.modules)"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def test_connect_refuses_an_unknown_key_type(exchange: LocalExchange) -> None:
    with pytest.raises(ValueError, match="hmac"):
        connect(exchange, key="dsa")
