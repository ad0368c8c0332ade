"""The matcher on the development set (a copy of shared/data/faq/faq_dev.jsonl): metric floors.

These are accuracy floors from the issue, not timings. The held-out acceptance set decides; these
catch regressions on the lines we can see.
"""

from __future__ import annotations

import pytest

from faq import FaqMatcher
from faq.evaluation import Example, evaluate, load_examples, prediction, score
from faq.model import Candidate, Decision

from .conftest import DEV_SET


@pytest.fixture(scope="module")
def report(matcher: FaqMatcher):  # type: ignore[no-untyped-def]
    return evaluate(matcher, load_examples(DEV_SET))


def test_dev_set_is_the_full_copy() -> None:
    examples = load_examples(DEV_SET)
    assert len(examples) == 163
    assert {e.style for e in examples} == {"gather", "vosk", "colloquial", "misrecognized", "human_request"}


def test_in_scope_top1(report) -> None:  # type: ignore[no-untyped-def]
    assert report.in_scope_top1 >= 0.92, report.format()


def test_wrong_answer_rate(report) -> None:  # type: ignore[no-untyped-def]
    assert report.wrong_answer_rate <= 0.03, report.format()


def test_out_of_scope_and_human_requests_transferred(report) -> None:  # type: ignore[no-untyped-def]
    assert report.oos_transferred >= 0.90, report.format()
    assert report.by_style["human_request"].transferred == report.by_style["human_request"].out_of_scope


def test_bot_does_not_ask_about_everything(report) -> None:  # type: ignore[no-untyped-def]
    assert report.clarify_rate <= 0.25, report.format()


def test_every_style_reported(report) -> None:  # type: ignore[no-untyped-def]
    text = report.format()
    for style in ("gather", "vosk", "colloquial", "misrecognized", "human_request"):
        assert f"style {style}" in text
    assert "latency per utterance: p50" in text


def _decision(action: str, reason: str, faq_id: str | None, kb_matcher: FaqMatcher) -> Decision:
    faq = kb_matcher.kb.get(faq_id) if faq_id else None
    return Decision(action=action, reason=reason, score=0.5, faq=faq, candidates=(Candidate("X", 0.5),))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("action", "reason", "faq_id", "expected_id"),
    [
        ("answer", "confident", "JUMIN-001", "JUMIN-001"),
        ("clarify", "close_candidates", "JUMIN-001", "JUMIN-001"),
        ("transfer", "transfer_faq", "NOFU-006", "NOFU-006"),
        ("transfer", "low_confidence", None, None),
        ("transfer", "human_request", None, None),
    ],
)
def test_prediction_record(
    matcher: FaqMatcher, action: str, reason: str, faq_id: str | None, expected_id: str | None
) -> None:
    record = prediction(_decision(action, reason, faq_id, matcher))
    assert record == {"faq_id": expected_id, "score": 0.5, "action": action}


def test_scoring_follows_the_acceptance_rules(matcher: FaqMatcher) -> None:
    examples = [
        Example("a", "JUMIN-001", "gather"),  # answered right
        Example("b", "JUMIN-001", "gather"),  # answered wrong
        Example("c", "NOFU-006", "vosk"),  # transfer FAQ recognised
        Example("d", "JUMIN-001", "vosk"),  # clarified with the right first option
        Example("e", None, "gather"),  # out of scope, answered: wrong
        Example("f", None, "human_request"),  # transferred
    ]
    predictions = [
        {"faq_id": "JUMIN-001", "action": "answer"},
        {"faq_id": "JUMIN-002", "action": "answer"},
        {"faq_id": "NOFU-006", "action": "transfer"},
        {"faq_id": "JUMIN-001", "action": "clarify"},
        {"faq_id": "JUMIN-003", "action": "answer"},
        {"faq_id": None, "action": "transfer"},
    ]
    report = score(examples, predictions, matcher.kb)
    assert (report.correct, report.in_scope) == (3, 4)
    assert report.wrong == 2
    assert (report.transferred, report.out_of_scope) == (1, 2)
