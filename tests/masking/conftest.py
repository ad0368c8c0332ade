from __future__ import annotations

import json
from pathlib import Path

import pytest

from masking.detection import PiiDetector, build_detector

DATA = Path(__file__).resolve().parent.parent / "data" / "pii"


@pytest.fixture(scope="session")
def detector() -> PiiDetector:
    # One real engine (Presidio + ja_ginza) for the whole session: loading it is the slow part.
    return build_detector()


def load_jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
