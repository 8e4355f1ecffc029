"""Starting the processes a benchmark measures."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.support.processes import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
NODE = [sys.executable, "-m", "bot", "--log-level", "WARNING", "serve"]


def start(
    command: list[str], port: int, env: Mapping[str, str], seconds: float = 30.0
) -> subprocess.Popen[bytes]:
    """`command` running, once it listens on `port` (within `seconds`)."""
    process = subprocess.Popen(
        command, cwd=ROOT, env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for_port(port, process, seconds)
    return process


@contextmanager
def running_node(env: Mapping[str, str], *extra: str) -> Iterator[int]:
    """The node serving on a free port for the duration; yields the port."""
    port = free_port()
    process = start([*NODE, "--port", str(port), *extra], port, env)
    try:
        yield port
    finally:
        process.terminate()
        process.wait()
