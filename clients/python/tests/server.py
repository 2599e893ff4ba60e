"""A real Switchyard server for the tests: this repository's ``bin/switchyard serve`` on ephemeral
ports with a temporary data dir and HOME, started once per test process and stopped by its pid."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Optional

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.path.join(ROOT, "bin", "switchyard")
EXAMPLE = os.path.join(ROOT, "examples", "safe-rollout", "endpoints", "online")


@dataclass
class Server:
    control_url: str
    gateway_url: str
    data_dir: str
    home: str
    process: subprocess.Popen

    @property
    def admin_token(self) -> str:
        with open(os.path.join(self.data_dir, "admin-token"), encoding="utf-8") as f:
            return f.read().strip()

    def env(self, **extra: str) -> dict:
        """An environment for a child (or this process) that finds this server as a user would."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHYARD_")}
        env.update(HOME=self.home, SWITCHYARD_URL=self.control_url, SWITCHYARD_DATA_DIR=self.data_dir)
        env.update(extra)
        return env

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.home, ignore_errors=True)


_server: Optional[Server] = None
_lock = threading.Lock()


def start() -> Server:
    home = tempfile.mkdtemp(prefix="sy-py-home-")
    data_dir = os.path.join(home, "data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHYARD_")}
    env.update(HOME=home, SWITCHYARD_LOG_LEVEL="warn")
    proc = subprocess.Popen(
        [BIN, "serve", "--port", "0", "--gateway-port", "0", "--data-dir", data_dir],
        cwd=home, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = proc.stdout.readline()  # the first line is {"event":"listening",...}
    try:
        event = json.loads(line)
    except ValueError:
        proc.kill()
        proc.wait()
        shutil.rmtree(home, ignore_errors=True)
        raise RuntimeError(f"switchyard serve did not print its listening line (got {line!r}, exit {proc.poll()})")
    # Keep reading stdout so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    return Server(event["controlUrl"], event["gatewayUrl"], event["dataDir"], home, proc)


def shared() -> Server:
    """The test process's server (started on first use, stopped at exit)."""
    global _server
    with _lock:
        if _server is None:
            _server = start()
            atexit.register(_server.stop)
        return _server


def use_server_env(server: Server) -> None:
    """Points this process at ``server`` the way a user's shell would (SWITCHYARD_URL, HOME, data dir)."""
    for k in [k for k in os.environ if k.startswith("SWITCHYARD_")]:
        del os.environ[k]
    os.environ.update(HOME=server.home, SWITCHYARD_URL=server.control_url, SWITCHYARD_DATA_DIR=server.data_dir)


def wait_for(condition, what: str, seconds: float = 30.0):
    """Polls ``condition`` (a signal the server gives) until truthy, bounded in time."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not seen within {seconds:.0f}s")
        time.sleep(0.1)
