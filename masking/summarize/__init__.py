"""Summarizers of an approved, masked consultation transcript (a small interface, two implementations).

- ``OpenAICompatibleSummarizer``: any OpenAI-compatible chat endpoint (Azure OpenAI, vLLM, Ollama,
  llama.cpp server), with a Japanese system prompt that treats the transcript strictly as data.
- ``ExtractiveSummarizer``: no LLM; TextRank over SudachiPy content words. The default when no LLM is
  configured.
"""

from masking.summarize.base import SECTION_TITLES, Summarizer, SummaryDraft
from masking.summarize.errors import SummarizerError

__all__ = ["SECTION_TITLES", "Summarizer", "SummarizerError", "SummaryDraft"]
