"""郵便番号: 3+4 digits, after 〒 or 郵便番号, or right before an address."""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import POSTAL_CODE
from masking.detection.recognizers.base import JaRecognizer, after, before, has_cue, number_runs

CUES = ("〒", "郵便番号", "郵便", "住所", "ゆうびん")
# An address starts right after the code: a prefecture or a municipality.
_ADDRESS_NEXT = re.compile(r"^[\s、,]*\S{1,5}?\s?[都道府県市区町村郡]")


class PostalCodeRecognizer(JaRecognizer):
    ENTITIES = (POSTAL_CODE,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        for run in number_runs(text):
            if run.quantity:
                continue
            if len(run.digits) != 7 or run.groups not in ((3, 4), (7,)):
                continue
            mark = text[max(0, run.start - 2) : run.start].strip().endswith(("〒", "〒:"))
            window = before(text, run.start, lines=1, limit=30)
            context = has_cue(window, CUES)
            postal_cue = has_cue(window, ("郵便", "ゆうびん", "〒"))
            address_follows = bool(_ADDRESS_NEXT.match(after(text, run.end, limit=16)))
            if mark:
                score = 1.0
            elif address_follows:
                score = 0.9
            elif postal_cue or (context and run.groups == (3, 4)):
                score = 0.8
            else:
                continue
            yield self.result(POSTAL_CODE, run.start, run.end, score)
