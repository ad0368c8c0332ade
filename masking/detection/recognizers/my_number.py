"""個人番号 (My Number): 12 digits with a check digit; a failing check digit is still masked when
the context says マイナンバー/個人番号 (a typo or an ASR mishearing is still a My Number)."""

from __future__ import annotations

from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import MY_NUMBER
from masking.detection.recognizers.base import JaRecognizer, before, has_cue, number_runs

CUES = ("マイナンバー", "個人番号", "こじんばんごう", "マイナ")
WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def check_digit_ok(digits: str) -> bool:
    if len(digits) != 12 or not digits.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(digits[:11], WEIGHTS, strict=True)) % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


class MyNumberRecognizer(JaRecognizer):
    ENTITIES = (MY_NUMBER,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        for run in number_runs(text):
            if run.quantity:
                continue
            if len(run.digits) != 12:
                continue
            context = has_cue(before(text, run.start, lines=2, limit=80), CUES)
            if check_digit_ok(run.digits):
                score = 1.0 if context else 0.9
            elif context:
                score = 0.85
            elif run.groups == (4, 4, 4):
                score = 0.6  # printed like a My Number card, digits misread
            else:
                continue
            yield self.result(MY_NUMBER, run.start, run.end, score)
