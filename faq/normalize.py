"""Surface normalization of caller text (typed, or as a speech recognizer writes it).

What it undoes, in order:

* width and compatibility forms (NFKC: ｶﾅ→カナ, ＡＢＣ→abc, １２→12), wave dashes and stray long-vowel
  marks;
* punctuation (、。？！「」…) becomes a word break;
* fillers (えー, えっと, あのー, まあ …) when they stand alone between breaks;
* the spaces ASR engines put between words (市民 税 の → 市民税の), keeping spaces between ASCII words;
* kanji numerals before a counter (五 月 → 5月, 十 三 年 → 13年);
* polite sentence endings (…ていただけますでしょうか, …んですけど, …お願いします).

The result is still Japanese text for the tokenizer, not a bag of features; see ``faq.analysis``.
"""

from __future__ import annotations

import re
import unicodedata

# Standalone fillers and hesitations. Matched only between breaks, so あの人 / その分 survive.
FILLERS = (
    "えー", "ええ", "えっと", "えーと", "ええと", "えと", "えーっと", "あー", "あの", "あのー", "あのね", "あのさ",
    "あのですね", "そのー", "その", "まあ", "まー", "うーん", "うん", "んー", "ん", "なんか", "ほら", "もしもし",
    "すみません", "すいません", "あっ", "あ", "えっ", "おー", "はい", "ちょっと", "ちょっとさあ", "ちょっとさ",
    "ねえ", "ねぇ", "あのう", "えとですね", "えーとですね",
)

# Polite/colloquial endings stripped from the end of an utterance (longest first, repeatedly).
POLITE_ENDINGS = tuple(
    sorted(
        {
            "お願いします", "お願いいたします", "お願い致します", "お願いできますか", "お願いできますでしょうか",
            "いただけますか", "いただけますでしょうか", "いただけませんか", "いただきたいのですが",
            "いただきたいんですが", "いただきたいです", "もらえますか", "もらえませんか", "もらえる",
            "くださいませ", "ください", "下さい", "くれませんか", "くれる", "くんない",
            "でしょうか", "でしょう", "ですか", "ですが", "ですけど", "ですけれど", "ですけども", "です",
            "のですが", "のですけど", "んですが", "んですけど", "んですけども", "んだけど", "んだけどさ",
            "なんですが", "なんですけど", "なんだけど", "けど", "けれど", "けども",
            "ますか", "ません", "ます", "かね", "かしら", "かな", "かのう", "のう", "よね", "よ", "ね", "な",
            "か", "の", "んですか", "のですか", "んでしょうか", "のでしょうか", "んじゃが",
        },
        key=len,
        reverse=True,
    )
)

_PUNCT = re.compile(r"[\s、。，．,.!?！？「」『』（）()\[\]【】・…‥:：;；/／〜~\"'＂＇*＊]+")
_WAVE_OR_DASH_AFTER_KANA = re.compile(r"(?<=[ぁ-んァ-ヶ])[-‐‑–—―−ｰ~〜]")
_REPEATED_LONG = re.compile(r"ー{2,}")
_SPACE_BETWEEN = re.compile(r"(?<=[^\x00-\x7f]) +|(?<=[\x00-\x7f]) +(?=[^\x00-\x7f])")
_FILLER_RE = re.compile(
    r"(?:(?<=\s)|^)(?:" + "|".join(re.escape(f) for f in sorted(FILLERS, key=len, reverse=True)) + r")ー*(?=\s|$)"
)

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
# Counters after which a kanji numeral is a quantity (not 一緒, 一度に, 二重, 一人暮らし).
_COUNTERS = "月日年歳割円回期枚件%パ万時分ヶか箇人"
_KANJI_NUMBER = re.compile(r"([〇零一二三四五六七八九十百千]+)(?=[" + _COUNTERS + r"])")
_NOT_QUANTITY_BEFORE = frozenset("同唯統単均万")  # 同一, 唯一, 統一, 単一, 均一, 万一


def kanji_to_int(numeral: str) -> int | None:
    """Value of a kanji numeral such as 十三 or 二〇二五; None when it is not a well-formed number."""
    if all(ch in _KANJI_DIGITS for ch in numeral):
        return int("".join(str(_KANJI_DIGITS[ch]) for ch in numeral))
    total, digit, last_unit = 0, None, 10**9
    for ch in numeral:
        if ch in _KANJI_DIGITS:
            if digit is not None:
                return None
            digit = _KANJI_DIGITS[ch]
        elif ch in _KANJI_UNITS:
            unit = _KANJI_UNITS[ch]
            if unit >= last_unit:  # 十十, 十百: not a number
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    return total + (digit or 0)


def _kanji_numbers_to_digits(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        start = match.start()
        numeral = match.group(1)
        if start > 0 and text[start - 1] in _NOT_QUANTITY_BEFORE:
            return numeral
        if numeral == "一" and text[match.end() : match.end() + 1] in ("人", "回", "日"):
            # 一人 (ひとり), 一回, 一日 (ついたち) are words; keep them for the tokenizer
            return numeral
        value = kanji_to_int(numeral)
        return numeral if value is None else str(value)

    return _KANJI_NUMBER.sub(repl, text)


def unify_width(text: str) -> str:
    """NFKC, lower-case ASCII, one kind of long-vowel mark after kana."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _WAVE_OR_DASH_AFTER_KANA.sub("ー", text)
    return _REPEATED_LONG.sub("ー", text)


def remove_fillers(text: str) -> str:
    """Drop fillers that stand alone between breaks (spaces or the ends of the text)."""
    previous = None
    while previous != text:
        previous = text
        text = _FILLER_RE.sub(" ", text)
    return text


def join_asr_spacing(text: str) -> str:
    """Remove the spaces ASR puts between Japanese words; keep spaces between ASCII words."""
    return _SPACE_BETWEEN.sub("", text).strip()


def strip_polite_endings(text: str) -> str:
    """Remove polite or colloquial endings (…ていただけますか, …んですけど) from the end of the text."""
    changed = True
    while changed and text:
        changed = False
        for ending in POLITE_ENDINGS:
            if text.endswith(ending):
                if len(text) <= len(ending) + 1:
                    return text  # the ending is all there is (お願いします, ですか): keep it
                text = text[: -len(ending)]
                changed = True
                break
    return text


def normalize_text(text: str, *, strip_endings: bool = True, fillers: bool = True) -> str:
    """Normalized form of one utterance; see the module docstring for what is undone.

    ``fillers=False`` keeps fillers (はい, ええ are answers when the bot asked a yes/no question)."""
    text = unify_width(text)
    text = _PUNCT.sub(" ", text)
    if fillers:
        text = remove_fillers(f" {text} ")
    text = join_asr_spacing(text)
    text = _kanji_numbers_to_digits(text)
    if strip_endings:
        text = strip_polite_endings(text)
    return text


def to_katakana(text: str) -> str:
    """Hiragana → katakana (other characters unchanged)."""
    return "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in text)


def to_hiragana(text: str) -> str:
    """Katakana → hiragana (other characters, including ー, unchanged)."""
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in text)
