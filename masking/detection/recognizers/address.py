"""Addresses, as one span down to the building and room: みらい市若葉町2丁目14番3号,
みらい 市 しののめ ちょう いっ ちょうめ よん の じゅう に (spoken, read through the number normalizer),
本町2丁目, 静岡県富士宮市, 横浜市港北区 … 402号室. A municipality alone is not labelled (README):
at least two levels, or a town with a block number, are required."""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.labels import LOCATION
from masking.detection.recognizers.base import JaRecognizer
from masking.detection.recognizers.phrase import phrase_start

_SP = r"[ \u3000]?"
_NAME = r"[一-龥々ぁ-ゖァ-ヺーヶケ]"
_PREF = rf"(?:[一-龥]{{2,3}}{_SP}[都道府県])"
# Particles never sit inside a municipality's name: 「寮はひかり市」 starts at ひかり.
_MUNI_NAME = r"(?:(?![はがをにでともへのや])[一-龥々ぁ-ゖァ-ヺーヶケ0-9])"
# The first character may be a particle's (のぞみ市, はなみ町): the boundary before it is checked
# by _ADDRESS; a kanji numeral is a digit in the normalized text (二戸市 → 2戸市), never all of it.
_MUNI_HEAD = r"(?:(?!\d+[ \u3000]?[市区郡町村])[一-龥々ぁ-ゖァ-ヺーヶケ0-9])"
_CITY = rf"(?:{_MUNI_HEAD}{_MUNI_NAME}{{0,4}}?{_SP}市)"
_WARD = rf"(?:{_MUNI_HEAD}{_MUNI_NAME}{{0,3}}?{_SP}[区郡])"
_COUNTY = rf"(?:{_MUNI_HEAD}{_MUNI_NAME}{{0,4}}?{_SP}郡)"
# A town or village of a county (阿智村, 屋久島町): in a 郡 or before 大字/字.
_TOWN_MUNI = rf"(?:{_MUNI_HEAD}{_MUNI_NAME}{{0,4}}?{_SP}[町村])"
_TOWN_NAME = rf"(?:(?:の{_SP})?{_NAME}{{1,6}}?(?:[ \u3000][ぁ-ゖー]{{1,6}}?){{0,2}}?(?:{_SP}(?:町|村))?)"
_SEP = r"[ \u3000]*(?:[-‐‑−－ー―・の])[ \u3000]*"
_BLOCK = (
    rf"(?:\d+{_SP}丁目(?:{_SP}\d+{_SP}(?:番地?|{_SEP}){_SP}(?:\d+{_SP}号?(?:{_SEP}\d+)?|{_SEP}\d+)?|{_SP}\d+{_SP}番地|{_SP}\d+(?:{_SEP}\d+)*)?"
    rf"|\d+{_SP}番地?(?:{_SP}\d+{_SP}号?)?(?:{_SEP}\d+)?|\d+(?:{_SEP}\d+){{1,2}})"
)
_BUILDING_SUFFIX = r"(?:荘|寮|ハイツ|団地|マンション|アパート|コーポ|ハイム|ビル|ハウス|住宅|レジデンス|メゾン)"
_ROOM = r"(?:[ \u3000]?\d+[ \u3000]?(?:号室|号棟|号|階|F)?)"
_BUILDING = re.compile(
    rf"[ \u3000](?:第\d+)?(?:[^\s、。，,（）()「」：:\d]{{0,10}}?(?:第\d+)?{_BUILDING_SUFFIX}[^\s、。，,（）()「」：:\d]{{0,6}}?(?={_ROOM}|[\s、。，,）)]|$)"  # noqa: E501 (a regex reads better whole)
    rf"|[^\s、。，,（）()「」：:\d]{{1,10}}?(?=\d+[ \u3000]?(?:号室|号棟|号|階|F))){_ROOM}*"
    # a building without a suffix and a bare room number (アーバン蓬莱302)
    r"|[ \u3000][ァ-ヺー一-龥々A-Za-zＡ-Ｚａ-ｚ]{2,12}?\d{2,4}(?=[\s、。，,）)]|です|に|で|$)"
)
_ADDRESS = re.compile(
    # Starts at a boundary: line start, punctuation, a space or right after a particle.
    r"(?:(?<![^\s：:、。，,（(「・はがをにでのともへや])|(?<=[ぁ-ゖ])(?=[一-龥]))(?:"
    # 大字/字 + a bare lot number (阿智村大字駒場1483番地, 福岡字八幡下77, 本部 町 字 瀬底 302); first,
    # because the shorter alternatives below would stop at the municipality.
    rf"(?:{_PREF}{_SP})?(?:{_COUNTY}{_SP}{_TOWN_MUNI}{_SP}|{_CITY}{_SP}{_NAME}{{0,5}}?|{_TOWN_MUNI}{_SP})?"
    rf"(?:大字|字){_SP}{_NAME}{{1,6}}?{_SP}\d+(?:{_SP}番地?)?(?:{_SEP}\d+)*"
    # 郡 + 町/村 (長野県下伊那郡阿智村, 屋久島町), then perhaps a block
    rf"|{_PREF}?{_SP}{_COUNTY}{_SP}{_TOWN_MUNI}(?:{_SP}{_TOWN_NAME}{_SP}{_BLOCK})?|"
    rf"(?:{_PREF}{_SP}(?:{_CITY}|{_WARD}){_SP}{_WARD}?|{_CITY}{_SP}{_WARD})(?:{_SP}{_TOWN_NAME}{_SP}{_BLOCK})?"
    rf"|(?:{_PREF}{_SP})?{_CITY}{_SP}{_WARD}?{_SP}{_TOWN_NAME}{_SP}{_BLOCK}"
    rf"|{_TOWN_NAME}{_SP}\d+{_SP}丁目(?:{_SP}\d+{_SP}(?:番地?|{_SEP}){_SP}(?:\d+{_SP}号?)?|{_SP}\d+(?:{_SEP}\d+)*)?"
    rf"|{_TOWN_NAME}{_SP}\d+(?:{_SEP}\d+){{2}}(?!\d))"
)
# 090-6674-2051 has the shape of 本町4-18-6: a block number never starts with 0.
_PHONE_LIKE = re.compile(r"(?<!\d)0\d*(?:[ \u3000]*(?:[-‐‑−－ー―・の])[ \u3000]*\d+){2}")


