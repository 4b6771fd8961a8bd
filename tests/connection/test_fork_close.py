"""A client created before ``os.fork()``: the child never touches the parent's connection."""

from __future__ import annotations

import os

import pytest

from binance_ws import Client
from binance_ws.exchange import LocalExchange


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
# Forking a threaded process is the very case under test (Python 3.12+ warns about it).
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_closing_in_a_forked_child_leaves_the_parents_connection_alone() -> None:
    with LocalExchange(enforce_limits=False, book_levels=20) as ex, Client(ex.url, timeout=5) as client:
        assert client.ping() is not None
        for _ in range(3):
            pid = os.fork()
            if pid == 0:  # the child: close the inherited client both ways, then leave at once
                try:
                    client.close()
                    client.__exit__(None, None, None)  # what leaving a with block does
                finally:
                    os._exit(0)
            _, status = os.waitpid(pid, 0)
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
            # No close frame reached the server from the child: the same connection serves on.
            assert client.ping() is not None
        assert client.reconnects == 0 and ex.connection_count == 1
