"""Every example runs against a local exchange: the scripts in subprocesses, the Flask app
through Flask's test client, the notebook through nbclient with an ipykernel.

Each example does a fixed amount of work and exits; the assertions read what it printed and
what the exchange received from it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from binance_ws import Client
from binance_ws.exchange import LocalExchange

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
#: Every example and the test that runs it (a new example needs a test).
COVERED = {
    "script.py": "test_script_runs_against_the_exchange_it_is_given",
    "threaded_app.py": "test_threaded_app_shares_one_client_and_one_stream",
    "flask_app.py": "test_flask_app_serves_from_one_shared_client",
    "gevent_app.py": "test_gevent_app_runs_many_greenlets_on_one_client",
    "notebook.ipynb": "test_notebook_runs_top_to_bottom",
}
RUN_TIMEOUT = 90  # seconds: a loaded machine, but never a hung test


@pytest.fixture(scope="module")
def ex() -> Iterator[LocalExchange]:
    # Its own exchange: the examples trade on the demo account.
    with LocalExchange(book_levels=50) as exchange:
        yield exchange


def _env(ex: LocalExchange) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINANCE_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env["BINANCE_WS_URL"] = ex.url
    env["BINANCE_API_KEY"] = ex.keys.hmac.api_key
    env["BINANCE_API_SECRET"] = ex.keys.hmac.api_secret
    return env


def _run(ex: LocalExchange, name: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        env=_env(ex),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{name} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _methods_since(ex: LocalExchange, start: int) -> list[str]:
    return [method for method, _params in ex.requests[start:]]


def test_every_example_has_a_test() -> None:
    found = {p.name for p in EXAMPLES.iterdir() if p.suffix in (".py", ".ipynb")}
    assert found == set(COVERED), "an example without a test (or a test of a removed example)"
    for test in COVERED.values():
        assert callable(globals()[test]), test


def test_script_runs_against_the_exchange_it_is_given(ex: LocalExchange) -> None:
    start = len(ex.requests)
    out = _run(ex, "script.py")
    assert "placed: " in out and "cancelled: CANCELED" in out
    assert "balance USDT: free " in out
    methods = _methods_since(ex, start)
    # The script's own calls reached this exchange (not the testnet it defaults to).
    assert methods.count("order.place") == 1 and methods.count("order.cancel") == 1
    assert "account.status" in methods


def test_script_runs_with_an_embedded_exchange() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "script.py"), "--local"],
        env={k: v for k, v in os.environ.items() if not k.startswith("BINANCE_")} | {"PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "cancelled: CANCELED" in done.stdout


def test_threaded_app_shares_one_client_and_one_stream(ex: LocalExchange) -> None:
    start = len(ex.requests)
    out = _run(ex, "threaded_app.py", "--orders", "6", "--workers", "3")
    assert "6 orders placed and cancelled by 3 workers on one client" in out
    assert "open orders left: 0" in out
    lines = [line for line in out.splitlines() if line.startswith("worker")]
    # One line per order, in order (pool.map), each from one of the pool's three threads.
    assert [re.findall(r"order (\d+) ", line) for line in lines] == [[str(i)] for i in range(6)]
    assert all(line.endswith("placed and cancelled") for line in lines)
    names = {line.split(":")[0] for line in lines}
    assert len(names) <= 3 and all(re.fullmatch(r"worker_\d", name) for name in names), names
    methods = _methods_since(ex, start)
    assert methods.count("order.place") == 6 and methods.count("order.cancel") == 6
    assert methods.count("userDataStream.subscribe.signature") == 1  # one stream for the pool


def test_gevent_app_runs_many_greenlets_on_one_client(ex: LocalExchange) -> None:
    start = len(ex.requests)
    out = _run(ex, "gevent_app.py", "--greenlets", "12")
    assert "12 of 12 greenlets done on one client" in out
    assert "greenlet 11: BNBBTC bid " in out
    assert _methods_since(ex, start).count("ticker.book") == 12


def _load_flask_app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flask_app_example", EXAMPLES / "flask_app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_flask_app_serves_from_one_shared_client(ex: LocalExchange) -> None:
    pytest.importorskip("flask")
    flask_app = _load_flask_app()
    tag = "flask-example"
    key = ex.keys.hmac
    made: list[Client] = []

    def factory() -> Client:
        client = Client(ex.url_for(tag), api_key=key.api_key, api_secret=key.api_secret, timeout=10)
        made.append(client)
        return client

    shared = flask_app.SharedClient(factory)
    app = flask_app.create_app(shared)
    try:
        http = app.test_client()
        price = http.get("/price/btcusdt")
        assert price.status_code == 200 and price.get_json()["symbol"] == "BTCUSDT"
        book = http.get("/book/BTCUSDT").get_json()
        assert len(book["bids"]) == 5 and len(book["asks"]) == 5
        assert "USDT" in http.get("/balances").get_json()

        # Request handlers on many threads at once, one client for all of them.
        answers: list[int] = []

        def hit() -> None:
            local = app.test_client()
            answers.extend(local.get(f"/price/{s}").status_code for s in ("BTCUSDT", "ETHUSDT"))

        threads = [threading.Thread(target=hit) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=RUN_TIMEOUT)
        assert answers == [200] * 8

        order = http.post("/orders", json={"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.001"})
        assert order.status_code == 200 and order.get_json()["status"] == "FILLED"
        # The answer is lost after the order executed: the app finds it instead of failing.
        ex.fail_next("order.place", 503, executed=True, connection=tag)
        lost: Any = http.post("/orders", json={"symbol": "BTCUSDT", "side": "SELL", "quantity": "0.001"})
        assert lost.status_code == 200 and lost.get_json()["status"] == "FILLED"

        refused = http.get("/price/NOSUCHPAIR")
        assert refused.status_code == 400 and refused.get_json()["code"] == -1121
        bad = http.post("/orders", json={"symbol": "BTCUSDT", "side": "BUY", "quantity": "-1"})
        assert bad.status_code == 400 and "quantity" in bad.get_json()["error"]
        assert http.get("/limits").status_code == 200
        assert len(made) == 1, "every request handler shares one client"
    finally:
        shared.close()
    assert made[0].state.value == "CLOSED"


def test_flask_app_serves_http_on_loopback_then_exits(ex: LocalExchange) -> None:
    pytest.importorskip("flask")
    args = [sys.executable, str(EXAMPLES / "flask_app.py"), "--port", "0", "--requests", "2"]
    with subprocess.Popen(args, env=_env(ex), cwd=ROOT, stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            first = server.stdout.readline().strip()  # "serving on http://127.0.0.1:PORT"
            assert first.startswith("serving on http://127.0.0.1:"), first
            base = first.removeprefix("serving on ")
            bodies = []
            for path in ("/price/BTCUSDT", "/book/ETHUSDT"):
                with urllib.request.urlopen(base + path, timeout=RUN_TIMEOUT) as answer:
                    assert answer.status == 200
                    bodies.append(json.loads(answer.read()))
            assert server.wait(timeout=RUN_TIMEOUT) == 0  # two requests served: it exits
        finally:
            if server.poll() is None:
                server.kill()
    assert bodies[0]["symbol"] == "BTCUSDT" and len(bodies[1]["bids"]) == 5


def test_notebook_runs_top_to_bottom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )
    for name in [k for k in os.environ if k.startswith("BINANCE_")]:
        monkeypatch.delenv(name)
    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    runner = nbclient.NotebookClient(
        notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    runner.execute()  # raises CellExecutionError on the first cell that fails
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.get("execution_count") for cell in code), "a cell did not run"
    errors = [out for cell in code for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert errors == []
    shown = "\n".join(
        str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
        for cell in code
        for out in cell.get("outputs", [])
    )
    assert "state=OPEN" in shown  # the client's repr
    assert "(<OrderStatus.FILLED: 'FILLED'>, True)" in shown  # resolve_unknown found the order
    assert "REQUEST_WEIGHT 1 MINUTE" in shown
