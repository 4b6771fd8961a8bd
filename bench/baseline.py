"""An earlier tree of binance-ws measured beside today's, in the same run.

``python -m bench --baseline REF`` exports ``binance_ws/`` of the git revision ``REF`` into a
temporary folder and measures it as one more client, ``binance-ws@REF``, in a process of its
own whose ``sys.path`` puts that folder first. "Not slower than before" is then a ratio of two
ratios taken in one run on one machine, rather than a comparison with a figure from another day.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .report import BASELINE_PREFIX

__all__ = ["BASELINE_PREFIX", "exported", "is_baseline", "sys_path_for"]

# Where the exported tree of each baseline lives, for the client processes the benchmark starts.
_PATH_ENV = "BINANCE_WS_BENCH_BASELINE_PATH"
_ROOT = Path(__file__).resolve().parent.parent


def is_baseline(name: str) -> bool:
    return name.startswith(BASELINE_PREFIX)


@contextmanager
def exported(ref: str) -> Iterator[str]:
    """Export ``binance_ws/`` at ``ref``; yields the client name to measure it under."""
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", ref, "binance_ws"],
            cwd=_ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise RuntimeError(f"cannot export binance_ws at {ref!r}: {exc}") from exc
    folder = tempfile.mkdtemp(prefix="binance-ws-baseline-")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        os.environ[_PATH_ENV] = folder
        yield BASELINE_PREFIX + ref
    finally:
        os.environ.pop(_PATH_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def sys_path_for(name: str) -> Iterator[None]:
    """Around starting a client's process: a baseline's process imports the exported tree.

    A spawned process takes its ``sys.path`` from its parent at start.
    """
    folder = os.environ.get(_PATH_ENV) if is_baseline(name) else None
    if folder is None:
        yield
        return
    sys.path.insert(0, folder)
    try:
        yield
    finally:
        sys.path.remove(folder)
