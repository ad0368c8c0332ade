"""Short caller replies the flow must recognise itself: yes/no, "nothing else", "that did not help".

ASR output varies (kana/kanji, spaces, trailing politeness), so matching is on NFKC text with spaces
and punctuation removed. Replies are short and start with their key word; anything longer, or ending
like a question (「減免はありませんか」), is left to the FAQ matcher. The flow checks negative feedback
before "no", because 「わかりません」 must not read as a plain "no".
"""

from __future__ import annotations

import re
import unicodedata

_STRIP = re.compile(r"[\s、。,.!！?？「」『』・〜~]")

NOT_HELPFUL = ("わからない", "分からない", "わかりません", "分かりません", "解決しない", "解決しません",
               "役に立たない", "役に立ちません", "意味がわからない", "そうじゃない", "そういうことじゃ",
               "違う", "ちがう", "違います", "ちがいます", "聞きたいのはそれじゃ", "答えになってない",
               "納得できない", "違くて", "ちがくて", "そうじゃなくて", "それも違")
# How a "nothing else" reply starts (「特にありません」「大丈夫です」「ありがとうございました」).
NOTHING_ELSE_START = ("いいえ", "いえ", "特に", "とくに", "もう", "大丈夫", "だいじょうぶ", "結構", "けっこう",
                      "以上", "ないです", "ありません", "ない", "わかりました", "分かりました", "了解",
                      "ありがとう", "十分", "大丈夫です")
YES_START = ("はい", "ええ", "うん", "そうです", "お願いします", "あります", "あるよ", "ある")
NO_START = ("いいえ", "いえ", "いや", "違", "ちが", "ないです", "ありません", "ない")
SHORT = 8  # a bare yes/no: longer replies are treated as a question

STAFF_WORDS = ("職員", "担当", "オペレーター", "人間", "係の人", "係の方", "人と", "ひと")


def normalize(text: str) -> str:
    return _STRIP.sub("", unicodedata.normalize("NFKC", text))


def _has(text: str, words: tuple[str, ...]) -> bool:
    t = normalize(text)
    return any(w in t for w in words)


def _question(t: str) -> bool:
    return t.endswith(("か", "かね", "かな", "の"))


def is_not_helpful(text: str) -> bool:
    """「よくわかりません」「それじゃ解決しない」 after an answer (not a question that mentions 違う)."""
    t = normalize(text)
    return len(t) <= 20 and not _question(t) and _has(t, NOT_HELPFUL)


def is_nothing_else(text: str) -> bool:
    """「ありません」「大丈夫です」… said after an answer: the caller is done."""
    t = normalize(text)
    return (len(t) <= 20 and t.startswith(NOTHING_ELSE_START) and not _question(t)
            and not is_not_helpful(t))


def is_yes(text: str) -> bool:
    t = normalize(text)
    return len(t) <= SHORT and t.startswith(YES_START) and not _has(t, ("ない", "ません", "いいえ"))


def is_no(text: str) -> bool:
    t = normalize(text)
    return len(t) <= SHORT and t.startswith(NO_START) and not _question(t)


def is_bare_staff_request(text: str) -> bool:
    """A short 「職員」「職員さん」「担当の人」: the greeting tells callers this word reaches a person."""
    t = normalize(text)
    return len(t) <= 8 and _has(t, STAFF_WORDS)
