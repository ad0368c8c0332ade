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
from masking.detection.recognizers.words import spaced_style


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
    "心療内科",
    "小児科",
    "内科",
    "整形外科",
    "外科",
    "歯科",
    "眼科",
    "皮膚科",
    "耳鼻科",
    "精神科",
    "産婦人科",
    "寮",
)
PREFIXES = (
    "サービス付き高齢者向け住宅",
    "介護付有料老人ホーム",
    "介護付き有料老人ホーム",
    "住宅型有料老人ホーム",
    "有料老人ホーム",
    "養護老人ホーム",
    "軽費老人ホーム",
    "自立援助ホーム",
    "児童養護施設",
    "障害者支援施設",
    "サ高住",
    "シェルター",
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
    "(?:" + "|".join(map(re.escape, sorted(PREFIXES, key=len, reverse=True))) + ")"
    r"(?![にでをがはへとの])(?!入所|入居|利用|希望|退所|申込|申し込|見学|待ち|探し|生活|暮らし|費用|代|など|職員)(?P<name>[ァ-ヺー一-龥々ぁ-ゖ]{1,10}?)(?=に|で|を|が|は|へ|と|です|、|。|\s|（|\(|$)"
    r"(?:[ \u3000][^\s、。]{1,8}?店)?"
)
# 「みらい市立東雲小」: a public school abbreviated after 市立/町立.
_PUBLIC_SCHOOL = re.compile(
    r"(?<![^\s：:、。，,（(「・はがをにでのともへや])(?:(?![はがをにでへとの])[ぁ-ゖァ-ヺ一-龥]){1,6}?[市町村区]立[一-龥ァ-ヺぁ-ゖ]{1,8}?"
    r"(?:小学校|中学校|高等学校|高校|小|中)"
)
# 「クリニックそらいろ」「病院みなみ」: a kana name after the kind of facility (not 病院まで, 学校って).
_TRAILING_NAME = re.compile(
    r"(?![にでをがはへとのもやか])(?!まで|から|より|など|とか|って|だけ|でし|です|じゃ|ばかり|ぐらい|くらい|しか)"
    r"[ぁ-ゖァ-ヺー]{3,10}?(?=に|で|を|が|は|へ|と|です|、|。|\s|$)"
)
_KATAKANA_BEFORE = re.compile(r"[ァ-ヺー]{2,10}$")
# 「ひだまりの郷という施設」: whatever is named as a facility.
_CALLED = re.compile(
    r"(?:と[ \u3000]?いう|っていう|って[ \u3000]いう)[ \u3000]?"
    r"(?:施設|病院|ホーム|老人ホーム|学校|保育園|寮|シェルター|クリニック|グループホーム)"
)
_CALLED_TYPED = re.compile(
    r"(?<=[はがをにでもへ、。：:\s「])(?![はがをにでもへのと])(?P<n>[ァ-ヺー一-龥々ぁ-ゖ]{2,12}?)$"
)
_SPOKEN_STOPS = frozenset({"が", "は", "を", "に", "で", "も", "へ", "と", "って", "という", "いう"})
_GENERIC_HEADS = ("社員", "学生", "独身", "会社", "女子", "男子", "新しい", "前の", "退", "入", "寮")
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
            end = m.end()
            trailing = _TRAILING_NAME.match(text, end)
            if trailing and m.group() != "寮":
                end = trailing.end()
                katakana = _KATAKANA_BEFORE.search(text, 0, m.start())
                if start == m.start() and katakana:
                    start = katakana.start()  # 「メンタルクリニックこもれび」: Sudachi did not take メンタル
            head = re.sub(r"\s", "", text[start:end])
            if (start < m.start() or end > m.end()) and not head.startswith(_GENERIC_HEADS):
                yield self.result(LOCATION, start, end, 0.8)
        for m in _CALLED.finditer(text):
            called = self._called_start(text, m.start())
            if called is not None:
                yield self.result(LOCATION, called, m.start(), 0.75)
        for m in _PREFIX.finditer(text):
            yield self.result(LOCATION, m.start(), m.end(), 0.8)
        for m in _PUBLIC_SCHOOL.finditer(text):
            yield self.result(LOCATION, m.start(), m.end(), 0.85)

    @staticmethod
    def _called_start(text: str, pos: int) -> int | None:
        """Start of the name before 「という施設」: typed, back to a particle; spoken, back to a
        particle word (the name's own の stays inside: ひだまり の 郷)."""
        begin, _ = line_bounds(text, pos)
        line = text[begin:pos]
        if spaced_style(text[begin : text.find("\n", pos) if "\n" in text[pos:] else len(text)]):
            words = line.rstrip().split(" ")
            taken = 0
            while taken < min(4, len(words)) and words[-1 - taken] not in _SPOKEN_STOPS and words[-1 - taken]:
                taken += 1
            if not taken or words[-taken] == "の":
                return None
            return pos - len(line) + len(" ".join(words[:-taken])) + (1 if len(words) > taken else 0)
        m = _CALLED_TYPED.search(line)
        return begin + m.start("n") if m else None

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
