"""The flow's view of the FAQ: a small interface, implemented over the faq/ library.

Kept as a Protocol so the flow stays pure and the faq/ types stay faq/'s own; the flow only reads the
attributes listed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class FaqEntry(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def question(self) -> str: ...
    @property
    def answer_voice(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def transfer(self) -> bool: ...


@dataclass(frozen=True)
class Match:
    """faq.Decision, reduced to what the call flow needs."""

    action: str  # answer | clarify | transfer
    reason: str  # confident | close_candidates | human_request | transfer_faq | low_confidence | out_of_scope | empty
    faq: FaqEntry | None
    score: float
    candidates: tuple[tuple[str, float], ...]
    clarify_question: str | None = None
    clarify_options: tuple[str, str] | None = None  # FAQ ids
    referral: str | None = None  # out_of_scope: the office that handles the subject (e.g. 市民課)


class Answerer(Protocol):
    def match(self, text: str) -> Match: ...
    def resolve_clarify(self, text: str, option_ids: tuple[str, str]) -> FaqEntry | None: ...
    def is_human_request(self, text: str) -> bool: ...
    def get(self, faq_id: str) -> FaqEntry: ...
    def speech_hints(self, limit: int) -> Sequence[str]: ...


class FaqLibraryAnswerer:
    """Answerer over faq.FaqMatcher (built once per process; the matcher is thread-safe to read)."""

    def __init__(self, matcher: Any, kb: Any) -> None:
        import faq

        self._faq = faq
        self._matcher = matcher
        self._by_id: dict[str, Any] = {f.id: f for f in kb}

    @classmethod
    def from_path(cls, kb_path: Any) -> FaqLibraryAnswerer:
        import faq

        kb = faq.load_kb(kb_path)
        return cls(faq.FaqMatcher(kb), kb)

    def reload(self, kb: Any) -> None:
        """Answer from ``kb`` from now on (after a console edit or import). The new matcher is built
        before it replaces the old one, so a call in progress reads either, never a half-built one."""
        matcher, by_id = self._faq.FaqMatcher(kb), {f.id: f for f in kb}
        self._matcher, self._by_id = matcher, by_id

    def match(self, text: str) -> Match:
        d = self._matcher.decide(text)
        options = d.clarify_options
        return Match(action=d.action, reason=d.reason, faq=d.faq, score=float(d.score),
                     candidates=tuple((str(c.faq_id), float(c.score)) for c in d.candidates),
                     clarify_question=d.clarify_question,
                     clarify_options=(options[0].id, options[1].id) if options else None,
                     referral=getattr(getattr(d, "referral", None), "department", None))

    def resolve_clarify(self, text: str, option_ids: tuple[str, str]) -> FaqEntry | None:
        options = (self._by_id[option_ids[0]], self._by_id[option_ids[1]])
        chosen: FaqEntry | None = self._faq.resolve_clarify(text, options)
        return chosen

    def is_human_request(self, text: str) -> bool:
        return bool(self._faq.is_human_request(text))

    def get(self, faq_id: str) -> FaqEntry:
        entry: FaqEntry = self._by_id[faq_id]
        return entry

    def speech_hints(self, limit: int) -> Sequence[str]:
        return list(self._matcher.speech_hints(limit))

