"""A loose phonetic key over katakana readings, so homophones and near-homophones meet.

Speech recognizers write the right sounds with the wrong characters (特別徴収 → 特別聴取, 納付書 → 農婦書)
and the tokenizer's readings differ in vowel length or gemination (チョウシュウ/チョウシュ, メッシツ/メシツ).
The key keeps consonants and voicing but drops what callers and recognizers blur: long vowels
(ー, オウ/ウウ/エイ → one vowel), the small ッ, and spelling variants (ヂ→ジ, ヅ→ズ, ヲ→オ, ヴ→ブ).
"""

from __future__ import annotations

from functools import lru_cache

from faq.normalize import to_katakana

_VOWEL_ROWS = {
    "a": "アカガサザタダナハバパマヤラワァャヵ",
    "i": "イキギシジチヂニヒビピミリィ",
    "u": "ウクグスズツヅヌフブプムユルゥュヴ",
    "e": "エケゲセゼテデネヘベペメレェヶ",
    "o": "オコゴソゾトドノホボポモヨロヲォョ",
}
_VOWEL_OF = {ch: vowel for vowel, chars in _VOWEL_ROWS.items() for ch in chars}
_SMALL_AFTER_CONSONANT = frozenset("ャュョァィゥェォ")
_SPELLING = str.maketrans({"ヂ": "ジ", "ヅ": "ズ", "ヲ": "オ", "ヴ": "ブ", "ヮ": "ワ", "ヵ": "カ", "ヶ": "ケ"})
_PLAIN_VOWEL = {"a": "ア", "i": "イ", "u": "ウ", "e": "エ", "o": "オ"}


@lru_cache(maxsize=65536)
def phonetic_key(reading: str) -> str:
    """Collapse a katakana (or hiragana) reading to its phonetic key; other characters are kept."""
    text = to_katakana(reading).translate(_SPELLING)
    out: list[str] = []
    previous_vowel: str | None = None
    for ch in text:
        if ch in ("ー", "ッ"):
            continue
        vowel = _VOWEL_OF.get(ch)
        if ch in _SMALL_AFTER_CONSONANT and out:
            out.append(ch)
            previous_vowel = vowel
            continue
        if vowel is not None and ch in "アイウエオ" and previous_vowel is not None:
            # a bare vowel lengthening the previous mora: オウ, ウウ, エイ, イイ, アア, オオ
            if ch == _PLAIN_VOWEL[previous_vowel] or (ch == "ウ" and previous_vowel == "o") or (
                ch == "イ" and previous_vowel == "e"
            ):
                continue
        out.append(ch)
        previous_vowel = vowel
    return "".join(out)
