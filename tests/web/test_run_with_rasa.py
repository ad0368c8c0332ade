"""`madoguchi run --with rasa=…` (what `make run` does): the web app's /readyz then checks the Rasa server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import free_port

# Stands in for `make rasa` here (training and loading a model takes minutes): an HTTP server that
# answers GET / with 200 like Rasa does.
STAND_IN = (
    "import http.server, sys; "
    "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), http.server.SimpleHTTPRequestHandler).serve_forever()"
)


def _readyz(url: str, deadline: float) -> httpx.Response:
    while True:
        try:
            return httpx.get(url + "/readyz", timeout=5)
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_readyz_checks_the_supervised_rasa_server(tmp_path: Path) -> None:
    port, rasa_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
    env |= {"MADOGUCHI_DATA_DIR": str(tmp_path / "var"), "MADOGUCHI_ENV": "development",
            "MADOGUCHI_RASA_URL": f"http://127.0.0.1:{rasa_port}"}
    rasa = f"rasa={sys.executable} -c \"{STAND_IN}\" {rasa_port}"
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "run", "--port", str(port), "--no-worker",
                                "--with", rasa], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        body = _readyz(url, deadline).json()
        while body["checks"].get("rasa") != "ok" and time.monotonic() < deadline:
            time.sleep(0.5)
            body = _readyz(url, deadline).json()
        assert body["checks"]["rasa"] == "ok"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
