"""What the objects that hold a client use of it, as protocols: they import no client module.

:class:`~binance_ws.Client` satisfies each of them; the User Data Stream, its router and the
account tracker are typed against these instead, so the client's modules can import theirs
and nothing imports back up. Facade methods are not restated here: their one definition is
generated into ``_methods``; a holder that needs one goes through ``_call``, as they do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from ._connection import ClientState, ConnectionEvent, Connections
from ._response import Response
from ._signing import Signer

__all__ = ["ClientCalls", "RouterClient", "StreamClient", "StreamRoutes"]

S = TypeVar("S")


class ClientCalls(Protocol):
    """The client's two request paths and the clock they sign with."""

    @property
    def time_offset(self) -> int: ...

    def request(self, method: str, params: Mapping[str, Any]) -> Response: ...

    def _call(self, wire: str, params: Mapping[str, Any], result_type: Any) -> Any: ...


class StreamClient(ClientCalls, Protocol):
    """What a :class:`~binance_ws.UserDataStream` uses of its client."""

    @property
    def timeout(self) -> float: ...

    @property
    def last_disconnect_reason(self) -> str | None: ...

    @property
    def _conns(self) -> Connections: ...

    @property
    def _signer(self) -> Signer | None: ...

    @property
    def _session_key(self) -> str | None: ...

    def add_restore_step(self, step: Callable[[StreamClient], object]) -> Callable[[], None]: ...


class RouterClient(Protocol):
    """What the User Data router uses of its client."""

    @property
    def state(self) -> ClientState: ...

    def on_connection_event(self, callback: Callable[[ConnectionEvent], None]) -> Callable[[], None]: ...


class StreamRoutes(Protocol[S]):
    """What a stream of type ``S`` uses of the router that feeds it (the client's UserDataRouter)."""

    @property
    def streams(self) -> list[S]: ...

    def claim(self, link_number: int, sid: int, stream: S) -> None: ...

    def release(self, link_number: int, sid: int) -> None: ...
