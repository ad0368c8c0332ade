"""The lexical ranker (TF-IDF nearest neighbours over the NLU examples) and how the router blends it."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.crisis import CrisisDetector
from routing.decision import RankingPolicy, Router
from routing.lexical import LexicalRanker, load_nlu_examples, sudachi_analyzer
from routing.rasa_client import IntentScore, NluResult
from routing.windows import NeedMap
from routing.wiring import NLU_DIR
from tests.routing.test_decision import UnreachableRasa, nlu

EXAMPLES = [
    ("母の介護に疲れた", "elderly_care"),
    ("父が認知症で介護が必要", "elderly_care"),
    ("介護保険の申請をしたい", "elderly_care"),
    ("生活保護を申請したい", "public_assistance"),
    ("お金がなくて生活保護を受けたい", "public_assistance"),
    ("家賃が払えない", "living_hardship"),
    ("仕事を失って生活が苦しい", "living_hardship"),
    ("子どもが学校に行かない", "school"),
    ("息子が不登校になった", "school"),
]


@pytest.fixture(scope="module")
def ranker() -> LexicalRanker:
    return LexicalRanker(EXAMPLES, analyzer=sudachi_analyzer())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("祖母の介護がつらい", "elderly_care"),
        ("生活保護の申請はどこで", "public_assistance"),
        ("家賃を払えなくて困っている", "living_hardship"),
        ("娘が不登校です", "school"),
        ("こどもが学校へいかない", "school"),
    ],
)
def test_lexical_ranker_puts_the_closest_intent_first(ranker: LexicalRanker, text: str, expected: str) -> None:
    scores = ranker.scores(text)
    assert max(scores, key=scores.__getitem__) == expected
    assert sum(scores.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("text", ["", "xyz", "！！！"])
def test_lexical_ranker_has_no_opinion_on_unknown_text(ranker: LexicalRanker, text: str) -> None:
    assert ranker.scores(text) == {}


def test_nlu_examples_drop_entity_annotations_and_lookups(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: school\n    examples: |\n      - [息子](affected)が不登校\n'
        "      - 学校がつらい\n  - lookup: affected\n    examples: |\n      - 息子\n",
        encoding="utf-8",
    )
    assert load_nlu_examples([tmp_path / "a.yml"]) == [("息子が不登校", "school"), ("学校がつらい", "school")]


def test_the_project_training_files_load() -> None:
    examples = load_nlu_examples(NLU_DIR.glob("*.yml"))
    assert len(examples) > 1000
    assert {"elderly_care", "out_of_scope", "greet"} <= {intent for _, intent in examples}


@pytest.fixture
def blending(needs: NeedMap, crisis_detector: CrisisDetector) -> Router:
    return Router(UnreachableRasa(), needs, crisis_detector, RankingPolicy(lexical_weight=1.0))


LEXICAL = {"school": 0.5, "living_hardship": 0.4, "elderly_care": 0.1}


@pytest.mark.parametrize(
    ("lexical", "weight", "expected"),
    [
        # DIET alone: its near-zero 2nd/3rd intents order the rest
        (None, 1.0, ("chiiki-houkatsu", "kouken-center", "kikan-soudan")),
        ({}, 1.0, ("chiiki-houkatsu", "kouken-center", "kikan-soudan")),
        (LEXICAL, 0.0, ("chiiki-houkatsu", "kouken-center", "kikan-soudan")),
        # the lexical opinion fills windows 2 and 3 with needs DIET left out of its ranking
        (LEXICAL, 1.0, ("chiiki-houkatsu", "kyouiku-soudan", "jiritsu-soudan")),
    ],
)
def test_lexical_scores_reorder_the_windows_after_a_confident_top(
    needs: NeedMap, crisis_detector: CrisisDetector, lexical: dict[str, float] | None, weight: float,
    expected: tuple[str, ...],
) -> None:
    router = Router(UnreachableRasa(), needs, crisis_detector, RankingPolicy(lexical_weight=weight))
    diet = nlu(("elderly_care", 0.95), ("guardianship", 0.03), ("disability", 0.02))
    decision = router.combine(crisis_detector.assess("母の介護のこと"), diet, lexical)
    assert decision.windows == expected
    assert decision.intent == "elderly_care"


@pytest.mark.parametrize("text", ["死にたい", "夫に殴られている"])
def test_crisis_window_still_comes_first_with_the_lexical_blend(
    blending: Router, crisis_detector: CrisisDetector, text: str
) -> None:
    assessment = crisis_detector.assess(text)
    assert assessment.is_crisis
    plain = Router(UnreachableRasa(), blending._needs, crisis_detector).combine(
        assessment, nlu(("welfare_loan", 0.45), ("mental_health", 0.1))
    )
    decision = blending.combine(
        assessment, nlu(("welfare_loan", 0.45), ("mental_health", 0.1)), {"welfare_loan": 0.5, "school": 0.5}
    )
    assert decision.crisis and decision.crisis_lines
    assert decision.windows[0] == plain.windows[0]


@pytest.mark.parametrize(
    ("text", "ranking"),
    [
        ("ごみの日", (("out_of_scope", 0.8), ("elderly_care", 0.2))),
        ("こんにちは", (("greet", 0.9), ("elderly_care", 0.1))),
    ],
)
def test_out_of_scope_and_conversation_stay_without_windows(
    blending: Router, crisis_detector: CrisisDetector, text: str, ranking: tuple[tuple[str, float], ...]
) -> None:
    decision = blending.combine(crisis_detector.assess(text), nlu(*ranking), {"elderly_care": 1.0})
    assert decision.windows == ()


def test_the_decision_is_a_pure_function_of_its_inputs(blending: Router, crisis_detector: CrisisDetector) -> None:
    args = (crisis_detector.assess("家賃が払えない"), NluResult(IntentScore("living_hardship", 0.9),
            (IntentScore("living_hardship", 0.9),)), {"public_assistance": 0.8})
    assert blending.combine(*args) == blending.combine(*args)
