"""Typed results of every WebSocket API method (attrs models, ``Decimal`` for amounts).

Every field is optional and unknown keys are kept in ``extra``; :func:`binance_ws.unstructure`
turns any model back into the exact wire JSON. One module per method category.

Every model shows itself the same way (``binance_ws._display``): a short repr with decimals in
fixed-point form and unset fields left out, and an HTML table in Jupyter. List results are
:class:`binance_ws.ResultList`, with ``to_records()`` and ``to_pandas()``.
"""

from __future__ import annotations

from . import account, events, general, market, session, trading, user_data
from ._base import WireModel, ms_to_datetime
from .account import *  # noqa: F403
from .events import *  # noqa: F403
from .general import *  # noqa: F403
from .market import *  # noqa: F403
from .session import *  # noqa: F403
from .trading import *  # noqa: F403
from .user_data import *  # noqa: F403

__all__ = [  # noqa: PLE0604
    "WireModel",
    "ms_to_datetime",
    *general.__all__,
    *market.__all__,
    *session.__all__,
    *trading.__all__,
    *account.__all__,
    *user_data.__all__,
    *events.__all__,
]
