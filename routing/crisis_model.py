"""A learned second opinion for the crisis layer: nearest neighbours among written crisis examples.

The keyword rules (routing/crisis.py) catch the wording they were written for; on messages written by
people who had not seen them they caught 40–60 % of the crises. This model compares a message with
examples of each crisis kind and with hard "calm" examples that share their words (a suicide attempt
years ago, 死ぬほど忙しい, a leaflet about where to report abuse). It says "crisis" only when the message is
closer to a crisis kind than to the calm examples by a margin and close enough in absolute terms.

Features: Sudachi normalized forms, character 2–3-grams of the text and of its kana reading (so
kanji, kana and spaced やさしい日本語 spellings meet), TF-IDF, cosine to the k nearest examples of each
kind (routing/lexical.py). The examples are routing/data/crisis_examples.yaml; the margin and floor are
calibrated by cross-validation on those examples only (routing/rasa/tools/calibrate_crisis.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from routing.errors import DirectoryError
from routing.lexical import LexicalRanker, char_ngrams

CALM = "calm"
# example labels in crisis_examples.yaml → the crisis kinds of routing/crisis.py (by value)
KINDS = {"suicide": "suicide", "violence": "violence", "child": "child_danger", "medical": "medical"}
DEFAULT_EXAMPLES = Path(__file__).resolve().parent / "data" / "crisis_examples.yaml"


@dataclass(frozen=True)
class CrisisModelSettings:
    neighbours: int = 3
    # the best crisis kind's similarity minus the calm examples' similarity must reach this; negative: a
    # message a little closer to calm examples still counts (a missed crisis costs more than an extra card)
    margin: float = 0.0
    # and the best crisis kind's similarity itself must reach this (far from every example: no opinion)
    floor: float = 0.05
    # both chosen by routing/rasa/tools/calibrate_crisis.py (5-fold CV on the training examples only)


def load_examples(path: Path = DEFAULT_EXAMPLES) -> list[tuple[str, str]]:
    """(text, label) pairs; labels are the KINDS keys and "calm"."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DirectoryError(f"{path}: cannot read the crisis examples ({exc})") from exc
    groups = raw.get("examples") if isinstance(raw, dict) else None
    if not isinstance(groups, dict) or CALM not in groups:
        raise DirectoryError(f"{path}: expected 'examples' with crisis kinds and 'calm'")
    pairs: list[tuple[str, str]] = []
    for label, texts in groups.items():
        if label != CALM and label not in KINDS:
            raise DirectoryError(f"{path}: unknown crisis example label {label!r}")
        pairs.extend((str(text), str(label)) for text in texts or ())
    return pairs


# Rasa NLU intents whose training lines are ordinary welfare worries, used as extra "calm" examples so
# the model learns what everyday consultations look like. Left out: the intents whose lines may describe a
# danger now (emergencies, violence, abuse, suicidal feelings, elder care with abuse).
CRISIS_ADJACENT_INTENTS = frozenset({
    "ambulance", "police_emergency", "medical_advice", "domestic_violence", "dv_hotline", "dv_remote",
    "child_abuse", "child_sos", "child_welfare", "elderly_care", "mental_health", "phone_counseling",
    "anytime_hotline",
})


def training_examples(
    examples_path: Path = DEFAULT_EXAMPLES, nlu_examples: Sequence[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    """The written crisis examples, plus the everyday lines among the Rasa NLU (text, intent) examples as
    calm examples."""
    pairs = load_examples(examples_path)
    pairs += [(text, CALM) for text, intent in nlu_examples if intent not in CRISIS_ADJACENT_INTENTS]
    return pairs


def crisis_analyzer(reading: Callable[[str], str]) -> Callable[[str], list[str]]:
    """Sudachi normalized forms + character 2–3-grams of the text and of its kana reading."""
    from routing.crisis import normalise
    from routing.lexical import sudachi_analyzer

    words_and_chars = sudachi_analyzer()

    def analyze(text: str) -> list[str]:
        flat = normalise(text)
        spoken = [f"r{gram}" for gram in char_ngrams(reading(flat))]
        return words_and_chars(text) + spoken

    return analyze


class CrisisNeighbours:
    """Which crisis kind (a KINDS value), if any, the nearest written examples suggest."""

    def __init__(
        self,
        examples: Sequence[tuple[str, str]],
        analyzer: Callable[[str], list[str]],
        settings: CrisisModelSettings | None = None,
    ) -> None:
        self.settings = settings or CrisisModelSettings()
        self._ranker = LexicalRanker(examples, analyzer, neighbours=self.settings.neighbours)

    def similarities(self, text: str) -> dict[str, float]:
        return self._ranker.similarities(text)

    def kind(self, text: str) -> str | None:
        return self.decide(self.similarities(text), self.settings)

    @staticmethod
    def decide(similarities: dict[str, float], settings: CrisisModelSettings) -> str | None:
        crisis = {label: value for label, value in similarities.items() if label != CALM}
        if not crisis:
            return None
        label = max(crisis, key=crisis.__getitem__)
        best = crisis[label]
        if best < settings.floor or best - similarities.get(CALM, 0.0) < settings.margin:
            return None
        return KINDS[label]
