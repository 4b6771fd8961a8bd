"""Each client under test in a process of its own, driven from the benchmark's process.

Clients that share an interpreter tax each other: the peers' imports (pydantic, aiohttp)
and their turns between the others' batches leave a heap and caches that slow whoever runs
next, and most of all the client that runs the most Python per request. So, like the servers,
every client runs in a child process (``multiprocessing``, spawn), and the benchmark talks to
it through :class:`RemoteRunner`, which has the :class:`~bench.clients.Runner` interface.
The timing itself happens inside the child; only the results cross the pipe.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from .baseline import is_baseline, sys_path_for
from .clients import Floor, Ours, ReaderRef, Runner, Timer
from .ops import OPS, Credentials, Op

__all__ = ["RemoteRunner", "runner_factories"]

# A command must answer within this long (a batch of requests, a throughput run).
_ANSWER_LIMIT = 600.0
# Starting a child: an interpreter, the client's imports and its connection.
_START_LIMIT = 120.0


def runner_factories() -> dict[str, Callable[[str, Credentials], Runner]]:
    """Every client the benchmark knows, by the name it reports under."""
    from .peers import PEERS

    return {Floor.name: Floor, ReaderRef.name: ReaderRef, Ours.name: Ours, **PEERS}


class RemoteRunner(Runner):
    """A :class:`~bench.clients.Runner` living in a child process."""

    def __init__(self, name: str, url: str, creds: Credentials) -> None:
        super().__init__()
        self.name = name
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_serve, args=(child, name, url, creds.portable()), name=f"bench-{name}", daemon=True
        )
        with sys_path_for(name):
            self._proc.start()
        child.close()
        try:
            self._answer(_START_LIMIT)
        except BaseException:
            self._stop()
            raise

    def _answer(self, limit: float) -> Any:
        if not self._conn.poll(limit):
            raise TimeoutError(f"{self.name}: no answer from its process within {limit:g} s")
        status, value, skipped, labels = self._conn.recv()
        self.skipped.update(skipped)
        self.labels.update(labels)
        if status != "ok":
            raise RuntimeError(value)
        return value

    def _ask(self, *command: Any) -> Any:
        self._conn.send(command)
        return self._answer(_ANSWER_LIMIT)

    def timer(self, op: Op) -> Timer | None:
        if not self._ask("bind", op.key):
            return None
        key = op.key
        return lambda n: list(self._ask("time", key, n))

    def throughput(self, inflight: int, total: int) -> float | None:
        rate: float | None = self._ask("throughput", inflight, total)
        return rate

    def throughput_tasks(self, inflight: int, total: int) -> float | None:
        rate: float | None = self._ask("tasks", inflight, total)
        return rate

    def close(self) -> None:
        try:
            if self._proc.is_alive():
                self._ask("close")
        finally:
            self._stop()

    def _stop(self) -> None:
        self._proc.join(10)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(5)
        self._conn.close()


def _serve(conn: Connection, name: str, url: str, portable: dict[str, str | None]) -> None:
    """The child: build the client, then run the commands it is sent until ``close``."""
    try:
        factory = Ours if is_baseline(name) else runner_factories()[name]
        runner = factory(url, Credentials.from_portable(portable))
        runner.name = name
    except Exception as exc:
        conn.send(("error", f"could not connect: {type(exc).__name__}: {exc}", {}, {}))
        return
    # As in one process: keep the imported modules' objects out of every collection's scan.
    gc.collect()
    gc.freeze()
    conn.send(("ok", None, runner.skipped, runner.labels))
    timers: dict[str, Timer | None] = {}
    while True:
        try:
            command = conn.recv()
        except EOFError:  # the benchmark is gone
            runner.close()
            return
        verb = command[0]
        try:
            value: Any = None
            if verb == "bind":
                timers[command[1]] = runner.timer(OPS[command[1]])
                value = timers[command[1]] is not None
            elif verb == "time":
                timer = timers[command[1]]
                assert timer is not None  # bound first by the benchmark
                value = timer(command[2])
            elif verb == "throughput":
                value = runner.throughput(command[1], command[2])
            elif verb == "tasks":
                value = runner.throughput_tasks(command[1], command[2])
            elif verb == "close":
                runner.close()
            else:
                raise ValueError(f"unknown command {verb!r}")
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}", runner.skipped, runner.labels))
        else:
            conn.send(("ok", value, runner.skipped, runner.labels))
        if verb == "close":
            return
