"""A Rasa intent classifier: logistic regression over TF-IDF of Sudachi words and character n-grams.

Why not DIET: on this data (a few thousand short-to-medium Japanese messages, 30+ needs, no pretrained
embeddings reachable offline) DIET's softmax is very peaked, so its 2nd and 3rd intents carry almost no
information, and it takes minutes to train. A linear model over the same kind of sparse features
gives calibrated-enough probabilities for ranking several windows and trains in seconds.

Features, each block L2-normalized on its own (as scikit-learn's FeatureUnion of two TfidfVectorizers):
- words: the tokenizer's lemmas (SudachiTokenizer sets Sudachi's normalized form: 子供/子ども → 子供);
- characters: 1–4-grams inside whitespace-separated chunks of the NFKC-lowercased text (robust to
  typos, hiragana spellings and words Sudachi does not know).
TF is sublinear (1 + log tf), IDF smoothed (ln((1 + n) / (1 + df)) + 1).

The trained model is stored as JSON (vocabularies, classes) and a NumPy ``.npz`` (IDF, weights): no
pickle is loaded at run time.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_MODEL_FILE = "tfidf_intent_model"


def char_ngrams(text: str, min_n: int, max_n: int) -> List[str]:
    """Character n-grams within whitespace-separated chunks, each chunk padded with one space."""
    grams: List[str] = []
    for chunk in unicodedata.normalize("NFKC", text).lower().split():
        padded = f" {chunk} "
        for n in range(min_n, max_n + 1):
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


class TfidfBlock:
    """One feature block: a vocabulary with smoothed IDF, turning term counts into L2-normalized rows."""

    def __init__(self, vocabulary: Dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf

    @classmethod
    def fit(cls, documents: Sequence[Sequence[str]]) -> "TfidfBlock":
        frequency: Counter[str] = Counter()
        for terms in documents:
            frequency.update(set(terms))
        vocabulary = {term: i for i, term in enumerate(sorted(frequency))}
        n = len(documents)
        idf = np.array([math.log((1 + n) / (1 + frequency[t])) + 1.0 for t in sorted(frequency)])
        return cls(vocabulary, idf)

    def row(self, terms: Sequence[str]) -> Tuple[List[int], np.ndarray]:
        counts = Counter(t for t in terms if t in self.vocabulary)
        columns = [self.vocabulary[t] for t in counts]
        if not columns:
            return [], np.zeros(0)
        weights = np.array([1.0 + math.log(c) for c in counts.values()]) * self.idf[columns]
        return columns, weights / np.linalg.norm(weights)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfIntentClassifier(GraphComponent, IntentClassifier):
    """Multinomial logistic regression on word + character TF-IDF features."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "numpy"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 10.0,  # inverse regularization strength (chosen by cross-validation on the training data)
            "max_iter": 3000,
            "char_min_n": 1,
            "char_max_n": 4,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        blocks: Optional[Tuple[TfidfBlock, TfidfBlock]] = None,
        classes: Optional[List[str]] = None,
        coef: Optional[np.ndarray] = None,
        intercept: Optional[np.ndarray] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._blocks = blocks
        self._classes = classes or []
        self._coef = coef
        self._intercept = intercept

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TfidfIntentClassifier":
        return cls(config, model_storage, resource)

    # --- features ---

    def _terms(self, message: Message) -> Tuple[List[str], List[str]]:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        words = [token.lemma or token.text for token in tokens]
        text = message.get(TEXT) or ""
        return words, char_ngrams(text, int(self._config["char_min_n"]), int(self._config["char_max_n"]))

    def _matrix(self, messages: Sequence[Message]) -> Any:
        from scipy.sparse import csr_matrix

        assert self._blocks is not None
        words, chars = self._blocks
        offset = len(words.vocabulary)
        data: List[float] = []
        indices: List[int] = []
        pointers = [0]
        for message in messages:
            word_terms, char_terms = self._terms(message)
            for block, terms, shift in ((words, word_terms, 0), (chars, char_terms, offset)):
                columns, weights = block.row(terms)
                indices.extend(c + shift for c in columns)
                data.extend(weights.tolist())
            pointers.append(len(indices))
        shape = (len(messages), offset + len(chars.vocabulary))
        return csr_matrix((np.array(data), np.array(indices, dtype=np.int64), np.array(pointers)), shape=shape)

    # --- training ---

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        terms = [self._terms(e) for e in examples]
        self._blocks = (TfidfBlock.fit([w for w, _ in terms]), TfidfBlock.fit([c for _, c in terms]))
        model = LogisticRegression(C=float(self._config["C"]), max_iter=int(self._config["max_iter"]))
        model.fit(self._matrix(examples), [e.get(INTENT) for e in examples])
        self._classes = [str(c) for c in model.classes_]
        self._coef = model.coef_.astype(np.float32)
        self._intercept = model.intercept_.astype(np.float32)
        self.persist()
        return self._resource

    # --- prediction ---

    def _probabilities(self, messages: Sequence[Message]) -> np.ndarray:
        assert self._coef is not None and self._intercept is not None
        logits = self._matrix(messages) @ self._coef.T + self._intercept
        if len(self._classes) == 2:  # scikit-learn's binary case: one weight row for the second class
            logits = np.hstack([-logits / 2, logits / 2])
        logits = np.asarray(logits, dtype=np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def process(self, messages: List[Message]) -> List[Message]:
        if not messages or self._blocks is None or not self._classes:
            return messages
        length = int(self._config["ranking_length"])
        for message, row in zip(messages, self._probabilities(messages)):
            order = np.argsort(-row, kind="stable")
            ranking = [{"name": self._classes[i], "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)
        return messages

    # --- storage ---

    def persist(self) -> None:
        if self._blocks is None or self._coef is None or self._intercept is None:
            return
        words, chars = self._blocks
        with self._model_storage.write_to(self._resource) as directory:
            meta = {"classes": self._classes, "words": sorted(words.vocabulary, key=words.vocabulary.__getitem__),
                    "chars": sorted(chars.vocabulary, key=chars.vocabulary.__getitem__)}
            (directory / f"{_MODEL_FILE}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            np.savez_compressed(directory / f"{_MODEL_FILE}.npz", word_idf=words.idf, char_idf=chars.idf,
                                coef=self._coef, intercept=self._intercept)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "TfidfIntentClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / f"{_MODEL_FILE}.json").read_text(encoding="utf-8"))
                with np.load(directory / f"{_MODEL_FILE}.npz", allow_pickle=False) as arrays:
                    word_idf, char_idf = arrays["word_idf"], arrays["char_idf"]
                    coef, intercept = arrays["coef"], arrays["intercept"]
        except (ValueError, FileNotFoundError):
            # nothing was trained (no intent examples): an untrained component predicts nothing
            return cls(config, model_storage, resource)
        blocks = (
            TfidfBlock({t: i for i, t in enumerate(meta["words"])}, word_idf),
            TfidfBlock({t: i for i, t in enumerate(meta["chars"])}, char_idf),
        )
        return cls(config, model_storage, resource, blocks, list(meta["classes"]), coef, intercept)
