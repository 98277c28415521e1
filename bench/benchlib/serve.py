"""The app under gunicorn (2 sync workers) on 127.0.0.1, as a deployment would serve it,
stopped by its own pid however the benchmark ends."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .database import DATA, ROOT, label

# Rate limits guard logins and enrolment; the benchmark logs in a few times from one address.
APP = 'course_app:create_app({"RATELIMIT_ENABLED": False})'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, database_url: str, port: int, workers: int = 2, timeout: int = 300):
        self.url = database_url
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.workers = workers
        self.timeout = timeout
        self.log = DATA / f"gunicorn-{label(database_url)}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        DATA.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, DATABASE_URL=self.url,
                   SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret-key"),
                   PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "gunicorn", "-w", str(self.workers),
                   "-b", f"127.0.0.1:{self.port}", "--no-control-socket",
                   "--timeout", str(self.timeout), "--chdir", str(ROOT), APP]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log,
                                            start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}:\n{tail(self.log)}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer /healthz in {seconds:.0f}s; see {self.log}")

    def __exit__(self, *_exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # gunicorn's master stops its own workers
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # the group is the one started here: master and workers
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
