"""Helpers shared by the test suite."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import pytest

# CI sets MADOGUCHI_TEST_STRICT=1: a test that needs PostgreSQL, Redis, Chromium or Rasa must run there,
# so a missing piece is a failure, not a skip.
STRICT = os.environ.get("MADOGUCHI_TEST_STRICT") == "1"


def skip_or_fail(reason: str) -> NoReturn:
    if STRICT:
        pytest.fail(f"{reason} (MADOGUCHI_TEST_STRICT=1 turns this skip into a failure)")
    pytest.skip(reason)


def require_binary(name: str, *candidates: str) -> str:
    for candidate in (name, *candidates):
        if shutil.which(candidate):
            return str(shutil.which(candidate))
        if os.path.isabs(candidate) and os.access(candidate, os.X_OK):
            return candidate
    skip_or_fail(f"{name} is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any, startup_seconds: float = 60.0) -> Iterator[str]:
    """Run ``app`` with a real uvicorn on a free port of 127.0.0.1 in a thread; yield its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_seconds
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
