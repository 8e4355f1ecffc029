"""Starting and stopping local servers the tests need."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_BIN = ROOT / "node_modules" / ".bin"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def node_env(data_dir: Path, instant: str, **settings: str) -> dict[str, str]:
    """The environment of a node process (`python -m bot ...`) in a test: SQLite in
    `data_dir`, no app id, and its clock starting at the test's pinned `instant`."""
    return {**os.environ, "NODE_DATA_DIR": str(data_dir), "NODE_STORAGE_CONNECTION_STRING": "",
            "MicrosoftAppId": "", "NODE_TEST_NOW": instant, **settings}  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} within {seconds}s")


class Azurite:
    """Azurite's table service in memory on a free port (npm package `azurite`)."""

    def __init__(self) -> None:
        executable = NODE_BIN / "azurite-table"
        if not executable.exists():
            raise RuntimeError("Azurite is not installed: run `npm ci` (make test does)")
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(executable),
                "--inMemoryPersistence",
                "--tableHost",
                "127.0.0.1",
                "--tablePort",
                str(self.port),
                "--skipApiVersionCheck",
                "--disableTelemetry",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)

    @property
    def connection_string(self) -> str:
        return (
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            f"AccountKey={AZURITE_KEY};"
            f"TableEndpoint=http://127.0.0.1:{self.port}/devstoreaccount1;"
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
