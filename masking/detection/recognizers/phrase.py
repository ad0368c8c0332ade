"""Finding where a proper-noun phrase begins, left of a suffix such as 病院 or 運輸.

Typed text has no spaces, so the phrase is the run of nominal Sudachi tokens (GiNZA's tokenizer)
before the suffix; vosk-style ASR separates every word and Sudachi splits hiragana names
unpredictably (さくらだい → さくら/だ/い), so there the phrase is the run of whitespace words that
are not function words."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from masking.detection.numerals import KANA_NUMBERS
from masking.detection.recognizers.words import FUNCTION_WORDS, KIN_WORDS, NOT_NAMES, is_name_word, spaced_style

_NOMINAL_PREFIXES = (
    "名詞-固有名詞",
    "名詞-普通名詞-一般",
    "名詞-普通名詞-サ変可能",
    "名詞-数詞",
    "接頭辞",
    "接尾辞-名詞的-一般",
)


def line_bounds(text: str, pos: int) -> tuple[int, int]:
    begin = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return begin, (len(text) if end < 0 else end)


def tokens_in(doc: Doc, start: int, end: int) -> list[Token]:
    """Tokens starting inside [start, end), found without walking the whole document."""
    if end <= start:
        return []
    span = doc.char_span(start, end, alignment_mode="expand")
    return [t for t in span if start <= t.idx < end] if span is not None else []


def is_nominal(token: Token) -> bool:
    tag = token.tag_
    if "副詞可能" in tag or token.text in FUNCTION_WORDS or token.text in KIN_WORDS or token.text in NOT_NAMES:
        return False
    return tag.startswith(_NOMINAL_PREFIXES) or (tag == "" and token.text.isalpha())


# Place-name endings that follow が/ヶ in a spoken name (みどり が おか = 緑が丘).
PLACE_ELEMENTS = frozenset(
    {"おか", "丘", "さき", "崎", "はら", "原", "や", "谷", "せき", "関", "しま", "島", "うら", "浦"}
)


def phrase_start(text: str, pos: int, doc: Doc | None, max_units: int = 4) -> int:
    """Start of the proper-noun phrase that ends at ``pos`` (``pos`` itself when there is none)."""
    begin, end = line_bounds(text, pos)
    line = text[begin:end]
    if spaced_style(line):
        start = pos
        words = text[begin:pos].split(" ")
        if words and words[-1] == "":
            words.pop()
        else:
            return pos if not words else pos - len(words[-1])  # the suffix is glued to a word
        cursor = pos - 1 if text[pos - 1 : pos] == " " else pos
        taken: list[str] = []
        for idx in range(len(words) - 1, max(-1, len(words) - 2 - max_units), -1):
            word = words[idx]
            previous = words[idx - 1] if idx > 0 else ""
            joiner = word in ("が", "ヶ", "ケ") and bool(taken) and taken[-1] in PLACE_ELEMENTS  # あさひ が おか
            ordinal = word in KANA_NUMBERS and previous in ("だい", "第")  # だい に 中学校
            if not (joiner or ordinal or is_name_word(word)):
                break
            taken.append(word)
            cursor -= len(word)
            start = cursor
            cursor -= 1  # the space before the word
        return start
    if doc is None:
        return pos
    start = pos
    for token in reversed(tokens_in(doc, begin, pos)):
        token_end = token.idx + len(token.text)
        if token_end > pos:  # the suffix starts inside this token: keep its head
            start = token.idx if is_nominal(token) else pos
            continue
        if token_end < start or token.text.isspace() or not is_nominal(token) or pos - token.idx > 16:
            break  # a space between words ends a typed phrase (「勤務先 ミナト精機」)
        start = token.idx
    return start
