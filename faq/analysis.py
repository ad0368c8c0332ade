"""Turn an utterance into weighted features for retrieval.

Feature families, each robust to a different way ASR text goes wrong:

``w:`` words — SudachiPy normalized forms of content morphemes (nouns, verbs, adjectives), plus
    the short units inside compounds (証明書 → 証明, 書), after the synonym table;
``r:`` reading n-grams — character 2/3-grams over the phonetic key of the whole reading, so
    homophones (しみん勢, 農婦書) and kana spellings (じゅうみんぜい) meet the KB's kanji; runs of
    single kanji that the tokenizer could not join (遠隊金, 原免) also contribute their on'yomi;
``k:`` the same over the readings of content words only (particles and light verbs left out);
``c:`` character bigrams of the normalized text, for what readings get wrong (rare kanji, names);
``q:`` the kind of question (いつ/何月 → ``q:when``, いくら → ``q:how_much``), see ``faq.ranker``;
``g:`` SudachiDict synonym-group ids (measured, not used by default: see the README).

Generic request phrases (教えてください, どうすればいい …) are taken out first; synonym concepts
are one private-use symbol in the n-gram families. The same analyzer is applied to the knowledge
base and to callers' words.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from faq.normalize import normalize_text, to_hiragana, to_katakana
from faq.phonetic import phonetic_key
from faq.synonyms import DEFAULT_SYNONYMS_PATH, SynonymConfig, SynonymTable, is_symbol, load_synonym_config

# Part-of-speech heads that carry content (Sudachi's first POS level).
_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "接尾辞"})
_SKIP_READING_POS = frozenset({"補助記号", "空白", "感動詞"})
# Lemmas too common to tell FAQs apart (all light verbs, formal nouns, politeness).
_STOP_LEMMAS = frozenset(
    """為る 有る 居る 成る 出来る 言う 思う 教える 知る 聞く 頂く 下さる 願う 貰う 呉れる 良い 宜しい いい
    こと 事 もの 物 ため 為 方 よう 様 ところ 所 感じ 場合 今 ん の 御 さん 様 たち 達 私 僕 俺 自分 うち
    分かる 大丈夫 欲しい 行う 来る 行く 見る 置く 仕舞う 済む 貰える 為さる 致す 参る 申す 伺う""".split()
)
# Question words: which kind of answer the caller wants is a strong cue between sibling FAQs.
_QUESTION_CLASSES = {
    "when": ("いつ", "何時", "何月", "何日", "何年", "時期", "いつまで", "いつから", "何曜日"),
    "where": ("どこ", "何処", "どちら", "何方"),
    "how_much": ("幾ら", "いくら", "何円", "金額", "どれくらい", "どのくらい", "何パーセント", "何割"),
    "who": ("誰", "どなた"),
    "why": ("何故", "なぜ", "なんで", "どうして"),
    "how": ("どう", "どうやって", "方法", "やり方", "仕方"),
}
_QUESTION_OF = {word: cls for cls, words in _QUESTION_CLASSES.items() for word in words}
# Request and question phrases that every kind of FAQ uses: they say how the caller asks, not what
# about, so they are taken out of the text (keeping the question class) before features are made.
_GENERIC_PHRASES = {
    "どうしたらいい": "how", "どうすればいい": "how", "どうしたら": "how", "どうすれば": "how",
    "どうなる": "how", "どうなります": "how", "どうやって": "how",
    "教えてほしい": None, "教えて": None, "知りたい": None, "聞きたい": None,
    "もらいたい": None, "もらえます": None, "もらえる": None, "もらえません": None,
    "いただけます": None, "いただきたい": None, "てほしい": None, "ほしい": None,
    "できます": None, "できる": None, "でしょうか": None, "ですか": None, "んですけど": None,
    "んですが": None, "んだけど": None, "のですが": None, "ですが": None, "ください": None,
}
_GENERIC_RE = re.compile("|".join(re.escape(p) for p in sorted(_GENERIC_PHRASES, key=len, reverse=True)))
_KANJI_RUN = re.compile(r"^[\u4e00-\u9fff々]+$")
_MAX_ALT_READINGS = 12
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Analysis:
    """What the matcher knows about one text."""

    text: str
    normalized: str
    reading: str
    features: dict[str, float]
    topics: frozenset[str] = frozenset()
    # phonetic keys before synonym symbols: the whole reading, then on'yomi of unjoined kanji runs
    readings: tuple[str, ...] = ()


_tokenizer_lock = threading.Lock()


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """One analyzer per process with the bundled synonym table (building one loads the tokenizer)."""
    return Analyzer()


@lru_cache(maxsize=1)
def _dictionary() -> Any:
    from sudachipy import Dictionary

    return Dictionary(dict="core")


class Analyzer:
    """Normalizes, tokenizes (SudachiPy, mode C) and extracts the features of a text.

    ``reading_ngrams`` are the n of the reading n-grams; ``alt_reading_weight`` scales the extra
    n-grams from the on'yomi of unjoined kanji runs.
    """

    def __init__(
        self,
        synonyms_path: Path | None = DEFAULT_SYNONYMS_PATH,
        *,
        reading_ngrams: tuple[int, ...] = (2, 3),
        char_ngrams: tuple[int, ...] = (2,),
        split_weight: float = 0.5,
        alt_reading_weight: float = 1.0,
        symbol_weight: float = 3.0,
    ) -> None:
        from sudachipy import SplitMode

        self._mode_c = SplitMode.C
        self._mode_a = SplitMode.A
        self._dict = _dictionary()
        self._tokenizer = self._dict.create(mode=SplitMode.C)
        self.reading_ngrams = reading_ngrams
        self.char_ngrams = char_ngrams
        self.split_weight = split_weight
        self.alt_reading_weight = alt_reading_weight
        self.symbol_weight = symbol_weight
        config = load_synonym_config(synonyms_path) if synonyms_path else SynonymConfig(groups={})
        self.synonyms = SynonymTable(config, self.reading_key, self._single_lemma, self._hiragana_reading)

    # --- tokenization -------------------------------------------------------------------------

    def _tokenize(self, text: str) -> list[Any]:
        if not text:
            return []
        # A Sudachi tokenizer is not safe to share between threads.
        with _tokenizer_lock:
            return list(self._tokenizer.tokenize(text, self._mode_c))

    def reading_key(self, text: str) -> str:
        """Phonetic key of the reading of ``text`` (fillers and symbols dropped)."""
        morphemes = self._tokenize(normalize_text(text, strip_endings=False))
        return phonetic_key(self._reading(morphemes))

    def _hiragana_reading(self, term: str) -> str:
        """The reading of ``term`` in hiragana (住民税 → じゅうみんぜい); "" when it has ASCII or digits."""
        if any(ch.isascii() for ch in term):
            return ""
        return to_hiragana(self._reading(self._tokenize(normalize_text(term, strip_endings=False))))

    def _single_lemma(self, term: str) -> str | None:
        morphemes = self._tokenize(normalize_text(term, strip_endings=False))
        return morphemes[0].normalized_form() if len(morphemes) == 1 else None

    @staticmethod
    def _reading(morphemes: Iterable[Any]) -> str:
        parts = []
        for m in morphemes:
            if m.part_of_speech()[0] in _SKIP_READING_POS:
                continue
            surface = m.surface()
            reading = m.reading_form()
            if m.is_oov() and _HAS_KANJI.search(surface):
                # Sudachi has no reading for a kanji it does not know (住託 → 住 + 託 read as 託):
                # a recognizer's wrong character still has a sound, which is what matters here.
                reading = kanji_reading(surface)
            # ASCII words and digits: keep the surface (Sudachi reads 13 as イチサン).
            parts.append(surface if surface.isascii() else reading or to_katakana(surface))
        # Digits (dates, amounts) say little about which FAQ is meant and match the answers' dates.
        return _DIGITS.sub("", "".join(parts))

    def nouns(self, text: str) -> list[str]:
        """Content nouns of ``text`` (two characters or more), as written."""
        morphemes = self._tokenize(normalize_text(text, strip_endings=False))
        return [
            m.surface()
            for m in morphemes
            if m.part_of_speech()[:2] in (("名詞", "普通名詞"), ("名詞", "固有名詞")) and len(m.surface()) >= 2
        ]

    # --- features -----------------------------------------------------------------------------

    def analyze(self, text: str) -> Analysis:
        normalized = self.synonyms.rewrite_text(normalize_text(text))
        features: defaultdict[str, float] = defaultdict(float)
        for match in _GENERIC_RE.finditer(normalized):
            question = _GENERIC_PHRASES[match.group(0)]
            if question:
                features["q:" + question] += 1.0
        normalized = _GENERIC_RE.sub(" ", normalized).strip()
        morphemes = self._tokenize(normalized)
        self._word_features(morphemes, features)
        symbolize = self.synonyms.symbolize_reading
        symbol_weight = self.symbol_weight
        plain = phonetic_key(self._reading(morphemes))
        reading = symbolize(plain)
        for gram in _ngrams(reading, self.reading_ngrams):
            features["r:" + gram] += symbol_weight if len(gram) == 1 else 1.0
        content = symbolize(phonetic_key(self._reading(m for m in morphemes if _is_content(m))))
        for gram in _ngrams(content, self.reading_ngrams):
            features["k:" + gram] += symbol_weight if len(gram) == 1 else 1.0
        alternatives = self._alternative_readings(morphemes)
        alt_grams = {
            gram
            for alt in alternatives
            for gram in _ngrams(symbolize(alt), self.reading_ngrams)
            if "r:" + gram not in features
        }
        for gram in alt_grams:
            weight = self.alt_reading_weight * (symbol_weight if len(gram) == 1 else 1.0)
            features["r:" + gram] += weight
            features["k:" + gram] += weight
        compact = self.synonyms.symbolize_text(_DIGITS.sub("", normalized.replace(" ", "")))
        for gram in _ngrams(compact, self.char_ngrams):
            features["c:" + gram] += symbol_weight if len(gram) == 1 and is_symbol(gram) else 1.0
        topics = self.synonyms.topics(reading) | self.synonyms.topics(compact)
        return Analysis(
            text=text,
            normalized=normalized,
            reading=reading,
            features=dict(features),
            topics=topics,
            readings=(plain, *alternatives),
        )

    def _word_features(self, morphemes: list[Any], features: defaultdict[str, float]) -> None:
        for m in morphemes:
            pos = m.part_of_speech()
            lemma = self.synonyms.canonical_lemma(m.normalized_form())
            question = _QUESTION_OF.get(lemma) or _QUESTION_OF.get(m.surface())
            if question:
                features["q:" + question] += 1.0
                continue
            if pos[0] not in _CONTENT_POS or pos[1] == "非自立可能" or lemma in _STOP_LEMMAS:
                continue
            features["w:" + lemma] += 1.0
            for group in m.synonym_group_ids():
                features[f"g:{group}"] += 1.0
            parts = m.split(self._mode_a)
            if len(parts) > 1:
                for part in parts:
                    part_lemma = part.normalized_form()
                    if part_lemma not in _STOP_LEMMAS:
                        features["w:" + part_lemma] += self.split_weight
                        for group in part.synonym_group_ids():
                            features[f"g:{group}"] += self.split_weight

    def _alternative_readings(self, morphemes: list[Any]) -> list[str]:
        """On'yomi readings of kanji runs the tokenizer left in pieces (likely misrecognitions)."""
        out: list[str] = []
        run: list[Any] = []
        for m in [*morphemes, None]:
            if m is not None and _KANJI_RUN.match(m.surface()):
                run.append(m)
                continue
            surface = "".join(x.surface() for x in run)
            if len(surface) >= 2 and any(
                len(x.surface()) == 1 or x.part_of_speech()[1] == "固有名詞" for x in run
            ):
                out.extend(self._char_readings(surface))
            run = []
        return out

    def _char_readings(self, surface: str) -> list[str]:
        options = [_onyomi(self._dict, ch) for ch in surface]
        readings = []
        for combo in itertools.islice(itertools.product(*options), _MAX_ALT_READINGS):
            readings.append(phonetic_key("".join(combo)))
        return readings