# 「隣の桜台に住んでいる」「杉並区在住」: a place named as where someone lives.
_RESIDENCE = re.compile(r"(?<![一-龥々ァ-ヺー])(?P<x>[一-龥々ァ-ヺー]{2,8})(?=に住んで|に住む|に住ん|在住|に暮らして)")
# 「東雲ハイツです」: a named building on its own.
_NAMED_BUILDING = re.compile(
    r"(?<![一-龥々ァ-ヺー])[一-龥々ァ-ヺー]{1,8}(?:ハイツ|荘|団地|マンション|コーポ|ハイム|レジデンス)(?:\d+号棟?)?"
)


_SPOKEN_RESIDENCE = re.compile(r"(?<= )に 住ん|(?<= )に 住む|(?<= )在住")


# 「さくら寮」: a dormitory with a kana name, after a particle or punctuation.
_KANA_DORMITORY = re.compile(
    r"(?:(?<=[はがをにでともへの、。：:\s「（])|^)(?:(?![はがをにでともへの])[ぁ-ゖ]){2,6}寮"
    r"|(?<![一-龥々ァ-ヺー])(?!社員|学生|独身|会社|女子|男子)[一-龥々ァ-ヺー]{2,8}寮",
    re.MULTILINE,
)


# 「社員寮に住む」「市営住宅に住んで」 say what kind of home, not where.
_GENERIC_HOMES = (
    "社員",
    "学生",
    "独身",
    "市営",
    "県営",
    "都営",
    "府営",
    "町営",
    "村営",
    "公営",
    "実家",
    "自宅",
    "施設",
    "近所",
    "アパート",
    "マンション",
    "団地",
    "一軒家",
    "持ち家",
    "借家",
    "ここ",
    "そこ",
    "寮",
    "家",
    "どこ",
    "どちら",
)


class AddressRecognizer(JaRecognizer):
    ENTITIES = (LOCATION,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        norm = self.normalized(text)
        t = norm.text
        for m in _ADDRESS.finditer(t):
            start, end = m.start(), m.end()
            if _PHONE_LIKE.search(t[start:end]):
                continue
            while end > start and (t[end - 1] in " \u3000" or t[end - 1] == "の"):
                end -= 1
            if re.search(r"\d", t[start:end]) and end < len(t):
                building = _BUILDING.match(t, end)
                if building and building.end() > end:
                    end = building.end()
            orig_start, orig_end = norm.to_original(start, end)
            yield self.result(LOCATION, orig_start, orig_end, 0.85)
        for m in _SPOKEN_RESIDENCE.finditer(text):
            start = phrase_start(text, m.start(), nlp_artifacts.tokens if nlp_artifacts else None, max_units=3)
            if text[start : m.start() - 1] in _GENERIC_HOMES:
                continue  # 「寮 に 住ん で い ます か」 asks, it names no place
            if start < m.start() - 1:
                yield self.result(LOCATION, start, m.start() - 1, 0.7)
        for pattern in (_RESIDENCE, _NAMED_BUILDING, _KANA_DORMITORY):
            for m in pattern.finditer(text):
                if not m.group().startswith(_GENERIC_HOMES) and m.group() not in _GENERIC_HOMES:
                    yield self.result(LOCATION, m.start(), m.end(), 0.7)
