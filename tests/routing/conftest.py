"""Fixtures for the welfare routing tests: the directory files and a real Rasa server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from routing.crisis import CrisisDetector
from routing.windows import NeedMap, WindowsDirectory
from routing.wiring import build_crisis_detector
from tests.routing.rasa_server import ROOT, running_rasa_server

WINDOWS_PATH = ROOT / "routing" / "data" / "windows.yaml"
NEEDS_PATH = ROOT / "routing" / "data" / "needs.yaml"
DEV_SET = ROOT / "tests" / "data" / "routing" / "routing_dev.jsonl"


@pytest.fixture(scope="session")
def directory() -> WindowsDirectory:
    return WindowsDirectory.load(WINDOWS_PATH)


@pytest.fixture(scope="session")
def needs(directory: WindowsDirectory) -> NeedMap:
    return NeedMap.load(NEEDS_PATH, directory)


@pytest.fixture(scope="session")
def crisis_detector(directory: WindowsDirectory) -> CrisisDetector:
    """The keyword rules alone."""
    return CrisisDetector(directory)


@pytest.fixture(scope="session")
def shipped_crisis_detector(directory: WindowsDirectory) -> CrisisDetector:
    """What the gateway runs: the rules plus the nearest-neighbour second opinion."""
    return build_crisis_detector(directory)


@pytest.fixture(scope="session")
def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Rasa server with the model `make rasa-model` trained, on a free port of 127.0.0.1."""
    log: Path = tmp_path_factory.mktemp("rasa") / "rasa.log"
    with running_rasa_server(log) as url:
        yield url
