"""A WSGI app (Flask) whose request handlers share one client.

Every worker thread of the WSGI server calls the same ``Client``: one connection to Binance
for the whole process, created on first use. Under gunicorn, create it in each worker
process (a client connected before a fork refuses to work in the child).

    BINANCE_WS_URL=ws://127.0.0.1:8765/ws-api/v3 \\
    BINANCE_API_KEY=... BINANCE_API_SECRET=... python examples/flask_app.py --port 5000

Routes: ``GET /price/<symbol>``, ``GET /book/<symbol>``, ``GET /balances``, ``POST /orders``
(JSON ``{"symbol", "side", "quantity"}``: a market order) and ``GET /limits``.
``--requests N`` serves N requests, then exits (for a smoke test).
"""

from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

import binance_ws
from binance_ws import Client
from binance_ws.models import Order, OrderFull


def create_app(get_client: Callable[[], Client]) -> Flask:
    """The app; ``get_client`` returns the process's shared client."""
    app = Flask(__name__)

    @app.get("/price/<symbol>")
    def price(symbol: str) -> ResponseReturnValue:
        ticker = get_client().ticker_price(symbol=symbol.upper())
        return jsonify(symbol=ticker.symbol, price=str(ticker.price))

    @app.get("/book/<symbol>")
    def book(symbol: str) -> ResponseReturnValue:
        depth = get_client().depth(symbol=symbol.upper(), limit=5)
        levels = {
            side: [[str(level.price), str(level.quantity)] for level in (getattr(depth, side) or ())]
            for side in ("bids", "asks")
        }
        return jsonify(levels)

    @app.get("/balances")
    def balances() -> ResponseReturnValue:
        account = get_client().account_status(omit_zero_balances=True)
        return jsonify({b.asset: f"{b.free:f}" for b in account.balances or ()})

    @app.post("/orders")
    def place_order() -> ResponseReturnValue:
        body: dict[str, Any] = request.get_json(force=True)
        client = get_client()
        order: Order | OrderFull
        try:
            order = client.order_place(
                symbol=str(body["symbol"]).upper(),
                side=str(body["side"]).upper(),
                type="MARKET",
                quantity=str(body["quantity"]),
                new_order_resp_type="FULL",
            )
        except binance_ws.ExecutionUnknownError as err:
            # The order may exist: find out before answering, never place it twice.
            found = client.resolve_unknown(err)
            if found is None:
                return jsonify(error="not placed", detail=str(err)), 503
            if not isinstance(found, Order):  # an order.place resolves to an Order
                raise
            order = found
        return jsonify(
            order_id=order.order_id, status=str(order.status), executed_qty=str(order.executed_qty)
        )

    @app.get("/limits")
    def limits() -> ResponseReturnValue:
        return jsonify([str(usage) for usage in get_client().rate_limits])

    @app.errorhandler(binance_ws.InvalidParameterError)
    def invalid(err: binance_ws.InvalidParameterError) -> ResponseReturnValue:
        return jsonify(error=str(err)), 400

    @app.errorhandler(binance_ws.APIError)
    def refused(err: binance_ws.APIError) -> ResponseReturnValue:
        # Binance's own status (400, 429...) is the caller's answer too; 5xx is ours to own.
        status = err.status if err.status < 500 else 502
        return jsonify(error=err.msg, code=err.code), status

    return app


class SharedClient:
    """One client per process, connected on first use from whichever thread comes first."""

    def __init__(self, factory: Callable[[], Client]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._client: Client | None = None

    def __call__(self) -> Client:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._factory().connect()
                client = self._client
        return client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def main(argv: Sequence[str] | None = None) -> int:
    from werkzeug.serving import make_server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=None, help="serve this many requests, then exit")
    args = parser.parse_args(argv)
    url = os.environ.get("BINANCE_WS_URL")
    shared = SharedClient(lambda: Client(url, testnet=url is None))
    # A thread per request when serving for good; one by one for a counted run, so the last
    # answer is out before the client closes.
    server = make_server("127.0.0.1", args.port, create_app(shared), threaded=args.requests is None)
    print(f"serving on http://127.0.0.1:{server.port}", flush=True)
    try:
        if args.requests is None:
            server.serve_forever()
        else:
            for _ in range(args.requests):
                server.handle_request()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        shared.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
