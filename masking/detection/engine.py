"""The Presidio AnalyzerEngine for Japanese, built explicitly: GiNZA as the NLP engine, a registry
holding only our recognizers for ``ja`` (nothing English-only), no network access."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

from masking.detection.recognizers import RECOGNIZERS
from masking.detection.recognizers.ginza_ner import ENE_TO_PRESIDIO

LANGUAGE = "ja"
# GiNZA pipes no recognizer reads; excluding them is most of the speed (parser ≈ 25 % of the time).
UNUSED_PIPES = ("parser", "morphologizer", "compound_splitter", "bunsetu_recognizer")
NER_PIPES = ("tok2vec", "ner")

log = logging.getLogger(__name__)


class UnknownRecognizerError(ValueError):
    """The configuration names a recognizer that does not exist."""


class GinzaNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine, loading ja_ginza without the pipes nothing uses.

    Sudachi (GiNZA's tokenizer) always runs: recognizers read its part-of-speech tags (人名, 地名).
    """

    def __init__(self, model_name: str, with_ner: bool) -> None:
        self.model_name = model_name
        self.with_ner = with_ner
        super().__init__(
            models=[{"lang_code": LANGUAGE, "model_name": model_name}],
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=dict(ENE_TO_PRESIDIO), labels_to_ignore=[]
            ),
        )

    def load(self) -> None:
        exclude = list(UNUSED_PIPES) + ([] if self.with_ner else list(NER_PIPES))
        nlp = spacy.load(self.model_name, exclude=exclude)
        if "ner" in nlp.pipe_names:
            ner: Any = nlp.get_pipe("ner")
            labels = ner.labels
            self.ner_model_configuration.labels_to_ignore = [lab for lab in labels if lab not in ENE_TO_PRESIDIO]
        self.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]  # presidio annotates it as None


def build_analyzer(recognizers: Sequence[str], model_name: str = "ja_ginza") -> AnalyzerEngine:
    unknown = [name for name in recognizers if name not in RECOGNIZERS]
    if unknown:
        raise UnknownRecognizerError(f"unknown recognizers: {', '.join(unknown)} (known: {', '.join(RECOGNIZERS)})")
    nlp_engine = GinzaNlpEngine(model_name, with_ner="ginza_ner" in recognizers)
    nlp_engine.load()
    registry = RecognizerRegistry(
        recognizers=[RECOGNIZERS[name]() for name in recognizers], supported_languages=[LANGUAGE]
    )
    log.info("PII analyzer built: %d recognizers, model %s", len(recognizers), model_name)
    return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=[LANGUAGE])
