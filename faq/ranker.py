"""Rank the FAQs (and the out-of-scope subjects) for one utterance.

Score of an entry = ``alpha`` · best single text (question or one variant)
                  + (1 − ``alpha``) · the entry as a whole (question + variants + half-weighted answer),
both BM25 over the feature families of ``faq.analysis``, mixed by ``family_weights``; then
× (1 − ``topic_penalty``) when the caller names a tax and the FAQ is filed under another one,
× (1 + ``question_bonus``) when the FAQ is asked with the same kind of question word (いつ, いくら …),
× ``scope_weight`` for the out-of-scope subjects.

The best-text part rewards a close paraphrase; the whole-entry part lets the answer's vocabulary
(信用金庫, 延滞金の割合 …) and the spread of variants count.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from faq.analysis import Analysis, Analyzer
from faq.index import IndexBuilder, IndexParams, Scheme
from faq.model import Faq
from faq.scope import ScopeEntry

MIN_TERM_KEY, MAX_TERM_KEY = 4, 14
# An FAQ id as answers cite it (JUMIN-008, SHOMEI-010): "see that FAQ".
_FAQ_REF = re.compile(r"[A-Z]{2,}-[0-9]{2,}")
_PARENTHETICAL = re.compile(r"（[^（）]*）|\([^()]*\)")


def strip_cross_references(answer: str) -> str:
    """The answer without what it says about other FAQs.

    「評価額に不服がある場合は審査申出の制度があります（KOTEI-005）」 in KOTEI-004's answer describes
    KOTEI-005, and its words (不服, 申出) would make KOTEI-004 the match for a question about
    KOTEI-005. A parenthetical that cites an FAQ among other words (「（継続検査用は無料、KEIJI-004参照）」)
    is dropped; a sentence that still cites one after that (a pointer such as 「非課税の基準は
    JUMIN-008を参照」 or 「…があります（KOTEI-005）」) is dropped whole.
    """
    if not _FAQ_REF.search(answer):
        return answer
    kept = []
    for sentence in answer.split("。"):
        sentence = _PARENTHETICAL.sub(_drop_citing_aside, sentence)
        if not _FAQ_REF.search(sentence):
            kept.append(sentence)
    return "。".join(kept)


def _drop_citing_aside(match: re.Match[str]) -> str:
    """A parenthetical that cites an FAQ among other words goes; a bare citation （KOTEI-005） stays,
    so that its sentence is dropped whole."""
    inner = match.group(0)[1:-1]
    if _FAQ_REF.search(inner) and _FAQ_REF.sub("", inner).strip("、,・ 参照"):
        return ""
    return match.group(0)


def _default_family_weights() -> dict[str, float]:
    return {"w": 0.2, "r": 0.3, "k": 0.1, "c": 0.2}


@dataclass(frozen=True)
class RankerParams:
    family_weights: Mapping[str, float] = field(default_factory=_default_family_weights)
    alpha: float = 0.2
    answer_weight: float = 0.5
    topic_penalty: float = 0.5
    question_bonus: float = 0.2
    scope_weight: float = 1.2
    term_weight: float = 1.0
    scheme: Scheme = "bm25"
    bm25_k1: float = 1.2
    bm25_b: float = 0.5


@dataclass(frozen=True)
class Ranking:
    """Scores of every entry for one utterance; entries ``[0, n_faqs)`` are FAQs, the rest scope."""

    analysis: Analysis
    scores: np.ndarray
    n_faqs: int

    def top_faqs(self, k: int) -> list[int]:
        """Indices of the ``k`` best FAQs, best first (no full sort: KBs can be large)."""
        faq_scores = self.scores[: self.n_faqs]
        k = min(k, len(faq_scores))
        if k == 0:
            return []
        best = np.argpartition(-faq_scores, k - 1)[:k]
        return [int(i) for i in best[np.lexsort((best, -faq_scores[best]))]]

    def best_scope(self) -> int | None:
        """Index of the best out-of-scope entry, if there are any."""
        if len(self.scores) == self.n_faqs:
            return None
        return self.n_faqs + int(np.argmax(self.scores[self.n_faqs :]))

    @cached_property
    def order(self) -> np.ndarray:
        """All entry indices, best first."""
        return np.argsort(-self.scores, kind="stable")


class Ranker:
    def __init__(
        self,
        faqs: Sequence[Faq],
        scope: Sequence[ScopeEntry],
        analyzer: Analyzer,
        params: RankerParams | None = None,
    ) -> None:
        self.params = params or RankerParams()
        self.analyzer = analyzer
        self.faqs = tuple(faqs)
        self.scope = tuple(scope)
        self._lexicon = self._term_lexicon(analyzer)
        self._term_cache: dict[str, dict[str, float]] = {}
        texts, whole = IndexBuilder(), IndexBuilder()
        topics: list[frozenset[str]] = []
        questions: list[frozenset[str]] = []
        entries: list[tuple[Sequence[str], str]] = [(f.texts, strip_cross_references(f.answer_text)) for f in self.faqs]
        entries += [(s.phrases, "") for s in self.scope]
        for group, (asked, answer) in enumerate(entries):
            combined: defaultdict[str, float] = defaultdict(float)
            for text in asked:
                features = analyzer.analyze(text).features
                texts.add(features, group)
                for term, tf in features.items():
                    combined[term] += tf
            if answer and self.params.answer_weight:
                for term, tf in analyzer.analyze(answer).features.items():
                    combined[term] += tf * self.params.answer_weight
            whole.add(combined, group)
            questions.append(frozenset(t for t in combined if t.startswith("q:")))
        for faq in self.faqs:
            topics.append(analyzer.analyze(f"{faq.category} {faq.question}").topics)
        topics += [frozenset()] * len(self.scope)
        index_params = IndexParams(
            family_weights=self.params.family_weights,
            scheme=self.params.scheme,
            bm25_k1=self.params.bm25_k1,
            bm25_b=self.params.bm25_b,
        )
        self.entry_topics = topics  # which tax each entry is filed under (empty: any or none)
        self._texts = texts.build(index_params)
        self._whole = whole.build(index_params)
        # topic (question class) → entries filed under it (asked with it), for the penalty (bonus)
        self._topic_members = {
            topic: np.array([topic in t for t in topics]) for topic in {x for t in topics for x in t}
        }
        self._has_topic = np.array([bool(t) for t in topics])
        self._question_members = {
            q: np.array([q in classes for classes in questions]) for q in {x for c in questions for x in c}
        }
        # out-of-scope subjects are a few words each; weigh them up against FAQs with many variants
        self._entry_weight = np.array([1.0] * len(self.faqs) + [self.params.scope_weight] * len(self.scope))

    def _term_lexicon(self, analyzer: Analyzer) -> dict[str, str]:
        """Phonetic key → noun of the KB (questions, variants, answers), for keys of MIN_TERM_KEY or more."""
        lexicon: dict[str, str] = {}
        for faq in self.faqs:
            for noun in analyzer.nouns(" ".join((*faq.texts, strip_cross_references(faq.answer_text)))):
                key = analyzer.reading_key(noun)
                if len(key) >= MIN_TERM_KEY:
                    lexicon.setdefault(key, noun)
        return lexicon

    def _with_terms(self, analysis: Analysis) -> dict[str, float]:
        """The query's features, plus those of every KB noun whose reading occurs in the query's
        readings but whose spelling does not: a homophone or kana spelling (重乱, じゅうらん) of a KB
        term (縦覧) is read as that term, whatever characters the recognizer chose."""
        features: dict[str, float] | None = None
        for reading in analysis.readings:
            for i in range(len(reading)):
                for n in range(MIN_TERM_KEY, min(MAX_TERM_KEY, len(reading) - i) + 1):
                    term = self._lexicon.get(reading[i : i + n])
                    if term is None or term in analysis.normalized:
                        continue
                    if features is None:
                        features = dict(analysis.features)
                    for key, value in self._term_features(term).items():
                        features[key] = max(features.get(key, 0.0), value * self.params.term_weight)
        return analysis.features if features is None else features

    def _term_features(self, term: str) -> dict[str, float]:
        cached = self._term_cache.get(term)
        if cached is None:
            cached = self._term_cache[term] = self.analyzer.analyze(term).features
        return cached

    @property
    def n_faqs(self) -> int:
        return len(self.faqs)

    def rank(self, text: str) -> Ranking:
        analysis = self.analyzer.analyze(text)
        return self.rank_analysis(analysis)

    def rank_analysis(self, analysis: Analysis) -> Ranking:
        alpha = self.params.alpha
        features = self._with_terms(analysis)
        scores = self._entry_weight * (
            alpha * self._texts.score_groups(features) + (1 - alpha) * self._whole.score_groups(features)
        )
        if analysis.topics and self.params.topic_penalty:
            conflict = self._has_topic & ~self._any_member(self._topic_members, analysis.topics)
            scores = np.where(conflict, scores * (1 - self.params.topic_penalty), scores)
        asked = [t for t in analysis.features if t.startswith("q:")]
        if asked and self.params.question_bonus:
            same = self._any_member(self._question_members, asked)
            scores = np.where(same, scores * (1 + self.params.question_bonus), scores)
        return Ranking(analysis=analysis, scores=scores, n_faqs=len(self.faqs))

    def _any_member(self, members: Mapping[str, np.ndarray], labels: Iterable[str]) -> np.ndarray:
        """Entries that carry any of ``labels`` (a tax topic, a question class)."""
        out = np.zeros(len(self._entry_weight), dtype=bool)
        for label in labels:
            if label in members:
                out |= members[label]
        return out
