"""Short caller replies the flow must recognise itself: yes/no, "nothing else", "that did not help".

ASR output varies (kana/kanji, spaces, trailing politeness), so matching is on NFKC text with spaces
and punctuation removed, by substring. Negative feedback is checked before "no", because
「わかりません」 must not read as a plain "no".
"""

from __future__ import annotations

import re
import unicodedata

_STRIP = re.compile(r"[\s、。,.!！?？「」『』・〜~]")

NOT_HELPFUL = ("わからない", "分からない", "わかりません", "分かりません", "解決しない", "解決しません",
               "役に立たない", "役に立ちません", "意味がわからない", "そうじゃない", "そういうことじゃ",
               "違う", "ちがう", "違います", "ちがいます", "聞きたいのはそれじゃ", "答えになってない",
               "納得できない")
NOTHING_ELSE = ("ありません", "ないです", "ないです", "大丈夫", "だいじょうぶ", "結構です", "けっこうです",
                "以上です", "もういい", "十分です", "わかりました", "分かりました", "ありがとう", "了解")
YES = ("はい", "ええ", "うん", "そうです", "そう", "お願いします", "あります", "あるよ", "ある")
NO = ("いいえ", "いえ", "いや", "違", "ちが", "ない", "ません")


STAFF_WORDS = ("職員", "担当", "オペレーター", "人間", "係の人", "係の方", "人と", "ひと")


def normalize(text: str) -> str:
    return _STRIP.sub("", unicodedata.normalize("NFKC", text))


def _has(text: str, words: tuple[str, ...]) -> bool:
    t = normalize(text)
    return any(w in t for w in words)


def is_not_helpful(text: str) -> bool:
    return _has(text, NOT_HELPFUL)


def is_nothing_else(text: str) -> bool:
    """「ありません」「大丈夫です」… said after an answer: the caller is done."""
    t = normalize(text)
    return len(t) <= 20 and _has(t, NOTHING_ELSE) and not is_not_helpful(t)


def is_yes(text: str) -> bool:
    t = normalize(text)
    return len(t) <= 15 and _has(t, YES) and not _has(t, NO)


def is_no(text: str) -> bool:
    t = normalize(text)
    return len(t) <= 15 and _has(t, NO)


def is_bare_staff_request(text: str) -> bool:
    """A short 「職員」「職員さん」「担当の人」: the greeting tells callers this word reaches a person."""
    t = normalize(text)
    return len(t) <= 8 and _has(t, STAFF_WORDS)
