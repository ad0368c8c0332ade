"""Helpers shared by the test suite."""

from __future__ import annotations

import os
import shutil
import socket
from typing import NoReturn

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
