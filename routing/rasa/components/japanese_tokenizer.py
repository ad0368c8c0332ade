"""A Rasa graph component that splits Japanese text into words with SudachiPy.

Rasa's WhitespaceTokenizer refuses ``ja`` (Japanese has no spaces between words). Each token's
lemma is Sudachi's *normalized form*, so spelling variants (子供/子ども, 引きこもり/ひきこもり,
送り仮名) share one feature; punctuation and whitespace are dropped.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

# Sudachi refuses input above 49,149 bytes; a UTF-8 code point takes at most 4 bytes.
_CHUNK_CHARS = 12_000
_SKIPPED_POS = frozenset({"補助記号", "空白"})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SudachiTokenizer(Tokenizer):
    """Word segmentation for Japanese (and the odd English word) with SudachiPy."""

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["ja"]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sudachipy", "sudachidict_core"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # A: shortest units, B: middle, C: named-entity length (Sudachi's split modes)
            "split_mode": "B",
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        from sudachipy import Dictionary

        mode = str(self._config.get("split_mode", "B")).upper()
        if mode not in ("A", "B", "C"):
            raise ValueError(f"split_mode must be A, B or C, not {mode!r}")
        self._tokenizer = Dictionary(dict="core").tokenizer(mode=mode)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SudachiTokenizer":
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        tokens: List[Token] = []
        for offset in range(0, len(text), _CHUNK_CHARS):
            chunk = text[offset : offset + _CHUNK_CHARS]
            for morpheme in self._tokenizer.tokenize(chunk):
                surface = morpheme.surface()
                if not surface.strip() or morpheme.part_of_speech()[0] in _SKIPPED_POS:
                    continue
                if surface.isascii():
                    # Sudachi "normalizes" English words to katakana (don't -> ドント); keep them
                    lemma = surface.lower()
                else:
                    lemma = unicodedata.normalize("NFKC", morpheme.normalized_form()).lower()
                start = offset + morpheme.begin()
                tokens.append(Token(surface, start, offset + morpheme.end(), lemma=lemma))
        if not tokens and text.strip():
            # e.g. a message of emoji or punctuation only: keep one token so featurizers have input
            tokens = [Token(text, 0, len(text))]
        return self._apply_token_pattern(tokens)
