"""The crisis layer on whole labelled sets, and the pieces that make it generalize: the reading pass
(one kana pattern covers kanji, kana and spaced やさしい日本語) and the figurative-speech filter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routing.crisis import CrisisDetector, ReadingConverter, normalise

DATA = Path(__file__).resolve().parents[1] / "data" / "routing"
# crisis_blind*: written by people who had not seen the rules. Their recall BEFORE the rules were fixed for
# what they showed (2026-11-28): crisis_blind 0.550, crisis_blind2 (dialect, slang, understatement) 0.400.
# Both are now regression sets, no longer blind. routing_fresh: the independent routing set. crisis_blind3 was
# never used to change a rule (rules alone 0.600 on it).
SETS = ["crisis_blind.jsonl", "crisis_blind2.jsonl", "routing_fresh.jsonl", "routing_dev.jsonl"]
# still blind to the rules: kept for measuring what the rules miss on new wording
BLIND = "crisis_blind3.jsonl"
BLIND4 = "crisis_blind4.jsonl"


def _rows(name: str) -> list[dict[str, object]]:
    path = DATA / name
    if not path.exists():
        pytest.fail(f"{path} is missing")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", SETS)
def test_every_crisis_message_is_caught_by_the_rules(crisis_detector: CrisisDetector, name: str) -> None:
    missed = [r["text"] for r in _rows(name) if r["crisis"] and not crisis_detector.assess(str(r["text"])).is_crisis]
    assert missed == []


@pytest.mark.parametrize("name", [*SETS, BLIND, BLIND4])
def test_false_alarms_stay_rare(shipped_crisis_detector: CrisisDetector, name: str) -> None:
    rows = _rows(name)
    flagged = [r for r in rows if shipped_crisis_detector.assess(str(r["text"])).is_crisis]
    precision = sum(bool(r["crisis"]) for r in flagged) / max(len(flagged), 1)
    assert precision >= 0.7, [r["text"] for r in flagged if not r["crisis"]]


# measured 2026-11-28 (never used to fix a rule): blind3 rules 0.600 → rules + model 0.967;
# blind4 (written to the dev convention) rules 0.920 → rules + model 1.000
@pytest.mark.parametrize(("name", "rules_below", "shipped_at_least"), [(BLIND, 0.8, 0.9), (BLIND4, 1.0, 0.96)])
def test_the_second_opinion_catches_what_the_rules_miss_on_blind_sets(
    crisis_detector: CrisisDetector,
    shipped_crisis_detector: CrisisDetector,
    name: str,
    rules_below: float,
    shipped_at_least: float,
) -> None:
    crises = [str(r["text"]) for r in _rows(name) if r["crisis"]]
    rules = sum(crisis_detector.assess(text).is_crisis for text in crises) / len(crises)
    shipped = sum(shipped_crisis_detector.assess(text).is_crisis for text in crises) / len(crises)
    assert rules < rules_below
    assert shipped >= shipped_at_least


def test_reading_turns_kanji_and_kana_into_one_spelling() -> None:
    reading = ReadingConverter()
    assert reading(normalise("夫が殴っています")) == reading(normalise("おっと が なぐって います"))
    assert "なぐって" in reading(normalise("殴って"))


@pytest.mark.parametrize(
    "text",
    [
        "おっと が いま わたし を なぐって います",
        "ぜんぶ おわりに したい",
        "いきて いたく ない",
        "おばあちゃん が いき を して いない",
    ],
)
def test_spaced_kana_messages_are_caught(crisis_detector: CrisisDetector, text: str) -> None:
    assert crisis_detector.assess(text).is_crisis


@pytest.mark.parametrize(
    "text",
    [
        "仕事が死ぬほど忙しい",
        "昨日の漫才で笑い死にするかと思った",
        "殺人的な暑さで外に出られない",
        "息子がゲームで殺されたと泣いて怒る",
        "がっこう いきたくない",  # 行きたくない, not 生きたくない
        "兄が自ら命を絶ちました。家族としての気持ちの整理がつきません",  # bereaved, not at risk now
        "母が倒れたらどうなるのか心配です",  # a conditional, not an emergency
        "市のストーカー対策講座に申し込みたい",
        "包丁研ぎの講習会はありますか",
    ],
)
def test_figurative_and_conditional_speech_is_not_a_crisis(crisis_detector: CrisisDetector, text: str) -> None:
    assert not crisis_detector.assess(text).is_crisis


def test_the_reading_pass_is_safe_from_several_threads(shipped_crisis_detector: CrisisDetector) -> None:
    # the gateway answers in a thread pool; a shared Sudachi tokenizer raised "Already borrowed" without a lock
    from concurrent.futures import ThreadPoolExecutor

    texts = ["もう消えたい", "母の介護のことで相談したい", "おっと が いま なぐって います"] * 40
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda text: shipped_crisis_detector.assess(text).is_crisis, texts))
    assert results == [True, False, True] * 40
