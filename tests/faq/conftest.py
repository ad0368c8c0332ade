"""Shared fixtures: one analyzer (it holds the tokenizer) and the bundled KB's matcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq import FaqMatcher, load_kb
from faq.analysis import Analyzer

DEV_SET = Path(__file__).resolve().parent.parent / "data" / "faq" / "faq_dev.jsonl"


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="session")
def matcher(analyzer: Analyzer) -> FaqMatcher:
    return FaqMatcher(load_kb(), analyzer=analyzer)
