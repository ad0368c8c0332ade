"""Birth dates in 和暦 and 西暦: 昭和52年2月19日, S48.5.3, H元.9.1, 1979年3月12日, spoken eras.

A date is a birth date when 生/生まれ follows, when a birth-date cue precedes, or when its era is
one nobody alive uses for current events (明治/大正/昭和/平成): a consultation's own dates are
令和 or 西暦, and those are left alone without a cue."""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import DATE_OF_BIRTH
from masking.detection.recognizers.base import JaRecognizer, after, before, has_cue

_S = r"[ \u3000]*"
_ERA = r"(?P<era>明治|大正|昭和|平成|令和|[MTSHRmtshr](?=[ \u3000]*(?:\d|元)))"
_YEAR = r"(?:\d{1,2}|元)"
_ERA_DATE = re.compile(
    rf"{_ERA}{_S}{_YEAR}{_S}(?:年{_S}\d{{1,2}}{_S}月{_S}\d{{1,2}}{_S}日?|[.．/／]{_S}\d{{1,2}}{_S}[.．/／]{_S}\d{{1,2}})(?!\d)"
)
_WESTERN_DATE = re.compile(
    rf"(?<!\d)(?P<year>(?:19|20)\d\d){_S}(?:年{_S}\d{{1,2}}{_S}月{_S}\d{{1,2}}{_S}日?|[/／.．\-]\d{{1,2}}[/／.．\-]\d{{1,2}})(?!\d)"
)
OLD_ERAS = ("明治", "大正", "昭和", "平成", "M", "T", "S", "H", "m", "t", "s", "h")
CUES = ("生年月日", "誕生日", "生まれ", "うまれ", "生年")
_BORN_AFTER = re.compile(r"^[ \u3000]*(?:生|うまれ|産)")


class BirthDateRecognizer(JaRecognizer):
    ENTITIES = (DATE_OF_BIRTH,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        norm = self.normalized(text)
        for pattern in (_ERA_DATE, _WESTERN_DATE):
            for m in pattern.finditer(norm.text):
                start, end = norm.to_original(m.start(), m.end())
                born = bool(_BORN_AFTER.match(after(text, end)))
                cue = has_cue(before(text, start, lines=1, limit=40), CUES)
                old_era = m.groupdict().get("era") in OLD_ERAS
                if born or cue:
                    score = 0.95
                elif old_era:
                    score = 0.8
                else:
                    continue
                yield self.result(DATE_OF_BIRTH, start, end, score)
