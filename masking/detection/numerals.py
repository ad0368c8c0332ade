"""Spoken, kanji and full-width numbers rewritten as ASCII digits, with an offset map.

ASR output spells numbers as kana words (ゼロ はち ゼロ の …), kanji numerals (〇九〇, 八十七),
full-width digits or a mix; typed notes use full-width digits. Pattern recognizers work on the
normalized view, and every normalized character remembers the original span it came from, so a
match maps back to exact offsets in the original text (Python str indices).

Kana number words are taken only as whole whitespace-delimited tokens (the vosk style): inside
running text さん, に, ご are particles and honorifics, not numbers. Ambiguous words (に, さん, ご,
し, く, いっ …) count only inside a run of numbers or right before a counter word (さい, ちょうめ,
ヶ月 …), which keeps 「要 介護 さん」 and 「いのうえ さん」 as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache


class _Kind(Enum):
    DIGIT = "digit"
    WEAK_DIGIT = "weak"  # a digit only inside a number run or before a counter
    POSITIONAL = "positional"  # 十 百 千 万
    DAY = "day"  # ついたち … はつか: a day of the month
    ZERO_FILL = "zero_fill"  # とんで: "skip" inside a quantity (五千とんで八 = 5008)


def _both_scripts(words: dict[str, tuple[_Kind, int]]) -> dict[str, tuple[_Kind, int]]:
    """Add the katakana spelling of each hiragana word (ASR emits either)."""
    out = dict(words)
    for word, value in words.items():
        kata = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in word)
        out.setdefault(kata, value)
    return out


D, W, P = _Kind.DIGIT, _Kind.WEAK_DIGIT, _Kind.POSITIONAL
KANA_NUMBERS: dict[str, tuple[_Kind, int]] = _both_scripts(
    {
        "ぜろ": (D, 0),
        "れい": (D, 0),
        "まる": (W, 0),
        "いち": (D, 1),
        "いっ": (W, 1),
        "ひと": (W, 1),
        "に": (W, 2),
        "にい": (W, 2),
        "さん": (W, 3),
        "よん": (D, 4),
        "よ": (W, 4),
        "し": (W, 4),
        "ご": (W, 5),
        "ごう": (W, 5),
        "ろく": (D, 6),
        "ろっ": (W, 6),
        "なな": (D, 7),
        "しち": (D, 7),
        "はち": (D, 8),
        "はっ": (W, 8),
        "きゅう": (D, 9),
        "く": (W, 9),
        "じゅう": (P, 10),
        "じゅっ": (P, 10),
        "じっ": (P, 10),
        "にじゅう": (P, 20),
        "さんじゅう": (P, 30),
        "よんじゅう": (P, 40),
        "ごじゅう": (P, 50),
        "ろくじゅう": (P, 60),
        "ななじゅう": (P, 70),
        "しちじゅう": (P, 70),
        "はちじゅう": (P, 80),
        "きゅうじゅう": (P, 90),
        "ひゃく": (P, 100),
        "びゃく": (P, 100),
        "ぴゃく": (P, 100),
        "にひゃく": (P, 200),
        "さんびゃく": (P, 300),
        "よんひゃく": (P, 400),
        "ごひゃく": (P, 500),
        "ろっぴゃく": (P, 600),
        "ななひゃく": (P, 700),
        "はっぴゃく": (P, 800),
        "きゅうひゃく": (P, 900),
        "せん": (P, 1000),
        "ぜん": (P, 1000),
        "まん": (P, 10000),
        "ついたち": (_Kind.DAY, 1),
        "ふつか": (_Kind.DAY, 2),
        "みっか": (_Kind.DAY, 3),
        "よっか": (_Kind.DAY, 4),
        "いつか": (_Kind.DAY, 5),
        "むいか": (_Kind.DAY, 6),
        "なのか": (_Kind.DAY, 7),
        "ようか": (_Kind.DAY, 8),
        "ここのか": (_Kind.DAY, 9),
        "とおか": (_Kind.DAY, 10),
        "はつか": (_Kind.DAY, 20),
        "とんで": (_Kind.ZERO_FILL, 0),
    }
)
# ゼロ is katakana in the lexicon's source form; add it explicitly (the script helper maps hira→kata).
KANA_NUMBERS["ゼロ"] = (D, 0)

KANJI_NUMBERS: dict[str, tuple[_Kind, int]] = {
    "〇": (D, 0),
    "零": (D, 0),
    "一": (D, 1),
    "二": (D, 2),
    "三": (D, 3),
    "四": (D, 4),
    "五": (D, 5),
    "六": (D, 6),
    "七": (D, 7),
    "八": (D, 8),
    "九": (D, 9),
    "十": (P, 10),
    "百": (P, 100),
    "千": (P, 1000),
    "万": (P, 10000),
}

# Whole kana tokens rewritten to the written form so one set of patterns serves every style.
KANA_WORDS: dict[str, str] = {
    "さい": "歳",
    "ねん": "年",
    "がつ": "月",
    "にち": "日",
    "ちょうめ": "丁目",
    "ばんち": "番地",
    "かげつ": "か月",
    "しょうわ": "昭和",
    "へいせい": "平成",
    "たいしょう": "大正",
    "れいわ": "令和",
    "めいじ": "明治",
    "がんねん": "元年",
    "がん": "元",
    "はたち": "20歳",
    "ちょう": "町",
    "まち": "町",
    "ごうしつ": "号室",
}
# A lone ambiguous number word counts only right before one of these.
COUNTERS = frozenset(
    {
        "歳",
        "才",
        "さい",
        "丁目",
        "ちょうめ",
        "番地",
        "ばんち",
        "ヶ月",
        "か月",
        "カ月",
        "ヵ月",
        "ケ月",
        "かげつ",
        "年",
        "ねん",
        "月",
        "がつ",
        "日",
        "号",
        "番",
        "人",
        "回",
        "階",
        "万",
        "千",
        "円",
    }
)

_SPACE = " \u3000\t"
BLOCK_WORDS = frozenset({"ちょうめ", "丁目", "番地", "ばんち", "番", "ちょう", "まち", "町"})
_AFTER_SEPARATOR = re.compile(r"[ \u3000]+(?:の|ハイフン|はいふん)[ \u3000]+(\S+)")
_CONTINUATION = re.compile(r"[ \u3000]*(?:の|ハイフン|はいふん|ダッシュ|[-‐‑−－ー・])[ \u3000]*$")
_TOKEN_RE = re.compile(r"[^\s]+")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """``text`` with numbers as ASCII digits; ``starts``/``ends`` give each char's original span."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalized text to the original text."""
        if end <= start:
            return self.starts[start], self.starts[start]
        return self.starts[start], self.ends[end - 1]


