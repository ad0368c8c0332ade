"""Facilities where a person lives, stays, studies or is treated (README: LOCATION): schools,
nurseries, hospitals, clinics, care homes, shelters, a net cafe. Public agencies (市役所, 警察署,
児童相談所, 地域包括支援センター) are not places of the person and are not matched."""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import LOCATION
from masking.detection.recognizers.base import JaRecognizer
from masking.detection.recognizers.phrase import line_bounds, phrase_start


def _spaced(word: str) -> str:
    """ASR may split a compound: 支援 学校, 体育 館."""
    return r"[ \u3000]?".join(map(re.escape, word))


SUFFIXES = (
    "特別支援学校",
    "母子生活支援施設",
    "児童養護施設",
    "障害者支援施設",
    "救護施設",
    "更生施設",
    "宿泊所",
    "乳児院",
    "支援学校",
    "高等学校",
    "専門学校",
    "小学校",
    "中学校",
    "学校",
    "大学",
    "短大",
    "学園",
    "保育園",
    "保育所",
    "幼稚園",
    "こども園",
    "病院",
    "クリニック",
    "医院",
    "診療所",
    "体育館",
    "公民館",
    "コミュニティセンター",
    "集会所",
    "ネットカフェ",
    "漫画喫茶",
)
PREFIXES = (
    "特別養護老人ホーム",
    "介護老人保健施設",
    "老人ホーム",
    "グループホーム",
    "ケアハウス",
    "ネットルーム",
    "ネットカフェ",
    "ホーム",
)
_SUFFIX = re.compile("|".join(_spaced(s) for s in SUFFIXES))
_PREFIX = re.compile(
    "(?:" + "|".join(map(re.escape, PREFIXES)) + ")"
    r"(?![にでをがはへとの])(?P<name>[ァ-ヺー一-龥々ぁ-ゖ]{1,10}?)(?=に|で|を|が|は|へ|と|です|、|。|\s|（|\(|$)"
    r"(?:[ \u3000][^\s、。]{1,8}?店)?"
)
# 「みらい市立東雲小」: a public school abbreviated after 市立/町立.
_PUBLIC_SCHOOL = re.compile(
    r"(?<![^\s：:、。，,（(「・はがをにでのともへや])(?:(?![はがをにでへとの])[ぁ-ゖァ-ヺ一-龥]){1,6}?[市町村区]立[一-龥ァ-ヺぁ-ゖ]{1,8}?"
    r"(?:小学校|中学校|高等学校|高校|小|中)"
)
SPEAKERS = frozenset({"相談員", "相談者", "通訳", "職員", "本人"})
# 「通院先：さくら台こころのクリニック」: a labelled value may contain の.
_LABELLED_VALUE = re.compile(r"[：:][ \u3000]*$")


class FacilityRecognizer(JaRecognizer):
    ENTITIES = (LOCATION,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        doc = nlp_artifacts.tokens if nlp_artifacts is not None else None
        for m in _SUFFIX.finditer(text):
            start = phrase_start(text, m.start(), doc)
            if start == m.start():
                start = self._labelled_value_start(text, m.start())
            if start < m.start():
                yield self.result(LOCATION, start, m.end(), 0.8)
        for m in _PREFIX.finditer(text):
            yield self.result(LOCATION, m.start(), m.end(), 0.8)
        for m in _PUBLIC_SCHOOL.finditer(text):
            yield self.result(LOCATION, m.start(), m.end(), 0.85)

    @staticmethod
    def _labelled_value_start(text: str, pos: int) -> int:
        begin, _ = line_bounds(text, pos)
        colon = max(text.rfind("：", begin, pos), text.rfind(":", begin, pos))
        if colon >= 0 and text[begin:colon].strip() in SPEAKERS:
            return pos  # a dialogue line, not a labelled field of a note
        if (
            colon >= 0
            and 0 < pos - colon - 1 <= 12
            and re.fullmatch(r"(?:(?![はがをにでへと])[ァ-ヺー一-龥々ぁ-ゖ])+", text[colon + 1 : pos])
        ):
            return colon + 1
        return pos
