"""The TF-IDF intent classifier graph component, trained, stored and loaded in the real Rasa environment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.routing.rasa_server import run_in_rasa_env

pytestmark = pytest.mark.rasa

HELPER = Path(__file__).with_name("rasa_classify.py")

TRAIN = [
    ("母が認知症で介護が大変", "elderly_care"),
    ("父の物忘れがひどくなってきた", "elderly_care"),
    ("祖母の介護保険の申請をしたい", "elderly_care"),
    ("夫に殴られて家にいるのが怖い", "domestic_violence"),
    ("彼氏にスマホを監視されて束縛される", "domestic_violence"),
    ("妻から暴言を毎日言われる", "domestic_violence"),
    ("燃えるごみの収集日を知りたい", "out_of_scope"),
    ("住民税の納付書をなくした", "out_of_scope"),
    ("粗大ごみの出し方", "out_of_scope"),
]
PREDICT = ["おばあちゃんの介護がしんどい", "夫が怖い", "ごみの日はいつ", "🙂"]


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    request = json.dumps({"train": TRAIN, "predict": PREDICT}, ensure_ascii=False)
    return json.loads(run_in_rasa_env(HELPER, request))  # type: ignore[no-any-return]


def test_the_stored_model_is_json_and_numpy_not_pickle(result: dict[str, Any]) -> None:
    assert any(name.endswith(".json") for name in result["files"])
    assert any(name.endswith(".npz") for name in result["files"])
    assert not any(name.endswith((".pkl", ".pickle", ".joblib")) for name in result["files"])


def test_predicts_the_need_from_unseen_wording(result: dict[str, Any]) -> None:
    tops = [ranking[0][0] for ranking in result["rankings"]]
    assert tops[:3] == ["elderly_care", "domestic_violence", "out_of_scope"]


def test_rankings_are_full_distributions_best_first(result: dict[str, Any]) -> None:
    for ranking in result["rankings"]:
        confidences = [c for _, c in ranking]
        assert confidences == sorted(confidences, reverse=True)
        assert sum(confidences) == pytest.approx(1.0, abs=1e-6)
        assert {name for name, _ in ranking} == {"elderly_care", "domestic_violence", "out_of_scope"}


def test_loaded_model_reproduces_scikit_learn(result: dict[str, Any]) -> None:
    # the weights and IDF written to disk and the hand-written softmax give scikit-learn's own probabilities
    for ranking, reference in zip(result["rankings"], result["sklearn"], strict=True):
        ours = dict(ranking)
        for name, probability in zip(result["classes"], reference, strict=True):
            assert ours[name] == pytest.approx(probability, abs=1e-4)


def test_a_message_without_known_features_is_spread_not_certain(result: dict[str, Any]) -> None:
    emoji_only = result["rankings"][3]
    assert emoji_only[0][1] < 0.6
