"""Both JSON backends (stdlib and the optional orjson) encode and decode the same way."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

from binance_ws import _json


def test_round_trip_with_active_backend() -> None:
    doc = {
        "id": 1,
        "method": "order.place",
        "params": {"price": Decimal("0.00100000"), "symbol": "\uff11\uff12\uff13"},
    }
    text = _json.dumps(doc)
    assert " " not in text.replace("order.place", "")
    back = _json.loads(text.encode())
    assert back["params"] == {"price": "0.00100000", "symbol": "\uff11\uff12\uff13"}


def test_stdlib_fallback_without_orjson() -> None:
    script = (
        "import sys; sys.modules['orjson'] = None\n"
        "from decimal import Decimal\n"
        "from binance_ws import _json\n"
        "assert _json.BACKEND == 'json', _json.BACKEND\n"
        "text = _json.dumps({'a': Decimal('1.50'), 'b': '\\uff11', 'c': Decimal('1E-7')})\n"
        'assert text == \'{"a":"1.50","b":"\\uff11","c":"0.0000001"}\', text\n'
        "assert _json.loads(text.encode('utf-8')) == {'a': '1.50', 'b': '\\uff11', 'c': '0.0000001'}\n"
        "print('ok')\n"
    )
    out = subprocess.run(  # noqa: PLW1510 - the return code is asserted
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
