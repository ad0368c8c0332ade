"""Other public identifiers a city must mask though the evaluation label set has no label for them
(ID_NUMBER): 在留カード番号 (2 letters + 8 digits + 2 letters: its shape alone is enough), passport
numbers (2 letters + 7 digits), driver's licence numbers (12 digits) and 住民票コード (11 digits).
The last three need their cue nearby: 7, 11 and 12 digits are also phones, My Numbers and amounts.
No checksum is published for 住民票コード or the licence in JAPAN.md, so none is guessed here; a
licence number that also passes the My Number check digit is still a licence when 免許 is said."""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import ID_NUMBER
from masking.detection.recognizers.base import JaRecognizer, before, has_cue, number_runs

_L = r"[A-Za-zＡ-Ｚａ-ｚ]"
_D = r"[0-9０-９]"
_EDGE_L = r"(?<![A-Za-zＡ-Ｚａ-ｚ0-9０-９])"
_EDGE_R = r"(?![A-Za-zＡ-Ｚａ-ｚ0-9０-９])"
_SEP = r"[ \u3000\-－]?"
RESIDENCE_CARD = re.compile(rf"{_EDGE_L}{_L}{{2}}{_SEP}{_D}{{8}}{_SEP}{_L}{{2}}{_EDGE_R}")
PASSPORT = re.compile(rf"{_EDGE_L}{_L}{{2}}{_SEP}{_D}{{7}}{_EDGE_R}")
RESIDENCE_CARD_CUES = ("在留カード", "在留", "特別永住者証明書")
PASSPORT_CUES = ("パスポート", "旅券")
LICENCE_CUES = ("免許", "めんきょ")
RESIDENT_CODE_CUES = ("住民票コード", "住基", "住民票 コード")


class IdNumberRecognizer(JaRecognizer):
    ENTITIES = (ID_NUMBER,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        for m in RESIDENCE_CARD.finditer(text):
            cue = has_cue(before(text, m.start(), lines=1, limit=40), RESIDENCE_CARD_CUES)
            yield self.result(ID_NUMBER, m.start(), m.end(), 1.0 if cue else 0.9)
        for m in PASSPORT.finditer(text):
            if has_cue(before(text, m.start(), lines=1, limit=40), PASSPORT_CUES):
                yield self.result(ID_NUMBER, m.start(), m.end(), 0.95)
        for run in number_runs(text):
            if run.quantity:
                continue
            window = before(text, run.start, lines=1, limit=30)
            if len(run.digits) == 12 and has_cue(window, LICENCE_CUES):
                yield self.result(ID_NUMBER, run.start, run.end, 1.0)  # beats a My Number look-alike
            elif len(run.digits) == 11 and has_cue(window, RESIDENT_CODE_CUES):
                yield self.result(ID_NUMBER, run.start, run.end, 1.0)
