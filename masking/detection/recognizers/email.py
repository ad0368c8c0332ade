"""E-mail addresses, written (ASCII-bounded: kana right after the address is not part of it) and
spelled out by a caller (ティー エー … アット マーク … ドット ジェー ピー)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import EMAIL_ADDRESS
from masking.detection.recognizers.base import JaRecognizer

# ASCII-only classes: Presidio's \b and \w treat kana as word characters (JAPAN.md pitfall 5).
_WRITTEN = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
_KATAKANA_TOKEN = r"[ァ-ヺー]+"  # noqa: S105 (a regex, not a secret)
# A spelled address: katakana words, the at sign, then words joined by ドット.
_SPOKEN = re.compile(
    rf"(?:{_KATAKANA_TOKEN}[ \u3000])*?{_KATAKANA_TOKEN}[ \u3000]+(?:アット[ \u3000]*マーク|アットマーク|アット)"
    rf"(?:[ \u3000]+{_KATAKANA_TOKEN})+?(?:[ \u3000]+ドット(?:[ \u3000]+{_KATAKANA_TOKEN})+?)+(?=[ \u3000]*(?:です|$|\n|[^ァ-ヺー\s]))"  # noqa: E501 (a regex reads better whole)
)
_FILLERS = ("エー", "アノ", "エット")


class EmailRecognizer(JaRecognizer):
    ENTITIES = (EMAIL_ADDRESS,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        for m in _WRITTEN.finditer(text):
            yield self.result(EMAIL_ADDRESS, m.start(), m.end(), 1.0)
        for m in _SPOKEN.finditer(text):
            yield self.result(EMAIL_ADDRESS, m.start(), m.end(), 0.9)
