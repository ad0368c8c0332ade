"""The crisis layer's nearest-neighbour second opinion (routing/crisis_model.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.crisis import CrisisDetector, CrisisKind, ReadingConverter
from routing.crisis_model import (
    CALM,
    DEFAULT_EXAMPLES,
    KINDS,
    CrisisModelSettings,
    CrisisNeighbours,
    crisis_analyzer,
    load_examples,
    training_examples,
)
from routing.errors import DirectoryError
from routing.windows import WindowsDirectory
from routing.wiring import NLU_DIR, nlu_examples


def test_decide_needs_both_the_margin_over_calm_and_the_floor() -> None:
    settings = CrisisModelSettings(margin=0.02, floor=0.1)
    assert CrisisNeighbours.decide({"suicide": 0.30, "medical": 0.1, CALM: 0.25}, settings) == "suicide"
    assert CrisisNeighbours.decide({"suicide": 0.30, CALM: 0.29}, settings) is None  # not clearly closer
    assert CrisisNeighbours.decide({"child": 0.08, CALM: 0.0}, settings) is None  # far from everything
    assert CrisisNeighbours.decide({"child": 0.2, CALM: 0.0}, settings) == "child_danger"


def test_every_example_label_is_a_crisis_kind_or_calm() -> None:
    labels = {label for _, label in load_examples()}
    assert labels == {*KINDS, CALM}
    assert {CrisisKind(value) for value in KINDS.values()}  # each maps onto the rules' kinds


def test_everyday_nlu_lines_join_the_calm_examples_but_not_the_dangerous_intents() -> None:
    written = load_examples()
    combined = training_examples(DEFAULT_EXAMPLES, nlu_examples(NLU_DIR))
    extra = combined[len(written):]
    assert len(extra) > 1000 and {label for _, label in extra} == {CALM}


def test_a_broken_examples_file_says_which_file(tmp_path: Path) -> None:
    path = tmp_path / "crisis_examples.yaml"
    path.write_text("examples:\n  suicide: ['x']\n  panic: ['y']\n  calm: ['z']\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match="panic"):
        load_examples(path)


@pytest.fixture(scope="module")
def model() -> CrisisNeighbours:
    examples = training_examples(DEFAULT_EXAMPLES, nlu_examples(NLU_DIR))
    return CrisisNeighbours(examples, crisis_analyzer(ReadingConverter()))


def test_the_model_only_speaks_when_the_rules_are_silent(directory: WindowsDirectory, model: CrisisNeighbours) -> None:
    # a rule fires: the rule's kind wins, the model is not asked
    asked: list[str] = []

    def spy(text: str) -> str | None:
        asked.append(text)
        return model.kind(text)

    detector = CrisisDetector(directory, model=spy)
    assert CrisisKind.SUICIDE in detector.assess("死にたい").kinds
    assert asked == []
    detector.assess("来週の健診の予約をしたい")
    assert asked == ["来週の健診の予約をしたい"]


@pytest.mark.parametrize(
    "text",
    ["住民票の写しを取りたい", "保育園の入園申し込みの締め切りはいつですか", "介護保険の申請の仕方を教えてください"],
)
def test_everyday_questions_stay_calm(model: CrisisNeighbours, text: str) -> None:
    assert model.kind(text) is None