@dataclass(slots=True)
class _Unit:
    start: int
    end: int
    kind: _Kind
    value: int
    written: bool  # an ASCII/full-width digit (typed), not a word


def _digit_value(ch: str) -> int | None:
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "０" <= ch <= "９":
        return ord(ch) - 0xFF10
    return None


def _units(text: str) -> list[_Unit | tuple[int, int, str]]:
    """Split into number units, counter words (start, end, replacement) and nothing else."""
    found: list[_Unit | tuple[int, int, str]] = []
    for m in _TOKEN_RE.finditer(text):
        token, start = m.group(), m.start()
        if token in KANA_NUMBERS:
            kind, value = KANA_NUMBERS[token]
            found.append(_Unit(start, m.end(), kind, value, written=False))
            continue
        if token in KANA_WORDS:
            found.append((start, m.end(), KANA_WORDS[token]))
            continue
        for i, ch in enumerate(token):
            digit = _digit_value(ch)
            if digit is not None:
                found.append(_Unit(start + i, start + i + 1, _Kind.DIGIT, digit, written=True))
            elif ch in KANJI_NUMBERS:
                kind, value = KANJI_NUMBERS[ch]
                if kind is _Kind.DIGIT and _in_place_name(token, i):
                    continue  # 八幡, 二戸, 三条: a numeral inside a name, not a number
                found.append(_Unit(start + i, start + i + 1, kind, value, written=False))
    return found


_COUNTER_HEADS = frozenset("年月日歳才丁番号人回階万千百十円か箇ヶケカヵ週時分級割倍個枚本代度名件軒棟部泊食期次等区条")


def _in_place_name(token: str, i: int) -> bool:
    """A lone kanji digit glued to a following kanji that is no counter (八幡下, 二戸市)."""
    nxt = token[i + 1 : i + 2]
    prev = token[i - 1 : i] if i else ""
    if not nxt or not ("一" <= nxt <= "龥") or nxt in KANJI_NUMBERS or nxt in _COUNTER_HEADS:
        return False
    return not (prev and (prev in KANJI_NUMBERS or _digit_value(prev) is not None or prev == "第"))


def _gap_joins(text: str, end: int, start: int) -> bool:
    """Units belong to one number when only spaces (no line break) lie between them."""
    return all(c in _SPACE for c in text[end:start])


