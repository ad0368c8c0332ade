"""Decision rules on a small hand-made KB (explicit thresholds) and on the bundled KB (calibrated)."""

from __future__ import annotations

import pytest

from faq import Decision, Faq, FaqMatcher, KnowledgeBase, Thresholds
from faq.analysis import Analyzer


def _faq(faq_id: str, category: str, question: str, variants: tuple[str, ...], transfer: bool = False) -> Faq:
    return Faq(
        id=faq_id,
        category=category,
        question=question,
        variants=variants,
        answer_voice=f"{question}の答えです。",
        answer_text=f"{question}の答えです。",
        department="市民税課",
        transfer=transfer,
    )


SMALL_KB = KnowledgeBase(
    city="テスト市",
    faqs=(
        _faq(
            "KOTEI-NOKI",
            "固定資産税・都市計画税",
            "固定資産税の納期はいつですか",
            ("固定資産税の支払い期限を知りたい",),
        ),
        _faq("KEIJI-NOKI", "軽自動車税", "軽自動車税の納期はいつですか", ("軽自動車税の支払い期限を知りたい",)),
        _faq(
            "NOFU-SAIHAKKO",
            "納付方法",
            "納付書をなくしたので再発行してほしい",
            ("納付書を紛失しました",),
            transfer=True,
        ),
        _faq("NOFU-CONBINI", "納付方法", "税金をコンビニで払えますか", ("コンビニで住民税を払いたい",)),
    ),
)
SMALL_THRESHOLDS = Thresholds(answer=0.2, margin=0.15, clarify=0.05, clarify_margin=0.15)


@pytest.fixture(scope="module")
def small(analyzer: Analyzer) -> FaqMatcher:
    return FaqMatcher(SMALL_KB, SMALL_THRESHOLDS, analyzer=analyzer)


@pytest.mark.parametrize(
    ("text", "action", "reason", "faq_id"),
    [
        ("人と話したいです", "transfer", "human_request", None),
        ("オペレーターにつないで", "transfer", "human_request", None),
        ("", "transfer", "empty", None),
        ("えーと、あのー", "transfer", "empty", None),
        ("。。。", "transfer", "empty", None),
        ("納付書をなくしました", "transfer", "transfer_faq", "NOFU-SAIHAKKO"),
        ("ローソンで税金を払えますか", "answer", "confident", "NOFU-CONBINI"),
        ("固定資産税の納期はいつですか", "answer", "confident", "KOTEI-NOKI"),
        ("税金の納期はいつですか", "clarify", "close_candidates", None),
        ("燃えるゴミの収集日は何曜日ですか", "transfer", "out_of_scope", None),
        ("今日はいい天気ですね", "transfer", "low_confidence", None),
    ],
)
def test_rules_on_small_kb(small: FaqMatcher, text: str, action: str, reason: str, faq_id: str | None) -> None:
    decision = small.decide(text)
    assert (decision.action, decision.reason) == (action, reason), decision
    if faq_id is not None:
        assert decision.faq_id == faq_id
    if action == "transfer" and reason != "transfer_faq":
        assert decision.faq is None


def test_close_candidates_ask_an_either_or_question(small: FaqMatcher) -> None:
    decision = small.decide("税金の納期はいつですか")
    assert decision.clarify_options is not None
    first, second = decision.clarify_options
    assert {first.id, second.id} == {"KOTEI-NOKI", "KEIJI-NOKI"}
    assert decision.faq == first
    assert decision.clarify_question in (
        "固定資産税のことですか、軽自動車税のことですか",
        "軽自動車税のことですか、固定資産税のことですか",
    )


def test_unsure_asks_to_confirm_the_best(analyzer: Analyzer) -> None:
    # answer threshold out of reach, clarify threshold low: the clear winner is confirmed, not answered
    matcher = FaqMatcher(
        SMALL_KB, Thresholds(answer=1.0, margin=0.15, clarify=0.01, clarify_margin=0.15), analyzer=analyzer
    )
    decision = matcher.decide("コンビニで税金を払えますか")
    assert (decision.action, decision.reason) == ("clarify", "unsure")
    assert decision.faq is not None and decision.faq.id == "NOFU-CONBINI"
    assert decision.clarify_question is not None and decision.clarify_question.endswith("のことですか")
    assert "、" not in decision.clarify_question  # one option: a yes/no question


def test_out_of_scope_names_the_office(small: FaqMatcher) -> None:
    decision = small.decide("燃えるゴミの収集日は何曜日ですか")
    assert decision.referral is not None
    assert decision.referral.department == "環境課"


def test_out_of_scope_directory_can_be_disabled(analyzer: Analyzer) -> None:
    matcher = FaqMatcher(SMALL_KB, SMALL_THRESHOLDS, analyzer=analyzer, scope_path=None)
    decision = matcher.decide("燃えるゴミの収集日は何曜日ですか")
    assert decision.action == "transfer" and decision.reason == "low_confidence"


def test_candidates_are_best_first(small: FaqMatcher) -> None:
    decision = small.decide("税金の納期はいつですか")
    scores = [c.score for c in decision.candidates]
    assert scores == sorted(scores, reverse=True)
    assert len(decision.candidates) == len(SMALL_KB)


@pytest.mark.parametrize(
    ("text", "action", "reason", "faq_id"),
    [
        ("固定資産税の納期はいつですか", "answer", "confident", "KOTEI-003"),
        ("納付書をなくしたので再発行してほしい", "transfer", "transfer_faq", "NOFU-006"),
        ("係りの人お願いします", "transfer", "human_request", None),
        ("燃えるゴミの収集日は何曜日ですか", "transfer", "out_of_scope", None),
        ("贈与税の申告はどこでするんですか", "transfer", "out_of_scope", None),
    ],
)
def test_rules_on_bundled_kb(matcher: FaqMatcher, text: str, action: str, reason: str, faq_id: str | None) -> None:
    decision: Decision = matcher.decide(text)
    assert (decision.action, decision.reason, decision.faq_id) == (action, reason, faq_id)


def test_speech_hints(matcher: FaqMatcher) -> None:
    hints = matcher.speech_hints(limit=30)
    assert len(hints) == 30
    assert "固定資産税" in hints
    assert len(set(hints)) == len(hints)


def test_a_question_naming_no_tax_asks_which_tax(matcher: FaqMatcher) -> None:
    """「税金の納期は」 fits the 納期 FAQ of every tax: the bot asks instead of picking one."""
    decision = matcher.decide("税金の納期はいつですか")
    assert (decision.action, decision.reason) == ("clarify", "close_candidates")
    assert decision.clarify_options is not None
    first, second = decision.clarify_options
    assert first.category != second.category
    assert decision.clarify_question == f"{first.category}のことですか、{second.category}のことですか"


def test_topic_margin_zero_disables_the_tax_question(analyzer: Analyzer) -> None:
    from faq import load_kb

    strict = FaqMatcher(load_kb(), Thresholds(topic_margin=0.0), analyzer=analyzer)
    assert strict.decide("税金の納期はいつですか").action == "answer"
