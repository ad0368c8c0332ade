"""A second, lexical opinion on the need: TF-IDF nearest neighbours over the Rasa NLU training examples.

A nearest-neighbour view complements the Rasa classifier's linear one (it was added when DIET's very peaked
softmax left the 2nd and 3rd intents with little information). This ranker scores
every intent by the cosine similarity of the message to that intent's closest training examples
(features: SudachiPy normalized forms + character 2–3-grams, TF-IDF, L2-normalized; numpy only) and turns
the scores into a distribution with a temperature. The router blends it with the Rasa classifier's ranking.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import yaml

# Rasa entity annotations: [text](entity), [text]{"entity": ...}
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_SPACES = re.compile(r"\s+")

Analyzer = Callable[[str], list[str]]


def load_nlu_examples(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """(text, intent) pairs from Rasa NLU YAML files; lookups, synonyms and regexes are skipped."""
    pairs: list[tuple[str, str]] = []
    for path in sorted(paths):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in raw.get("nlu") or []:
            intent = block.get("intent") if isinstance(block, dict) else None
            examples = block.get("examples") if intent else None
            if not isinstance(examples, str):
                continue
            for line in examples.splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = _ANNOTATION.sub(r"\1", line[2:]).strip()
                    if text:
                        pairs.append((text, str(intent)))
    return pairs


def _normalize(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def char_ngrams(text: str, sizes: Sequence[int] = (2, 3)) -> list[str]:
    compact = _normalize(text).replace(" ", "")
    return [f"c{n}:{compact[i : i + n]}" for n in sizes for i in range(len(compact) - n + 1)]


@functools.cache
def sudachi_analyzer() -> Analyzer:
    """Normalized word forms (Sudachi split mode B) plus character 2–3-grams; one per process (the lexical
    ranker and the crisis model share it and its dictionary)."""
    from sudachipy import Dictionary, SplitMode

    tokenizer = Dictionary(dict="core").create(SplitMode.B)
    lock = threading.Lock()  # a Sudachi tokenizer must not be used by two threads at once

    def analyze(text: str) -> list[str]:
        text = _normalize(text)[:12000]
        with lock:
            words = [
                f"w:{m.normalized_form()}"
                for m in tokenizer.tokenize(text)
                if m.part_of_speech()[0] not in ("補助記号", "空白")
            ]
        return words + char_ngrams(text)

    return analyze


class LexicalRanker:
    """Intent scores from the k nearest training examples of each intent (TF-IDF cosine)."""

    def __init__(
        self,
        examples: Sequence[tuple[str, str]],
        analyzer: Analyzer | None = None,
        neighbours: int = 3,
        temperature: float = 0.05,
    ) -> None:
        if not examples:
            raise ValueError("the lexical ranker needs training examples")
        self._analyze = analyzer or (lambda text: char_ngrams(text))
        self._neighbours = neighbours
        self.temperature = temperature
        self.intents: tuple[str, ...] = tuple(sorted({intent for _, intent in examples}))
        docs = [Counter(self._analyze(text)) for text, _ in examples]
        document_frequency: Counter[str] = Counter()
        for doc in docs:
            document_frequency.update(doc.keys())
        terms = sorted(document_frequency)
        self._vocabulary = {term: i for i, term in enumerate(terms)}
        n = len(docs)
        self._idf = np.array([math.log((1 + n) / (1 + document_frequency[t])) + 1.0 for t in terms])
        # the training matrix kept sparse, column by column (term → documents), as an inverted index
        postings: list[list[tuple[int, float]]] = [[] for _ in terms]
        for row, doc in enumerate(docs):
            columns, weights = self._weights(doc)
            for column, weight in zip(columns, weights, strict=True):
                postings[column].append((row, weight))
        self._pointers = np.cumsum([0] + [len(p) for p in postings])
        self._rows = np.array([row for p in postings for row, _ in p], dtype=np.int32)
        self._values = np.array([weight for p in postings for _, weight in p], dtype=np.float32)
        self._documents = n
        index = {intent: i for i, intent in enumerate(self.intents)}
        self._labels = np.array([index[intent] for _, intent in examples])

    def _weights(self, counts: Counter[str]) -> tuple[list[int], np.ndarray]:
        """Known terms' columns and their L2-normalized sublinear TF-IDF weights."""
        columns = [self._vocabulary[t] for t in counts if t in self._vocabulary]
        tf = np.array([1.0 + math.log(counts[t]) for t in counts if t in self._vocabulary])
        weights = tf * self._idf[columns] if columns else tf
        norm = float(np.linalg.norm(weights))
        return columns, weights / norm if norm else weights

    def similarities(self, text: str) -> dict[str, float]:
        """Per intent: mean cosine of the message to its `neighbours` most similar examples (0–1)."""
        sims = np.zeros(self._documents, dtype=np.float32)
        columns, weights = self._weights(Counter(self._analyze(text)))
        for column, weight in zip(columns, weights, strict=True):
            start, end = self._pointers[column], self._pointers[column + 1]
            sims[self._rows[start:end]] += weight * self._values[start:end]
        scores: dict[str, float] = {}
        for i, intent in enumerate(self.intents):
            own = np.sort(sims[self._labels == i])[::-1][: self._neighbours]
            scores[intent] = float(own.mean()) if own.size else 0.0
        return scores

    def scores(self, text: str) -> dict[str, float]:
        """A distribution over intents: softmax of the similarities at the calibrated temperature."""
        sims = self.similarities(text)
        if not any(sims.values()):
            return {}
        values = np.array([sims[i] for i in self.intents]) / self.temperature
        values = np.exp(values - values.max())
        values /= values.sum()
        return {intent: float(p) for intent, p in zip(self.intents, values, strict=True)}
