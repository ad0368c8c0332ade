"""The summarizer interface and what it returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

SITUATION, COMPLAINT, ADVICE, NEXT_STEPS = "相談者の状況", "主訴", "対応・助言", "今後の対応"
SECTION_TITLES: tuple[str, ...] = (SITUATION, COMPLAINT, ADVICE, NEXT_STEPS)


@dataclass(frozen=True)
class SummaryDraft:
    """An AI summary before a staff member has confirmed it: one text per section (may be empty)."""

    sections: dict[str, str]
    generator: str  # extractive | openai-compatible
    model: str = ""

    def __post_init__(self) -> None:
        missing = [title for title in SECTION_TITLES if title not in self.sections]
        if missing:
            raise ValueError(f"summary sections missing: {missing}")


class Summarizer(ABC):
    name: str

    @abstractmethod
    def summarize(self, approved_masked_text: str) -> SummaryDraft:
        """Summarize text a reviewer approved for AI input. Raises ``SummarizerError`` on failure."""
