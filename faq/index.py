"""A sparse lexical index over feature dictionaries (TF-IDF cosine or BM25), scored with numpy.

Documents are the texts of the knowledge base (an FAQ's question and each of its variants);
``groups`` tells which FAQ a document belongs to, and an FAQ scores as its best document.
Each feature family (the prefix before ``:``, see ``faq.analysis``) is scored on its own and the
family scores are mixed with ``family_weights`` (summing to 1), so a score stays in [0, 1] under
the cosine scheme and thresholds mean the same thing whatever the size of the KB.

Postings are stored per term as numpy arrays; a query touches only its own terms' postings, and
``np.bincount`` accumulates them, so the cost grows with the postings touched, not with the KB.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Scheme = Literal["tfidf", "bm25"]


@dataclass(frozen=True)
class IndexParams:
    family_weights: Mapping[str, float]
    scheme: Scheme = "tfidf"
    bm25_k1: float = 1.2
    bm25_b: float = 0.5
    joint: bool = False  # BM25: normalize by the ceiling of all families together, not each family


def _family(term: str) -> str:
    return term.split(":", 1)[0]


class SparseIndex:
    """Inverted index of weighted features; ``score`` returns one score per group (FAQ)."""

    def __init__(self, docs: Sequence[Mapping[str, float]], groups: Sequence[int], params: IndexParams) -> None:
        if len(docs) != len(groups):
            raise ValueError("docs and groups differ in length")
        if any(b < a for a, b in itertools.pairwise(groups)):
            raise ValueError("documents must be ordered by group")
        self.params = params
        self.n_docs = len(docs)
        self.groups = np.asarray(groups, dtype=np.int64)
        self.n_groups = int(self.groups.max()) + 1 if len(groups) else 0
        # first document of each group, for np.maximum.reduceat
        self._group_starts = np.searchsorted(self.groups, np.arange(self.n_groups)) if len(groups) else np.array([])
        # Document frequency counts FAQs, not texts: a term repeated in every variant of one FAQ
        # (延滞金 in TAINO-002) is the most specific there is, not a common one.
        df: dict[str, int] = defaultdict(int)
        seen: dict[str, int] = {}
        for doc, group in zip(docs, groups, strict=True):
            for term in doc:
                if seen.get(term) != group:
                    seen[term] = group
                    df[term] += 1
        n = max(self.n_groups, 1)
        self.idf = {term: math.log((n + 1) / (count + 0.5)) for term, count in df.items()}
        self._unknown_idf = math.log((n + 1) / 0.5)
        postings: dict[str, tuple[list[int], list[float]]] = {}
        weighted_docs = [self._doc_weights(doc) for doc in docs] if params.scheme == "tfidf" else self._bm25_docs(docs)
        for doc_id, weights in enumerate(weighted_docs):
            for term, weight in weights.items():
                ids, ws = postings.setdefault(term, ([], []))
                ids.append(doc_id)
                ws.append(weight)
        self._postings = {
            term: (np.asarray(ids, dtype=np.int32), np.asarray(ws, dtype=np.float32))
            for term, (ids, ws) in postings.items()
        }

    # --- weighting ----------------------------------------------------------------------------

    def _term_weight(self, term: str, tf: float) -> float:
        return (1.0 + math.log(tf) if tf >= 1 else tf) * self.idf.get(term, self._unknown_idf)

    def _doc_weights(self, doc: Mapping[str, float]) -> dict[str, float]:
        """TF-IDF weights, L2-normalized within each family."""
        raw = {term: self._term_weight(term, tf) for term, tf in doc.items()}
        return _normalize_per_family(raw)

    def _bm25_docs(self, docs: Sequence[Mapping[str, float]]) -> list[dict[str, float]]:
        k1, b = self.params.bm25_k1, self.params.bm25_b
        lengths: list[dict[str, float]] = []
        for doc in docs:
            per_family: dict[str, float] = defaultdict(float)
            for term, tf in doc.items():
                per_family[_family(term)] += tf
            lengths.append(per_family)
        average: dict[str, float] = defaultdict(float)
        for per_family in lengths:
            for family, length in per_family.items():
                average[family] += length / max(len(docs), 1)
        out = []
        for doc, per_family in zip(docs, lengths, strict=True):
            weights = {}
            for term, tf in doc.items():
                family = _family(term)
                norm = k1 * (1 - b + b * per_family[family] / max(average[family], 1e-9))
                weights[term] = max(self.idf[term], 0.0) * tf * (k1 + 1) / (tf + norm)
            out.append(weights)
        return out

    def query_weights(self, features: Mapping[str, float]) -> dict[str, float]:
        """Query weights per the scheme; unknown terms count in the norm (they are evidence against)."""
        if self.params.scheme == "tfidf":
            return _normalize_per_family({term: self._term_weight(term, tf) for term, tf in features.items()})
        # BM25: the query's feature values weigh its terms linearly (a synonym concept counts more
        # than one n-gram); normalized by the best score the query could reach in each family.
        k1 = self.params.bm25_k1
        ceiling: dict[str, float] = defaultdict(float)
        mix = self.params.family_weights
        for term, value in features.items():
            family = _family(term)
            key = "" if self.params.joint else family
            scale = mix.get(family, 0.0) if self.params.joint else 1.0
            ceiling[key] += scale * value * max(self.idf.get(term, self._unknown_idf), 0.0) * (k1 + 1)
        out = {}
        for term, value in features.items():
            c = ceiling["" if self.params.joint else _family(term)]
            if c > 0:
                out[term] = value / c
        return out

    # --- scoring ------------------------------------------------------------------------------

    def score_docs(self, features: Mapping[str, float]) -> np.ndarray:
        """Mixed family score of every document."""
        weights = self.query_weights(features)
        family_weights = self.params.family_weights
        ids: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for term, q in weights.items():
            posting = self._postings.get(term)
            if posting is None:
                continue
            mix = family_weights.get(_family(term), 0.0)
            if mix == 0.0:
                continue
            ids.append(posting[0])
            values.append(posting[1] * np.float32(q * mix))
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float64)
        return np.bincount(np.concatenate(ids), weights=np.concatenate(values), minlength=self.n_docs)

    def score_groups(self, features: Mapping[str, float]) -> np.ndarray:
        """Best document score of each group."""
        if self.n_docs == 0:
            return np.zeros(0)
        return np.maximum.reduceat(self.score_docs(features), self._group_starts)


def _normalize_per_family(weights: Mapping[str, float]) -> dict[str, float]:
    norms: dict[str, float] = defaultdict(float)
    for term, w in weights.items():
        norms[_family(term)] += w * w
    return {term: w / math.sqrt(norms[_family(term)]) for term, w in weights.items() if norms[_family(term)] > 0}
