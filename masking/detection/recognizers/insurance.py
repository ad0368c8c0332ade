"""Insurance and pension numbers: 介護保険被保険者番号 (10 digits, 000… for most municipalities),
基礎年金番号 (4-6), health insurance 記号/番号 (given separately, two spans), 国保 numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import INSURANCE_ID
from masking.detection.recognizers.base import JaRecognizer, before, has_cue, number_runs
from masking.detection.recognizers.phone import looks_like_phone

PHONE_CUES = ("電話", "携帯", "TEL", "Tel", "tel", "連絡先")

CUES = ("保険", "年金", "被保険者", "保険証", "国保", "介護", "手帳番号", "被保")
# 「記号が5102、番号が38」: a labelled number right after 記号/番号.
_LABELLED = re.compile(r"(?:記号|番号|枝番)\s*(?:は|が|:|：)?\s*$")


class InsuranceRecognizer(JaRecognizer):
    ENTITIES = (INSURANCE_ID,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        for run in number_runs(text):
            if run.quantity:
                continue
            window = before(text, run.start, lines=2, limit=80)
            context = has_cue(window, CUES)
            digits = run.digits
            if len(digits) == 10 and digits.startswith("000"):
                score = 0.95 if context else 0.8
            elif run.groups == (4, 6):
                score = 0.9 if context else 0.7  # 基礎年金番号
            elif context and 6 <= len(digits) != 12 and not (looks_like_phone(digits) and has_cue(window, PHONE_CUES)):
                score = 0.8
            elif context and _LABELLED.search(text[max(0, run.start - 8) : run.start]):
                score = 0.75
            else:
                continue
            yield self.result(INSURANCE_ID, run.start, run.end, score)
