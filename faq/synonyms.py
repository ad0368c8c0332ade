"""The tax-domain synonym table: variants (市県民税, 国保, 原チャリ …) are one concept.

A concept is matched three ways: on the normalized text (kanji, kana, ASCII), on the tokenizer's
lemmas (so inflected forms of a verb variant still map), and on the phonetic key of the reading (so a
variant spelled in kana or with homophone characters, しみんぜい or しみん勢, maps too).

In the n-gram features a concept becomes one private-use symbol instead of its characters, so a long
term (国民健康保険税: 20 reading n-grams) weighs as much as a short one (延滞金) and the long one's
spelling variants (国保税, 国民健康保険料) meet exactly.

``topics`` name the subjects a call is about (which tax): an FAQ filed under one tax is not the
answer to a question that names another one (see ``faq.matcher``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from faq.errors import ConfigError
from faq.normalize import to_hiragana, unify_width

DEFAULT_SYNONYMS_PATH = Path(__file__).resolve().parent / "data" / "synonyms.yaml"
# Reading keys shorter than this are too ambiguous to rewrite inside other words (ケイ, コク …).
MIN_READING_KEY = 4
# Hiragana spellings shorter than this (けい, こく) are too ambiguous to rewrite.
MIN_KANA_SPELLING = 3
_SYMBOL_BASE = 0xE000  # Unicode private use area: never in caller text after normalization


@dataclass(frozen=True)
class SynonymConfig:
    groups: dict[str, list[str]]
    topics: dict[str, list[str]] = field(default_factory=dict)


def load_synonym_config(path: Path = DEFAULT_SYNONYMS_PATH) -> SynonymConfig:
    """Read ``synonyms: {canonical: [variant, …]}`` and ``topics: {topic: [canonical, …]}`` from YAML."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the synonym table: {exc}") from exc
    groups = raw.get("synonyms") if isinstance(raw, dict) else None
    if not isinstance(groups, dict):
        raise ConfigError(f"{path}: expected a mapping 'synonyms: {{canonical: [variants]}}'")
    out: dict[str, list[str]] = {}
    for canonical, variants in groups.items():
        if not isinstance(variants, list) or not all(isinstance(v, str) and v for v in variants):
            raise ConfigError(f"{path}: synonyms of {canonical!r} must be a list of non-empty strings")
        out[str(canonical)] = [str(v) for v in variants]
    topics = raw.get("topics") or {}
    if not isinstance(topics, dict) or not all(isinstance(v, list) for v in topics.values()):
        raise ConfigError(f"{path}: expected 'topics: {{topic: [canonical terms]}}'")
    for topic, terms in topics.items():
        unknown = [t for t in terms if t not in out]
        if unknown:
            raise ConfigError(f"{path}: topic {topic!r} names terms that are not canonical synonyms: {unknown}")
    return SynonymConfig(groups=out, topics={str(k): [str(t) for t in v] for k, v in topics.items()})


def _alternation(keys: Mapping[str, object]) -> re.Pattern[str] | None:
    if not keys:
        return None
    return re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))


class SynonymTable:
    """Compiled rewrite rules; built once per analyzer."""

    def __init__(
        self,
        config: SynonymConfig,
        reading_key: Callable[[str], str],
        lemma_of: Callable[[str], str | None],
        kana_of: Callable[[str], str] = lambda term: "",
    ) -> None:
        """``reading_key(term)`` is the phonetic key of a term's reading; ``lemma_of(term)`` the lemma
        when the term is a single word (else None); ``kana_of(term)`` its reading in hiragana, which
        is how a recognizer writes a word it is unsure of (こくほ, ろーそん)."""
        self.text_map: dict[str, str] = {}
        self.lemma_map: dict[str, str] = {}
        self.symbol: dict[str, str] = {}
        self._symbol_of_text: dict[str, str] = {}
        self._symbol_of_key: dict[str, str] = {}
        for number, (canonical, variants) in enumerate(config.groups.items()):
            canonical_n = unify_width(canonical)
            symbol = chr(_SYMBOL_BASE + number)
            self.symbol[canonical_n] = symbol
            for term in (canonical_n, *(unify_width(v) for v in variants)):
                for spelling in (term, to_hiragana(term), kana_of(term)):
                    if spelling == term or len(spelling) >= MIN_KANA_SPELLING:
                        self.text_map.setdefault(spelling, canonical_n)
                        self._symbol_of_text.setdefault(spelling, symbol)
                key = reading_key(term)
                if len(key) >= MIN_READING_KEY:
                    self._symbol_of_key.setdefault(key, symbol)
                lemma = lemma_of(term)
                if lemma and lemma != canonical_n:
                    self.lemma_map.setdefault(lemma, canonical_n)
        self.topic_of_symbol = {
            self.symbol[unify_width(term)]: topic for topic, terms in config.topics.items() for term in terms
        }
        self._text_re = _alternation(self.text_map)
        self._symbol_text_re = _alternation(self._symbol_of_text)
        self._symbol_key_re = _alternation(self._symbol_of_key)

    def rewrite_text(self, text: str) -> str:
        """Variants → canonical term, in text (before tokenizing)."""
        if self._text_re is None:
            return text
        return self._text_re.sub(lambda m: self.text_map[m.group(0)], text)

    def canonical_lemma(self, lemma: str) -> str:
        return self.lemma_map.get(lemma, lemma)

    def symbolize_text(self, text: str) -> str:
        """Concepts → their symbol, in normalized text."""
        if self._symbol_text_re is None:
            return text
        return self._symbol_text_re.sub(lambda m: self._symbol_of_text[m.group(0)], text)

    def symbolize_reading(self, key: str) -> str:
        """Concepts → their symbol, in a phonetic reading key."""
        if self._symbol_key_re is None:
            return key
        return self._symbol_key_re.sub(lambda m: self._symbol_of_key[m.group(0)], key)

    def topics(self, symbolized: str) -> frozenset[str]:
        """Topics (e.g. which tax) named in a symbolized text or reading."""
        return frozenset(self.topic_of_symbol[ch] for ch in symbolized if ch in self.topic_of_symbol)


def is_symbol(ch: str) -> bool:
    return _SYMBOL_BASE <= ord(ch) < _SYMBOL_BASE + 0x1900
