"""Builds the configured summarizer from Settings: the LLM client when a base URL and model are set,
otherwise the extractive summarizer (nothing leaves the machine)."""

from __future__ import annotations

from core.settings import Settings
from masking.summarize.base import Summarizer


def build_summarizer(settings: Settings) -> Summarizer:
    if settings.llm_base_url and settings.llm_model:
        from masking.summarize.openai_compatible import OpenAICompatibleSummarizer

        return OpenAICompatibleSummarizer(settings.llm_base_url, settings.llm_model,
                                          settings.llm_api_key.get_secret_value(),
                                          timeout=settings.llm_timeout_seconds)
    from masking.summarize.extractive import ExtractiveSummarizer

    return ExtractiveSummarizer()
