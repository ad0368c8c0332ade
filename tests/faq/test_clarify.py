"""Clarifying questions and resolving the caller's answer."""

from __future__ import annotations

import pytest

from faq import Faq, clarify_question, load_kb, resolve_clarify

KB = load_kb()
KOTEI, KEIJI = KB["KOTEI-003"], KB["KEIJI-002"]  # 固定資産税の納期 / 軽自動車税の納期
SHOMEI_KAZEI, SHOMEI_NOZEI = KB["SHOMEI-001"], KB["SHOMEI-003"]  # same category


def test_question_across_categories_names_the_taxes() -> None:
    assert clarify_question(KOTEI, KEIJI) == "固定資産税のことですか、軽自動車税のことですか"


def test_question_within_a_category_uses_the_questions() -> None:
    question = clarify_question(SHOMEI_KAZEI, SHOMEI_NOZEI)
    assert question.endswith("のことですか")
    assert "課税証明書" in question and "納税証明書" in question
    assert len(question) < 60  # short enough to say on the phone


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("はい", KOTEI),
        ("はい、そうです", KOTEI),
        ("そうそう", KOTEI),
        ("ええ お願いします", KOTEI),
        ("固定資産税です", KOTEI),
        ("こていしさんぜい", KOTEI),
        ("軽自動車税のほうです", KEIJI),
        ("いえ、軽自動車税", KEIJI),
        ("けいじどうしゃぜい", KEIJI),
        ("後の方です", KEIJI),
        ("いいえ", None),
        ("違います", None),
        ("どちらでもないです", None),
        ("", None),
        ("えーと", None),
    ],
)
def test_resolve_clarify(answer: str, expected: Faq | None) -> None:
    assert resolve_clarify(answer, (KOTEI, KEIJI)) == expected