def _next_word(text: str, pos: int) -> str:
    m = _TOKEN_RE.match(text, pos + len(text[pos:]) - len(text[pos:].lstrip(_SPACE)))
    return m.group() if m else ""


def _previous_word(text: str, pos: int) -> str:
    words = text[:pos].rstrip(_SPACE).rsplit(None, 1)
    return words[-1] if words else ""


def _quantity(units: list[_Unit]) -> int:
    total = section = 0
    current: int | None = None
    prev_digit = False
    for u in units:
        if u.kind in (_Kind.DIGIT, _Kind.WEAK_DIGIT):
            current = current * 10 + u.value if (current is not None and prev_digit) else u.value
            prev_digit = True
            continue
        prev_digit = False
        if u.kind is _Kind.POSITIONAL and u.value == 10000:
            total += (section + (current or 0)) * 10000 if (section or current) else 10000
            section, current = 0, None
        elif u.kind is _Kind.POSITIONAL:
            section += (current if current is not None else 1) * u.value
            current = None
    return total + section + (current or 0)


def _render(units: list[_Unit]) -> list[tuple[str, int, int]]:
    """Digits for one run of number units, each with the original span it covers."""
    start, end = units[0].start, units[-1].end
    day = units[-1].value if units[-1].kind is _Kind.DAY else None
    body = units[:-1] if day is not None else units
    if any(u.kind is _Kind.POSITIONAL for u in body) or day is not None:
        value = (_quantity(body) if body else 0) + (day or 0)
        return [(ch, start, end) for ch in str(value) + ("日" if day is not None else "")]
    # A digit string (phone, My Number …): each digit keeps its own word's span.
    return [(str(u.value), u.start, u.end) for u in body if u.kind is not _Kind.ZERO_FILL]


def _accept(run: list[_Unit], text: str) -> bool:
    follower = _next_word(text, run[-1].end)
    if all(u.kind is _Kind.POSITIONAL for u in run):
        # 千葉, 万が一: a lone 十/百/千/万 is a number only before a counter (十 月, 百 円).
        return any(follower.startswith(c) for c in COUNTERS)
    if any(u.kind is not _Kind.WEAK_DIGIT for u in run) and any(
        u.kind in (_Kind.DIGIT, _Kind.POSITIONAL, _Kind.DAY) for u in run
    ):
        return True
    if len(run) >= 3:
        return True
    # 「に ちょうめ さん の ご」: right after a block word, or before 「の」 and another number
    if _previous_word(text, run[0].start) in BLOCK_WORDS:
        return True
    nxt = _AFTER_SEPARATOR.match(text, run[-1].end)
    strong = nxt and nxt.group(1) in KANA_NUMBERS and KANA_NUMBERS[nxt.group(1)][0] is _Kind.DIGIT
    if nxt and (strong or nxt.group(1)[:1].isdigit()):
        return True
    return any(follower.startswith(c) for c in COUNTERS)


@lru_cache(maxsize=16)
def normalize(text: str) -> NormalizedText:
    """Rewrite numbers as ASCII digits; cached because every recognizer asks for the same text."""
    pieces: list[tuple[str, int, int]] = []  # (normalized char, original start, original end)
    cursor = 0

    def copy_until(pos: int) -> None:
        nonlocal cursor
        pieces.extend((text[i], i, i + 1) for i in range(cursor, pos))
        cursor = pos

    items = _units(text)
    last_end = -1  # end of the last number taken: 「じゅう よん の さん」 continues a number
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, tuple):
            start, end, replacement = item
            copy_until(start)
            pieces.extend((ch, start, end) for ch in replacement)
            cursor = end
            i += 1
            continue
        run = [item]
        j = i + 1
        while j < len(items):
            nxt = items[j]
            if isinstance(nxt, tuple) or not _gap_joins(text, run[-1].end, nxt.start):
                break
            # A typed digit and a spoken digit word never form one number (6万2千 does).
            if nxt.written != run[-1].written and _Kind.POSITIONAL not in (nxt.kind, run[-1].kind):
                break
            run.append(nxt)
            j += 1
        continues = last_end >= 0 and _CONTINUATION.match(text, last_end, run[0].start) is not None
        if continues or _accept(run, text):
            copy_until(run[0].start)
            pieces.extend(_render(run))
            cursor = last_end = run[-1].end
        i = j
    copy_until(len(text))
    return NormalizedText(
        original=text,
        text="".join(p[0] for p in pieces),
        starts=tuple(p[1] for p in pieces),
        ends=tuple(p[2] for p in pieces),
    )
