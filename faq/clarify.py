"""Clarifying questions for two close FAQs, and reading the caller's answer to them.

The question is a short either/or the bot can say on the phone:
「固定資産税のことですか、軽自動車税のことですか」. When the two FAQs are filed under different
categories the category names tell them apart best; within one category, the FAQs' own questions
(trimmed of their question endings) do.
"""

from __future__ import annotations

import re

from faq.model import Faq
from faq.normalize import normalize_text, to_katakana

_QUESTION_ENDINGS = re.compile(
    r"(?:について教えてください|を教えてください|教えてください|について知りたい|を知りたい|はいつですか|はどこですか"
    r"|はいくらですか|とは何ですか|って何ですか|は何ですか|はどうなりますか|はありますか|ですか|ますか|ください"
    r"|はどうすればいいですか|にはどうすればいいですか|したい|てほしい|ほしい|のは|なのは)+$"
)
_YES = re.compile(
    r"^(?:はい|ええ|うん|そう|そうです|そうそう|そのとおり|その通り|お願いします|はいそうです|ああそう|いえす|それ"
    r"|前の方|最初の方|一つ目|1つ目|前者)"
)
_NO = re.compile(r"^(?:いいえ|いや|いえ|違|ちが|どちらも|どっちも|両方とも違|そうじゃな|そうではな|ノー)")
_SECOND = re.compile(r"(?:後の方|あとの方|後者|二つ目|2つ目|2番目|二番目|後ろの方)")


def _short_category(category: str) -> str:
    return re.split(r"[・/／、]", category)[0]


def option_label(faq: Faq, other: Faq | None = None) -> str:
    """What to call ``faq`` in a clarifying question (its category when ``other`` has another one)."""
    if other is not None and _short_category(faq.category) != _short_category(other.category):
        return _short_category(faq.category)
    label = _QUESTION_ENDINGS.sub("", faq.question.rstrip("。？?"))
    label = re.sub(r"[はがをにの]$", "", label)
    return label or faq.question


def clarify_question(first: Faq, second: Faq) -> str:
    """「Aのことですか、Bのことですか」 for two close FAQs."""
    a, b = option_label(first, second), option_label(second, first)
    if a == b:  # same label: fall back to the full questions
        a, b = first.question.rstrip("。？?"), second.question.rstrip("。？?")
    return f"{a}のことですか、{b}のことですか"


def confirm_question(faq: Faq) -> str:
    """「Aのことですか」: a yes/no confirmation when one FAQ is first but not sure enough to answer."""
    return f"{option_label(faq)}のことですか"


def _key_terms(label: str, other_label: str) -> list[str]:
    """Pieces of ``label`` (split at particles) that the other option's label does not contain."""
    pieces = [p for p in re.split(r"[のはがをにでとや、]", label) if len(p) >= 2]
    return [p for p in pieces if p not in other_label] or ([label] if label not in other_label else [])


def _mentions(text: str, term: str) -> bool:
    """``term`` is in ``text`` as written, in kana, or by its reading (けいじどうしゃぜい)."""
    from faq.analysis import default_analyzer

    term_n = normalize_text(term, strip_endings=False)
    if term_n in text or to_katakana(term_n) in to_katakana(text):
        return True
    analyzer = default_analyzer()
    key = analyzer.reading_key(term_n)
    return len(key) >= 3 and key in analyzer.reading_key(text)


def resolve_clarify(text: str, options: tuple[Faq, Faq]) -> Faq | None:
    """Which option the caller chose: はい/そうです → the first; naming the second's key term (or
    「後の方」) → the second; naming the first's → the first; いいえ or anything else → None."""
    first, second = options
    normalized = normalize_text(text, strip_endings=False, fillers=False)
    if not normalized:
        return None
    label_1, label_2 = option_label(first, second), option_label(second, first)
    names_second = bool(_SECOND.search(normalized)) or any(
        _mentions(normalized, t) for t in _key_terms(label_2, label_1)
    )
    names_first = any(_mentions(normalized, t) for t in _key_terms(label_1, label_2))
    if names_second and not names_first:
        return second
    if names_first and not names_second:
        return first
    if _NO.match(normalized):
        return None
    if _YES.match(normalized):
        return first
    return None
