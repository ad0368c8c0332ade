"""A sparse lexical index over feature dictionaries (BM25 or TF-IDF cosine), scored with numpy.

Documents are the texts of the knowledge base; ``group`` tells which entry (FAQ) a document belongs
to, and an entry scores as its best document. Each feature family (the prefix before ``:``, see
``faq.analysis``) is normalized on its own (BM25: by the best score the query could reach; TF-IDF:
cosine) and the family scores are mixed with ``family_weights``, so scores stay in [0, 1] and
thresholds mean the same thing whatever the size of the KB.

Documents are added one by one to an ``IndexBuilder`` and stored as flat arrays of term ids and
term frequencies; weights are then computed with numpy and kept in compressed-sparse-row form
(term → slice of document ids and weights). A query touches only its own terms' postings and
``np.bincount`` adds them up, so the cost grows with the postings touched, not with the KB.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

Scheme = Literal["tfidf", "bm25"]


@dataclass(frozen=True)
class IndexParams:
    family_weights: Mapping[str, float]
    scheme: Scheme = "bm25"
    bm25_k1: float = 1.2
    bm25_b: float = 0.5


def _family(term: str) -> str:
    return term.split(":", 1)[0]


class IndexBuilder:
    """Collects documents (in group order) compactly; ``build`` makes the ``SparseIndex``."""

    def __init__(self) -> None:
        self.term_id: dict[str, int] = {}
        self._term_family: array[int] = array("i")
        self._df = array("i")  # number of groups (entries) containing the term
        self._last_group = array("i")
        self._families: dict[str, int] = {}
        self._terms = array("i")
        self._tfs = array("f")
        self._starts = array("q", [0])
        self._groups = array("i")

    def add(self, features: Mapping[str, float], group: int) -> None:
        if self._groups and group < self._groups[-1]:
            raise ValueError("documents must be added in group order")
        for term, tf in features.items():
            tid = self.term_id.get(term)
            if tid is None:
                tid = self.term_id[term] = len(self.term_id)
                family = _family(term)
                self._term_family.append(self._families.setdefault(family, len(self._families)))
                self._df.append(0)
                self._last_group.append(-1)
            if self._last_group[tid] != group:
                # Document frequency counts entries, not texts: a term in every variant of one FAQ
                # (延滞金 in TAINO-002) is as specific as a term can be, not a common one.
                self._last_group[tid] = group
                self._df[tid] += 1
            self._terms.append(tid)
            self._tfs.append(tf)
        self._starts.append(len(self._terms))
        self._groups.append(group)

    def build(self, params: IndexParams) -> SparseIndex:
        return SparseIndex(self, params)


class SparseIndex:
    """Inverted index of weighted features; ``score_groups`` returns one score per group (entry)."""

    def __init__(self, builder: IndexBuilder, params: IndexParams) -> None:
        self.params = params
        self._term_id = builder.term_id
        groups = np.frombuffer(builder._groups, dtype=np.int32).astype(np.int64)
        self.n_docs = len(groups)
        self.n_groups = int(groups.max()) + 1 if self.n_docs else 0
        self._group_starts = np.searchsorted(groups, np.arange(self.n_groups))
        n = max(self.n_groups, 1)
        self._idf = np.log((n + 1) / (np.frombuffer(builder._df, dtype=np.int32) + 0.5))
        self._unknown_idf = math.log((n + 1) / 0.5)
        self._families = dict(builder._families)
        term_family = np.frombuffer(builder._term_family, dtype=np.int32)
        terms = np.frombuffer(builder._terms, dtype=np.int32)
        tfs = np.frombuffer(builder._tfs, dtype=np.float32).astype(np.float64)
        starts = np.frombuffer(builder._starts, dtype=np.int64)
        docs = np.repeat(np.arange(self.n_docs), np.diff(starts))
        n_families = max(len(self._families), 1)
        # (document, family) cells for per-family lengths and norms
        cell = docs * n_families + term_family[terms]
        idf = self._idf[terms]
        if params.scheme == "bm25":
            k1, b = params.bm25_k1, params.bm25_b
            length = np.bincount(cell, weights=tfs, minlength=self.n_docs * n_families)
            per_family = length.reshape(self.n_docs, n_families)
            present = np.bincount(cell, minlength=self.n_docs * n_families).reshape(self.n_docs, n_families) > 0
            average = per_family.sum(0) / np.maximum(present.sum(0), 1)
            norm = k1 * (1 - b + b * length[cell] / np.maximum(average[term_family[terms]], 1e-9))
            weights = np.maximum(idf, 0.0) * tfs * (k1 + 1) / (tfs + norm)
        else:
            raw = np.where(tfs >= 1, 1.0 + np.log(np.maximum(tfs, 1e-9)), tfs) * idf
            norms = np.sqrt(np.bincount(cell, weights=raw * raw, minlength=self.n_docs * n_families))
            weights = raw / np.maximum(norms[cell], 1e-12)
        order = np.argsort(terms, kind="stable")
        self._doc_ids = docs[order].astype(np.int32)
        self._weights = weights[order].astype(np.float32)
        self._offsets = np.searchsorted(terms[order], np.arange(len(self._term_id) + 1))

    def idf(self, term: str) -> float:
        term_id = self._term_id.get(term)
        return float(self._idf[term_id]) if term_id is not None else self._unknown_idf

    def query_weights(self, features: Mapping[str, float]) -> dict[str, float]:
        """Query weights per the scheme; unknown terms count in the norm (they are evidence against)."""
        totals: dict[str, float] = {}
        if self.params.scheme == "tfidf":
            raw = {t: (1.0 + math.log(tf) if tf >= 1 else tf) * self.idf(t) for t, tf in features.items()}
            for term, w in raw.items():
                totals[_family(term)] = totals.get(_family(term), 0.0) + w * w
            return {t: w / math.sqrt(totals[_family(t)]) for t, w in raw.items() if totals[_family(t)] > 0}
        # BM25: the query's feature values weigh its terms linearly (a synonym concept counts more
        # than one n-gram); normalized by the best score the query could reach in each family.
        k1 = self.params.bm25_k1
        for term, value in features.items():
            family = _family(term)
            totals[family] = totals.get(family, 0.0) + value * max(self.idf(term), 0.0) * (k1 + 1)
        return {t: v / totals[_family(t)] for t, v in features.items() if totals[_family(t)] > 0}

    def score_docs(self, features: Mapping[str, float]) -> np.ndarray:
        """Mixed family score of every document."""
        family_weights = self.params.family_weights
        offsets = self._offsets
        ids: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for term, q in self.query_weights(features).items():
            term_id = self._term_id.get(term)
            mix = family_weights.get(_family(term), 0.0)
            if term_id is None or mix == 0.0:
                continue
            start, end = offsets[term_id], offsets[term_id + 1]
            ids.append(self._doc_ids[start:end])
            values.append(self._weights[start:end] * np.float32(q * mix))
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float64)
        return np.bincount(np.concatenate(ids), weights=np.concatenate(values), minlength=self.n_docs)

    def score_groups(self, features: Mapping[str, float]) -> np.ndarray:
        """Best document score of each group."""
        if self.n_docs == 0:
            return np.zeros(0)
        return np.maximum.reduceat(self.score_docs(features), self._group_starts)
