"""The Sudachi tokenizer graph component, run inside the real Rasa environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.routing.rasa_server import run_in_rasa_env

pytestmark = pytest.mark.rasa

HELPER = Path(__file__).with_name("rasa_tokenize.py")

CASES: list[tuple[str, list[str], list[str]]] = [
    # (text, surfaces, lemmas) — punctuation and spaces are dropped; lemmas are normalized forms
    ("もう消えたい。", ["もう", "消え", "たい"], ["もう", "消える", "たい"]),
    ("こどもを ほいくえんに", ["こども", "を", "ほいく", "えん", "に"], ["子供", "を", "保育", "えん", "に"]),
    ("ひきこもりの息子", ["ひきこもり", "の", "息子"], ["引き籠もり", "の", "息子"]),
    ("ＤＶで悩む", ["ＤＶ", "で", "悩む"], ["dv", "で", "悩む"]),
    ("I need help", ["I", "need", "help"], ["i", "need", "help"]),
]


@pytest.fixture(scope="module")
def tokenized() -> list[list[list[object]]]:
    return json.loads(run_in_rasa_env(HELPER, json.dumps([text for text, _, _ in CASES])))  # type: ignore[no-any-return]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_tokens_and_lemmas(tokenized: list[list[list[object]]], index: int) -> None:
    text, surfaces, lemmas = CASES[index]
    tokens = tokenized[index]
    assert [t[0] for t in tokens] == surfaces
    assert [t[1] for t in tokens] == lemmas
    # offsets point back into the original text
    assert all(text[int(t[2]) : int(t[3])] == t[0] for t in tokens)  # type: ignore[call-overload]
