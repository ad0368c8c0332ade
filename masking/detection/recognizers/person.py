"""Names of residents, relatives and staff from context: honorifics (さん/様/先生), self-introductions
(と申します), kinship and role words (母の…, 担当：…), answers to 「お名前は」, full names written as
姓␣名, and Sudachi's 人名 tags. The honorific is never part of the span (README)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.tokens import Doc

from masking.detection.labels import PERSON
from masking.detection.numerals import COUNTERS, KANA_NUMBERS, KANA_WORDS
from masking.detection.recognizers.base import JaRecognizer
from masking.detection.recognizers.phrase import tokens_in
from masking.detection.recognizers.words import (
    FUNCTION_WORDS,
    HONORIFICS,
    KIN_WORDS,
    NOT_NAMES,
    ROLE_LABELS,
    STAFF_ROLES,
    is_name_word,
    spaced_document,
    spaced_style,
)

_KANJI = r"[一-龥々〆ヶ]"
_KATA = r"[ァ-ヺー]"
_HIRA = r"[ぁ-ゖー]"
# A written full name: 姓 (kanji) + space + 名 (kanji, katakana or hiragana), or a katakana name with ・.
# A surname may be 4 kanji (勅使河原) or hold ノ/ヶ between kanji (一ノ瀬, 八ヶ代).
_SURNAME = rf"{_KANJI}(?:[ノヶケ]?{_KANJI}){{0,3}}"
_FULL = rf"{_SURNAME}[ \u3000](?:{_KANJI}{{1,3}}|{_KATA}{{1,4}}{_KANJI}?|{_HIRA}{{2,4}}{_KANJI}?)"
# A typed full name in hiragana (ほしの あかね): only after a boundary, never glued to a word.
_HIRA_PAIR = r"[ぁ-ゖ]{2,5}[ \u3000][ぁ-ゖ]{2,4}"
_HIRA_FULL = rf"(?<![ぁ-ゖー]){_HIRA_PAIR}"
_HIRA_NAME = rf"{_HIRA_FULL}(?=です|と申|[（(、。]|さん|様|[ \u3000]*$)"
_NAME = rf"(?:{_FULL}|{_HIRA_NAME}|{_KATA}{{2,6}}(?:・{_KATA}{{1,6}}){{1,3}}|{_KANJI}{{1,4}}|{_KATA}{{2,6}}|{_HIRA}{{2,5}}?)"  # noqa: E501 (a regex reads better whole)
_END = r"(?=です|でした|で|と申します|といいます|っていいます|って言います|さん|様|さま|くん|ちゃん|、|。|，|（|\(|が|から|は|の|と|も|に|を|[ \u3000]|$|\n|）|\))"  # noqa: E501 (a regex reads better whole)
_LEFT = r"(?<![一-龥々ァ-ヺー0-9０-９])"
_SPACE_NAME = re.compile(rf"{_LEFT}(?P<n>{_FULL}){_END}")
_KIN = "|".join(sorted(map(re.escape, KIN_WORDS), key=len, reverse=True))
_TYPED_NAME = rf"(?:{_FULL}|{_KATA}{{2,6}}(?:・{_KATA}{{1,6}}){{1,3}}|{_KANJI}{{1,4}}|{_KATA}{{2,6}})"
_KIN_NAME = re.compile(
    rf"(?<![一-龥々ァ-ヺー])(?:{_KIN})(?:の|は|が|・|[ \u3000])?[ \u3000]?(?P<n>{_TYPED_NAME}){_END}"
)
_ROLE = "|".join(sorted(map(re.escape, ROLE_LABELS), key=len, reverse=True))
_ROLE_NAME = re.compile(
    rf"(?:^|[\n（(・])[ \u3000]*(?:(?:{_ROLE})[ \u3000]*[：:][ \u3000]*)(?:(?:{_KIN})[ \u3000]*)?(?P<n>{_NAME})(?=[（(様]|さん|[ \u3000]*$|[ \u3000]*\n|）|、)",  # noqa: E501 (a regex reads better whole)
    re.MULTILINE,
)
_STAFF = "|".join(map(re.escape, STAFF_ROLES))
_STAFF_NAME = re.compile(
    rf"(?:{_STAFF})(?:[：:]|[ \u3000])?(?:(?:{_STAFF}|医師)[ \u3000]?)?(?P<n>{_SURNAME})(?=[ \u3000]*(?:$|\n|）|\)|、))",  # noqa: E501 (a regex reads better whole)
    re.MULTILINE,
)
_SELF = re.compile(rf"{_LEFT}(?P<n>{_NAME})(?:と申します|といいます|っていいます|って言います|と言います)")
_HONORIFIC = re.compile(
    rf"{_LEFT}(?P<n>{_FULL}|{_KANJI}{{1,4}}|{_KATA}{{2,6}}|{_HIRA}{{2,5}})(?:さん|様|さま|くん|ちゃん|先生|医師|氏)(?!{_KANJI})"
)
_ANSWER = re.compile(
    rf"^(?:[^：:\n]{{1,6}}[：:])?(?:（[^）]*）)?(?:はい、?|ええ、?|あ、?|私は|わたしは)?(?P<n>{_NAME})(?:です|と申します|、|。)"
)
NAME_QUESTION = ("名前", "お名前", "氏名", "フルネーム")
_FOREIGN = re.compile(
    r"(?:^|[：:、。])(?P<n>[ァ-ヺー]{2,8}(?:・[ァ-ヺー]{1,8}){1,3})(?=です|と申します|といいます|、|（|\(|さん|様)",
    re.MULTILINE,
)
_OF_NAME = re.compile(rf"の(?P<n>{_KANJI}{{2,4}})(?=です)")  # 「センターの相馬です」
_HELLO = re.compile(rf"(?:もしもし|はい)[、，]?[ \u3000]?(?P<n>{_TYPED_NAME})(?=です|と申します)")
_NAMED = re.compile(rf"名前は(?P<n>{_NAME})(?=です|と申します|といいます|、|。)")
_KUN = re.compile(rf"{_LEFT}(?P<n>{_KANJI}{{1,4}})くん")
_STRONG_AFTER = re.compile(r"^(?:です|と申します|といいます|さん|様|さま|くん|（|\(|、)")
_TAG_PERSON = "名詞-固有名詞-人名"
# After a kinship word, a hiragana name (娘のみのりのことで, 長女 ここな（7）, 孫のいずみ かおるです).
_KIN_HIRA = re.compile(
    rf"(?<![一-龥々ァ-ヺー])(?:{_KIN})(?:の|は|・|[ \u3000])[ \u3000]?(?P<n>{_HIRA_PAIR}|{_HIRA}{{2,5}}?)"
    r"(?=のこと|です|と申|[（(、。]|さん|ちゃん|くん|が[、\s]|[ \u3000]*$)",
    re.MULTILINE,
)
# 「5歳のゆいと、生後10か月の蒼です」: a name right after an age and の.
_AGE_NAME = re.compile(
    rf"(?:\d|[０-９一二三四五六七八九十])(?:歳|才|か月|ヶ月|カ月)の(?P<n>{_KANJI}{{1,3}}|{_KATA}{{2,6}}|{_HIRA}{{2,5}}?)"
    r"(?=です|と[、，]|と(?:申|いい)|が|は|、|。|（|\()"
)
_AGE_NAME_STOP = frozenset(
    "子 時 頃 娘 孫 男 女 方 母 父 兄 姉 弟 妹 者 人 春 夏 秋 冬 年 頭 体 病 誕生日 こと とき ころ".split()
)
# 「生活支援課の東海林です」「子ども家庭相談の林です」: staff introduce themselves by section.
_SECTION_NAME = re.compile(
    rf"(?:課|係|室|センター|窓口|相談|包括|事務所|支所)の(?P<n>{_KANJI}{{1,4}})(?=です|と申します|でございます)"
)
# 「相談者：こうの ますみです。」: a typed hiragana full name before です/さん/（.
_HIRA_SPACE_NAME = re.compile(
    rf"(?:(?<=[：:、。「（(\n])|^)(?:はい、?|私は|わたしは)?(?P<n>{_HIRA_PAIR})(?=です|と申|さん|様|（|\()",
    re.MULTILINE,
)
_TYPED_PATTERNS = (
    (_SPACE_NAME, 0.75),
    (_KIN_NAME, 0.7),
    (_SELF, 0.85),
    (_HONORIFIC, 0.7),
    (_ROLE_NAME, 0.8),
    (_STAFF_NAME, 0.8),
    (_FOREIGN, 0.8),
    (_NAMED, 0.85),
    (_KUN, 0.8),
    (_OF_NAME, 0.7),
    (_HELLO, 0.7),
    (_KIN_HIRA, 0.8),  # STRONG: Sudachi tags unknown hiragana names as anything
    (_SECTION_NAME, 0.8),
    (_HIRA_SPACE_NAME, 0.8),
)
STRONG = 0.8  # contexts that name someone for sure: Sudachi need not know the name (陽向, 結衣)
_FORMAL_NOUNS = ("こと", "もの", "ところ", "ため", "はず", "つもり", "ほう", "よう", "みんな", "ひとり", "ふたり")
_QUESTION_WORDS = frozenset({"おいくつ", "いくつ", "どなた", "どちら", "どこ", "なに", "なん", "いつ", "だれ", "どう"})
_PLACE_ENDINGS = tuple("店 社 局 課 署 所 院 園 校 駅 館".split())  # not 村/町: 今村, 大町
_HIRAGANA_NOT_NAME = ("動詞", "形容詞", "形状詞", "接続詞", "感動詞")  # not 副詞: こうの → こう/の
_KIN_BEFORE = re.compile(rf"(?:{_KIN})(?:の|は|が|・)?[ \u3000]?$")
_TRAILING = re.compile(r"(?:様|さま|さん|くん|ちゃん|先生|医師|氏|です|でした)+$")
_NOT_NAME_TAGS = ("名詞-普通名詞-サ変", "動詞", "形容詞", "助", "代名詞", "副詞", "接続詞", "感動詞")


class PersonRecognizer(JaRecognizer):
    ENTITIES = (PERSON,)

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        doc = nlp_artifacts.tokens if nlp_artifacts is not None else None
        found: list[tuple[int, int, float]] = []
        spoken = spaced_document(text)
        if not spoken:  # written-text patterns: in the vosk style every word is space-separated
            for pattern, score in _TYPED_PATTERNS:
                for m in pattern.finditer(text):
                    if not spaced_style(_line_at(text, m.start("n"))):
                        found.append((m.start("n"), m.end("n"), score))
            for m in _AGE_NAME.finditer(text):
                name = m.group("n")
                if name not in _AGE_NAME_STOP and not spaced_style(_line_at(text, m.start("n"))):
                    # one kanji (蒼, 凛) is a name here; a longer common noun (検診) must be a known name
                    score = STRONG if len(name) == 1 or not re.match(_KANJI, name) else 0.7
                    found.append((m.start("n"), m.end("n"), score))
            if doc is not None:
                found.extend(self._tagged(doc))  # recall backstop; its one dev FP is 北浜(支店)
        found.extend(self._answers(text, spoken))
        found.extend(self._spoken(text))
        for start, end, score in found:
            surface = text[start:end]
            trimmed = _TRAILING.sub("", surface).rstrip()
            end -= len(surface) - len(trimmed)
            # Sudachi's tags on hiragana ASR words are guesses (いま→副詞可能, ながい→形容詞).
            if self._plausible(trimmed, text, start, None if spoken else doc, strict=score < STRONG):
                yield self.result(PERSON, start, end, score)

    @staticmethod
    def _plausible(surface: str, text: str, start: int, doc: Doc | None, strict: bool) -> bool:
        head = surface.split()[0] if surface.split() else surface
        if not surface.strip() or surface in NOT_NAMES or head in NOT_NAMES or surface in FUNCTION_WORDS:
            return False
        if any(surface.startswith(k) for k in KIN_WORDS if len(k) >= 2) or surface in KIN_WORDS or head in ROLE_LABELS:
            return False
        if doc is None or "・" in surface:
            return True
        first = surface.split()[0]
        tokens = tokens_in(doc, start, start + len(first))
        if not tokens:
            return True
        if first.startswith(_FORMAL_NOUNS) or first in _QUESTION_WORDS:
            return False  # 「父のことなんですが」「お母様はおいくつですか」
        if " " in surface and any(part in FUNCTION_WORDS for part in surface.split()):
            return False  # 「はい そうです」
        if " " in surface and first.endswith(_PLACE_ENDINGS):
            return False  # 「北浜支店 普通」: a branch, not a four-kanji surname
        if re.fullmatch(_HIRA + "+", first) and not strict:
            # Sudachi splits unknown hiragana names into anything (ここな → ここ/な); only a verb or
            # an adjective in it says 「いません」「げんき」 is not a name.
            if any(t.tag_.startswith(_HIRAGANA_NOT_NAME) for t in tokens):
                return False
        elif all(t.tag_.startswith(_NOT_NAME_TAGS) or "副詞可能" in t.tag_ for t in tokens):
            return False  # 「電話 匿名」「本当」: a common noun or verb before さん/です
        if " " in surface:
            # 「本店 普通」 has the shape of 「森 颯太」: two common nouns are a name only before です/さん/（.
            every = [t for t in tokens_in(doc, start, start + len(surface)) if not t.text.isspace()]
            common = all(not t.tag_.startswith("名詞-固有名詞") for t in every)
            kin_before = _KIN_BEFORE.search(text, max(0, start - 8), start)
            return not common or bool(_STRONG_AFTER.match(text[start + len(surface) :])) or bool(kin_before)
        if not strict:
            return True
        if re.search(_KANJI, surface):
            # A lone kanji word must be known to Sudachi as a proper noun (千尋, 丸岡), not 障害年金.
            return any(t.tag_.startswith("名詞-固有名詞") for t in tokens)
        if re.fullmatch(_KATA + "+", surface):
            known_word = any(
                t.tag_.startswith(("名詞-普通名詞", "名詞-固有名詞-一般", "名詞-固有名詞-地名")) for t in tokens
            )
            return any("人名" in t.tag_ for t in tokens) or not known_word
        return True

    @staticmethod
    def _answers(text: str, spoken: bool) -> Iterable[tuple[int, int, float]]:
        """The line after 「お名前は」 opens with the name, typed or spoken."""
        lines = text.split("\n")
        offset = 0
        for i, line in enumerate(lines):
            if i > 0 and any(q in lines[i - 1].replace(" ", "") for q in NAME_QUESTION):
                if spaced_style(line) or (len(line.split()) > 1 and all(len(w) <= 6 for w in line.split()[:4])):
                    span = _leading_spoken_name(line)
                    if span:
                        yield offset + span[0], offset + span[1], 0.75
                else:
                    m = _ANSWER.match(line)
                    if m:
                        yield offset + m.start("n"), offset + m.end("n"), 0.75
            offset += len(line) + 1

    @staticmethod
    def _spoken(text: str) -> Iterable[tuple[int, int, float]]:
        """vosk style: 「もしもし いのうえ です」「包括 の そうま です」「いのうえ さん」「みずの 先生」
        「母親 の のぐち まゆみ です」「子ども は そら です」."""
        offset = 0
        for line in text.split("\n"):
            if spaced_style(line) or len(line.split()) >= 3:
                words = line.split(" ")
                positions = []
                pos = 0
                for w in words:
                    positions.append(pos)
                    pos += len(w) + 1
                for k, word in enumerate(words):
                    follower = words[k + 1] if k + 1 < len(words) else ""
                    if word in HONORIFICS and k > 0 and follower not in COUNTERS and follower not in KANA_WORDS:
                        j = k
                        while (
                            j > 0
                            and k - j < 2
                            and is_name_word(words[j - 1])
                            and words[j - 1] not in NOT_NAMES
                            and words[j - 1] not in KANA_NUMBERS
                            and words[j - 1] not in KANA_WORDS
                        ):
                            j -= 1
                        if j < k and not (j > 0 and words[j - 1] in ("要", "介護")):
                            yield offset + positions[j], offset + positions[k] - 1, 0.7
                    if word == "は" and k > 0 and words[k - 1] == "名前":
                        span = _leading_spoken_name(" ".join(words[k + 1 :]))
                        # 「名前 は 出さ ない で」: verbs carry kanji; a spoken name here is kana.
                        kana_only = span and re.fullmatch(
                            r"[ぁ-ゖァ-ヺー ]+", " ".join(words[k + 1 :])[span[0] : span[1]]
                        )
                        if span and kana_only:
                            base = offset + positions[k + 1]
                            yield base + span[0], base + span[1], 0.75
                    if word in ("と", "って") and follower in ("申し", "申します", "いい", "言い") and k > 0:
                        j = k
                        while (
                            j > 0
                            and k - j < 3
                            and _SPOKEN_WORD.match(words[j - 1])
                            and words[j - 1] not in FUNCTION_WORDS
                        ):
                            j -= 1
                        if j < k:
                            yield offset + positions[j], offset + positions[k] - 1, 0.8
                    if word in ("が", "を", "に", "も", "と") and k > 2 and words[k - 1] not in FUNCTION_WORDS:
                        j = k
                        while j > 0 and k - j < 3 and re.fullmatch(r"[ぁ-ゖァ-ヺー]{2,6}", words[j - 1]):
                            j -= 1
                        if j < k and j > 1 and words[j - 1] in ("の", "は") and words[j - 2] in _SPOKEN_KIN:
                            yield offset + positions[j], offset + positions[k] - 1, 0.7
                    if word == "です" and k > 0:
                        j = k
                        while (
                            j > 0
                            and k - j < 3
                            and is_name_word(words[j - 1])
                            and re.fullmatch(r"[ぁ-ゖ]{2,5}", words[j - 1])
                        ):
                            j -= 1
                        lead = words[j - 1] if j > 0 else ""
                        kin_lead = (
                            j > 1 and words[j - 2] in (*KIN_WORDS, "母親", "父親", "子ども") and lead in ("の", "は")
                        )
                        if j < k and (lead == "もしもし" or kin_lead or (lead == "の" and j > 1)):
                            yield offset + positions[j], offset + positions[k] - 1, 0.7
                        # 「わたし は グエン ヴァン トゥアン です」: a self-introduction, kana words only
                        j = k
                        while j > 0 and k - j < 4 and re.fullmatch(r"[ぁ-ゖ]{2,5}|[ァ-ヺー]{2,8}", words[j - 1]):
                            if words[j - 1] in FUNCTION_WORDS or words[j - 1] in NOT_NAMES:
                                break
                            j -= 1
                        if j < k and j > 1 and words[j - 1] == "は" and words[j - 2] in _SELF_WORDS:
                            yield offset + positions[j], offset + positions[k] - 1, 0.75
            offset += len(line) + 1

    @staticmethod
    def _tagged(doc: Doc) -> Iterable[tuple[int, int, float]]:
        """Sudachi's dictionary knows many surnames and given names (人名-姓/名), written in kanji or
        katakana; its hiragana guesses are unreliable and left to the context rules."""
        text = doc.text  # spaCy rebuilds it on every access
        tokens = list(doc)
        i = 0
        while i < len(tokens):
            t = tokens[i]
            if (
                t.tag_.startswith(_TAG_PERSON)
                and re.search(r"[一-龥ァ-ヺ]", t.text)
                and not re.fullmatch(_HIRA + "+", t.text)
                and not _inside_katakana_word(text, t.idx, t.idx + len(t.text))
            ):
                j = i
                while (
                    j + 1 < len(tokens)
                    and tokens[j + 1].tag_.startswith(_TAG_PERSON)
                    and not tokens[j + 1].text.isspace()
                ):
                    j += 1
                start, end = t.idx, tokens[j].idx + len(tokens[j].text)
                if end - start >= 2 and not spaced_style(_line_at(text, start)):
                    yield start, end, 0.6
                i = j + 1
            else:
                i += 1


_SPOKEN_KIN = frozenset({*KIN_WORDS, "母親", "父親", "子ども", "むすめ", "むすこ", "はは", "ちち", "おっと", "つま"})
_SELF_WORDS = frozenset({"わたし", "私", "僕", "ぼく", "あたし", "うち"})
_SPOKEN_WORD = re.compile(r"^[ぁ-ゖァ-ヺー一-龥々]+$")
# Words that end a spoken name (a name's own syllables may look like い or だ, so this list is short).
_NAME_STOPS = frozenset(
    {"です", "で", "と", "さん", "は", "が", "を", "に", "の", "も", "って", "という", "と申します"}
)


def _inside_katakana_word(text: str, start: int, end: int) -> bool:
    """「アル」 of 「アルバイト」: a katakana token glued to more katakana is a piece of a word."""
    if not re.fullmatch(_KATA + "+", text[start:end]):
        return False
    return bool(re.match(_KATA, text[end : end + 1]) or re.match(_KATA, text[start - 1 : start] if start else ""))


def _line_at(text: str, pos: int) -> str:
    end = text.find("\n", pos)
    return text[text.rfind("\n", 0, pos) + 1 : end if end >= 0 else len(text)]


def _leading_spoken_name(line: str) -> tuple[int, int] | None:
    """The name words at the start of a spoken answer, before です/で/a number/an era."""
    words = line.split(" ")
    pos = 0
    k = 0
    while k < len(words) and words[k] in (
        "はい",
        "ええ",
        "あ",
        "あの",
        "えっと",
        "えー",
        "ー",
        "え",
        "わたし",
        "私",
        "は",
    ):
        pos += len(words[k]) + 1
        k += 1
    start = pos
    taken = 0
    if k < len(words) and words[k] in FUNCTION_WORDS:
        return None  # 「もちろん です」 answers, it does not name anyone
    while k < len(words) and taken < 5:
        w = words[k]
        if not _SPOKEN_WORD.match(w) or w in KANA_NUMBERS or w in KANA_WORDS or w in _NAME_STOPS:
            break
        pos += len(w) + 1
        k += 1
        taken += 1
    end = pos - 1
    return (start, end) if taken and end - start >= 2 else None
