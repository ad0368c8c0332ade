"""Start the project's real Rasa server (trained by `make rasa-model`) for the test session."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support import free_port, skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
RASA_DIR = ROOT / "routing" / "rasa"
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
MODEL = RASA_DIR / "models" / "welfare-routing.tar.gz"
STARTUP_SECONDS = 300


def require_rasa_env() -> Path:
    if not RASA_PYTHON.exists():
        skip_or_fail("the Rasa environment .venv-rasa is missing (run `make rasa-venv`)")
    return RASA_PYTHON


def run_in_rasa_env(helper: Path, stdin: str, timeout_seconds: float = 300) -> str:
    """Run a helper script with the Rasa environment's Python 3.10; its last stdout line (JSON)."""
    python = require_rasa_env()
    result = subprocess.run(
        [str(python), str(helper)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout_seconds,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


@contextmanager
def running_rasa_server(log_path: Path) -> Iterator[str]:
    require_rasa_env()
    if not MODEL.exists():
        skip_or_fail(f"no trained Rasa model at {MODEL} (run `make rasa-model`)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(RASA_BIN), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(port), "--model", str(MODEL)],
            cwd=RASA_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"Rasa server exited with {process.returncode}; see {log_path}")
                try:
                    if httpx.get(url + "/", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Rasa server did not answer within {STARTUP_SECONDS}s; see {log_path}")
                time.sleep(1)
            yield url
        finally:
            # Rasa's server stops cleanly on Ctrl-C (SIGINT); SIGTERM is not always honoured
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
