"""Employers (README: ORGANIZATION_PERSONAL): current, former and prospective employers, the
技能実習先, an abuser's employer. Company forms (株式会社 …), industry suffixes (運輸, 工務店 …) and
labelled values (勤務先：…). Banks and public bodies are not employers here."""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import ORGANIZATION_PERSONAL
from masking.detection.recognizers.base import JaRecognizer
from masking.detection.recognizers.phrase import phrase_start

_FORMS = r"(?:株式会社|有限会社|合同会社|合資会社|（株）|\(株\)|㈱|（有）|㈲)"
_NAME = r"[ァ-ヺー一-龥々ぁ-ゖA-Za-zＡ-Ｚａ-ｚ・]"
_FORM_FIRST = re.compile(
    rf"{_FORMS}[ \u3000]?(?![にでをがはへとの]){_NAME}{{1,12}}?(?=で|に|を|が|は|へ|と|の|から|です|勤務|、|。|\s|（|\(|$)"  # noqa: E501 (a regex reads better whole)
)
INDUSTRY_SUFFIXES = (
    "株式会社",
    "有限会社",
    "運輸",
    "建設",
    "工業",
    "工務店",
    "精機",
    "化成",
    "食品",
    "物流",
    "運送",
    "製作所",
    "商事",
    "販売",
    "産業",
    "電機",
    "縫製",
    "精工",
    "フーズ",
    "商店",
    "興業",
    "電気工事",
    "不動産",
    "製菓",
    "印刷",
    "製薬",
    "重工",
    "鉄工所",
    "水産",
    "酒造",
    "観光",
    "交通",
    "警備",
    "土木",
    "塗装",
    "工房",
    "製麺",
    "精密",
    "加工",
    "冷凍",
    "設備",
    "物産",
    "電子",
    "技研",
    "機械",
    "化学",
    "商会",
    "倉庫",
    "（株）",
    "(株)",
    "㈱",
    "（有）",
    "(有)",
    "㈲",
)
_SUFFIX = re.compile("|".join(map(re.escape, INDUSTRY_SUFFIXES)))
# 「みなと水産加工」: the name goes on a little after the industry word.
_SUFFIX_TAIL = re.compile(r"[一-龥々ァ-ヺー]{1,4}?(?=[にでをがはへとの、。\s（(]|です|$)")
_NOT_TAILS = tuple("勤務 勤め 退職 入社 就職 社員 時代 在籍 解雇 雇止 倒産 関係 以外 現場 工場 の".split())
_NAME_CHAR = re.compile(r"[ァ-ヺー一-龥々ぁ-ゖA-Za-zＡ-Ｚａ-ｚ]")
_LABELLED = re.compile(
    r"(?:勤務先|勤め先|職場|実習先|就職先|会社名|パート先|バイト先|アルバイト先)"
    r"(?:[ \u3000]*[：:][ \u3000]*|[ \u3000]+)(?P<v>[^\s、。（(）)]{2,16})"
)
# 「ひかり精密工業に勤めています」: whatever someone works at, up to the previous particle.
_WORKS_AT = re.compile(
    r"(?<=[はがをにでともへ、。：:\s])(?P<v>(?:(?![はがをにでともへの、。\s])[ァ-ヺー一-龥々ぁ-ゖ]){2,12})(?=に勤めて|で働いて|に勤務|勤務|でパート|でアルバイト|でバイト)"
)
NOT_EMPLOYERS = ("銀行", "金庫", "信金", "役所", "役場", "警察", "相談所", "センター", "協議会", "消費者金融", "回収")


class EmployerRecognizer(JaRecognizer):
    ENTITIES = (ORGANIZATION_PERSONAL,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        doc = nlp_artifacts.tokens if nlp_artifacts is not None else None
        spans: list[tuple[int, int]] = [
            (m.start(), m.end())
            for m in _FORM_FIRST.finditer(text)
            if not (m.start() and _NAME_CHAR.match(text[m.start() - 1]))  # 「北関東（株）」: the form ends the name
        ]
        for m in _SUFFIX.finditer(text):
            start = phrase_start(text, m.start(), doc)
            if start < m.start():
                tail = _SUFFIX_TAIL.match(text, m.end())
                if tail and tail.group().startswith(_NOT_TAILS):
                    tail = None
                spans.append((start, tail.end() if tail and not m.group().endswith(("）", ")")) else m.end()))
        for pattern in (_LABELLED, _WORKS_AT):
            spans.extend((m.start("v"), m.end("v")) for m in pattern.finditer(text))
        for start, end in spans:
            if not any(word in text[start:end] for word in NOT_EMPLOYERS):
                yield self.result(ORGANIZATION_PERSONAL, start, end, 0.8)