def _is_content(m: Any) -> bool:
    pos = m.part_of_speech()
    return pos[0] not in ("助詞", "助動詞") and m.normalized_form() not in _STOP_LEMMAS


@lru_cache(maxsize=8192)
def _onyomi(dictionary: Any, ch: str) -> tuple[str, ...]:
    """Up to three readings of a single kanji as a noun, prefix or suffix (its on'yomi, mostly);
    for a kanji the dictionary does not list alone (託, 謄), the reading Open JTalk gives it."""
    seen: list[str] = []
    for m in dictionary.lookup(ch):
        reading = m.reading_form()
        if m.part_of_speech()[0] in ("名詞", "接尾辞", "接頭辞") and 1 <= len(reading) <= 3 and reading not in seen:
            seen.append(reading)
    if not seen and _HAS_KANJI.search(ch):
        seen.append(kanji_reading(ch))
    return tuple(seen[:3]) or (ch,)


_HAS_KANJI = re.compile(r"[\u4e00-\u9fff々]")
_NOT_KATAKANA = re.compile(r"[^ァ-ヶー]")
_jtalk_lock = threading.Lock()


@lru_cache(maxsize=8192)
def kanji_reading(surface: str) -> str:
    """Katakana reading of a kanji word SudachiDict does not know, from Open JTalk's dictionary
    (pyopenjtalk-plus, a dependency for speech synthesis); the surface itself when it has none."""
    try:
        import pyopenjtalk
    except ImportError:  # pragma: no cover - a core dependency; keep the old behaviour without it
        return surface
    with _jtalk_lock:
        reading = _NOT_KATAKANA.sub("", str(pyopenjtalk.g2p(surface, kana=True)))
    return reading or surface


def _ngrams(text: str, sizes: tuple[int, ...]) -> Iterable[str]:
    """Character n-grams; a synonym symbol also stands alone (it is a whole concept)."""
    for ch in text:
        if is_symbol(ch):
            yield ch
    for n in sizes:
        if len(text) < n:
            if len(text) and n == sizes[0]:
                yield text
            continue
        for i in range(len(text) - n + 1):
            yield text[i : i + n]
