"""Ages: N歳 / N さい / はたち / 生後Nか月 / an infant's Nか月 / bare (45) after a name in staff notes /
a bare number answering an age question. Not ages: 70代, 20歳前 (a pension term), 1歳6か月健診
(a check-up), school grades, durations (3か月滞納)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import AGE
from masking.detection.numerals import NormalizedText
from masking.detection.recognizers.base import JaRecognizer, before, has_cue

_S = r"[ \u3000]*"
_YEARS = re.compile(rf"(?<![\d.．/])(?P<n>\d{{1,3}}){_S}(?:歳|才)(?!{_S}(?:前|未満|以上|以下|児|から|まで|\d|代))")
_INFANT = re.compile(
    rf"(?P<lead>生後{_S})?(?<![\d.．/])(?P<n>\d{{1,2}}){_S}(?:か|カ|ヵ|ヶ|ケ|箇)月(?!{_S}(?:児|健診|検診|分|前|以上|滞納))"
)
# 「１歳２か月」: an infant's age in years and months, one span (1歳6か月健診 is a check-up).
_YEARS_MONTHS = re.compile(
    rf"(?<![\d.．/])\d{{1,2}}{_S}(?:歳|才){_S}\d{{1,2}}{_S}(?:か|カ|ヵ|ヶ|ケ)月(?!{_S}(?:児|健診|検診|分|前|以上|滞納))"
)
_BRACKETED = re.compile(
    r"[（(](?:[^（）()\n\d]{1,4}[・、,，\s])?(?P<n>\d{1,3}(?:[ \u3000]*(?:か|カ|ヵ|ヶ|ケ)月)?)[）)]"
)
_QUESTION_CUES = ("おいくつ", "何歳", "年齢", "なんさい", "何か月", "何ヶ月", "何カ月", "生後")
_BARE_ANSWER = re.compile(rf"^{_S}(?:え{_S}ー?{_S}と{_S}|あの{_S})?(?P<n>\d{{1,3}})(?={_S}(?:です|歳|才|に|$))")
# 「はたち」 typed inside a sentence (the spoken token is normalized to 20歳 already).
_HATACHI = re.compile(r"(?<![ぁ-ゖ])はたち(?=です|で|、|。|に|の|\s|$)")
INFANT_CUES = ("生後", "赤ちゃん", "お子さん", "子ども", "子供", "乳児", "娘", "息子")


class AgeRecognizer(JaRecognizer):
    ENTITIES = (AGE,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        norm = self.normalized(text)
        t = norm.text
        for m in _YEARS.finditer(t):
            if int(m.group("n")) <= 120:
                yield self.result(AGE, *norm.to_original(m.start(), m.end()), 0.9)
        for m in _YEARS_MONTHS.finditer(t):
            yield self.result(AGE, *norm.to_original(m.start(), m.end()), 0.9)
        for m in _INFANT.finditer(t):
            start, end = norm.to_original(m.start(), m.end())
            question = before(text, start, lines=1, limit=60)
            if m.group("lead") or (
                has_cue(question, ("何か月", "何ヶ月", "何カ月", "何 ヶ月")) and has_cue(question, INFANT_CUES)
            ):
                yield self.result(AGE, start, end, 0.85)
        for m in _BRACKETED.finditer(t):
            # Only after a name (a letter right before the bracket), never 「(2)」 list numbering.
            if m.start() > 0 and not t[m.start() - 1].isspace() and int(re.sub(r"\D", "", m.group("n"))) <= 120:
                yield self.result(AGE, *norm.to_original(m.start("n"), m.end("n")), 0.8)
        for m in _HATACHI.finditer(text):
            yield self.result(AGE, m.start(), m.end(), 0.85)
        yield from self._answers(text, t, norm)

    def _answers(self, text: str, t: str, norm: NormalizedText) -> Iterable[RecognizerResult]:
        """「ご 年齢 は」→「さんじゅう なな です」: a bare number answering an age question."""
        offset = 0
        lines = t.split("\n")
        for i, line in enumerate(lines):
            if i > 0 and has_cue(lines[i - 1], _QUESTION_CUES):
                body = re.sub(r"^[^：:\n]{1,6}[：:]", lambda m: " " * len(m.group()), line)
                m = _BARE_ANSWER.match(body)
                if m and int(m.group("n")) <= 120:
                    yield self.result(AGE, *norm.to_original(offset + m.start("n"), offset + m.end("n")), 0.7)
            offset += len(line) + 1
