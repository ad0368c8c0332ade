"""Phone numbers in every written and spoken form: fixed lines (10 digits), mobile and IP phones
(070/080/090/060/050, 11 digits), free dial (0120, 0800), navi dial (0570)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import PHONE_NUMBER
from masking.detection.recognizers.base import JaRecognizer, before, has_cue, number_runs

CUES = ("電話", "携帯", "ケータイ", "TEL", "Tel", "tel", "ＴＥＬ", "連絡", "FAX", "ファックス")
MOBILE_PREFIXES = ("070", "080", "090", "060", "050", "0800")


def looks_like_phone(digits: str) -> bool:
    if not digits.startswith("0") or digits.startswith("00"):
        return False
    if len(digits) == 11:
        return digits.startswith(MOBILE_PREFIXES)
    return len(digits) == 10


_WEAK_TAIL = re.compile(r"[ \u3000]+(?:に|で|ご|さん|し|く)$")


class PhoneRecognizer(JaRecognizer):
    ENTITIES = (PHONE_NUMBER,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        for run in number_runs(text):
            if run.quantity:
                continue
            end = run.end
            if not looks_like_phone(run.digits):
                tail = _WEAK_TAIL.search(text, run.start, run.end)
                if not (tail and looks_like_phone(run.digits[:-1])):
                    continue
                end = tail.start()  # 「… はち に かけて」: に was the particle
            run = dataclasses.replace(run, end=end)
            context = has_cue(before(text, run.start, lines=1, limit=50), CUES)
            grouped = len(run.groups) >= 3
            score = 0.95 if context else (0.8 if grouped or run.digits.startswith(MOBILE_PREFIXES) else 0.6)
            yield self.result(PHONE_NUMBER, run.start, run.end, score)
