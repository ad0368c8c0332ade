"""Bank accounts: 7-digit account numbers next to bank words; ゆうちょ 記号-番号 (5+8) as one span.
The bank, branch and 普通/当座 are not part of the span (README)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import BANK_ACCOUNT
from masking.detection.recognizers.base import JaRecognizer, after, before, has_cue, number_runs

CUES = ("口座", "普通", "当座", "銀行", "金庫", "信金", "支店", "本店", "振込", "振り込み", "ゆうちょ", "農協", "JA")


_YUCHO_MARK = re.compile(r"記号")


class BankAccountRecognizer(JaRecognizer):
    ENTITIES = (BANK_ACCOUNT,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        for run in number_runs(text):
            if run.quantity:
                continue
            context = has_cue(before(text, run.start, lines=1, limit=40), CUES) or has_cue(
                after(text, run.end, limit=20), CUES
            )
            if run.groups in ((5, 8), (5, 1, 8)) or (len(run.digits) == 13 and run.digits[0] == "1"):
                score = 0.95 if context else 0.7  # ゆうちょ 記号-番号
            elif (
                len(run.digits) == 5
                and run.digits[0] == "1"
                and context
                and _YUCHO_MARK.search(before(text, run.start, 0, 12))
            ):
                score = 0.85  # ゆうちょ 記号 said apart from its 番号
            elif 6 <= len(run.digits) <= 8 and context and run.groups[-1] >= 6:
                score = 0.9
            else:
                continue
            yield self.result(BANK_ACCOUNT, run.start, run.end, score)
