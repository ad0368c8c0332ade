"""Typed values of the FAQ domain: the knowledge base, thresholds and the matcher's decision."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from faq.errors import DuplicateIdError
from faq.scope import ScopeEntry

Action = Literal["answer", "clarify", "transfer"]
Reason = Literal[
    "confident",  # answer: one FAQ clearly best
    "close_candidates",  # clarify: two FAQs too close to tell apart
    "unsure",  # clarify: one FAQ clearly first but not sure enough to answer: confirm it
    "human_request",  # transfer: the caller asked for a person
    "transfer_faq",  # transfer: the matched FAQ is answered by staff (transfer: true)
    "low_confidence",  # transfer: the best FAQ is not good enough
    "out_of_scope",  # transfer: the question is about something the KB does not cover
    "empty",  # transfer: nothing usable was said
]

REQUIRED_FIELDS = ("id", "category", "question", "answer_voice", "answer_text", "department")


@dataclass(frozen=True)
class Faq:
    """One FAQ entry. ``transfer`` marks FAQs that staff must answer (e.g. "how much is my tax")."""

    id: str
    category: str
    question: str
    answer_voice: str
    answer_text: str
    department: str
    variants: tuple[str, ...] = ()
    transfer: bool = False

    @property
    def texts(self) -> tuple[str, ...]:
        """The ways this FAQ is asked: the question first, then its variants."""
        return (self.question, *self.variants)


@dataclass(frozen=True)
class KnowledgeBase:
    """An ordered, id-unique collection of FAQs of one city (immutable: edits return a new KB)."""

    faqs: tuple[Faq, ...]
    city: str = ""
    _by_id: dict[str, Faq] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Faq] = {}
        for faq in self.faqs:
            if faq.id in by_id:
                raise DuplicateIdError(f"duplicate FAQ id {faq.id!r}")
            by_id[faq.id] = faq
        object.__setattr__(self, "_by_id", by_id)

    def __iter__(self) -> Iterator[Faq]:
        return iter(self.faqs)

    def __len__(self) -> int:
        return len(self.faqs)

    def __contains__(self, faq_id: object) -> bool:
        return faq_id in self._by_id

    def get(self, faq_id: str) -> Faq | None:
        return self._by_id.get(faq_id)

    def __getitem__(self, faq_id: str) -> Faq:
        return self._by_id[faq_id]

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(f.category for f in self.faqs))

    def search(self, keyword: str, *, category: str | None = None) -> list[Faq]:
        """FAQs whose id, question, variants or answers contain ``keyword`` (for a staff list page)."""
        needle = keyword.strip().lower()
        hits = []
        for faq in self.faqs:
            if category and faq.category != category:
                continue
            haystack = " ".join((faq.id, *faq.texts, faq.answer_text, faq.answer_voice)).lower()
            if needle in haystack:
                hits.append(faq)
        return hits

    def upsert(self, faq: Faq) -> KnowledgeBase:
        """A KB with ``faq`` replacing the entry of the same id, or appended."""
        if faq.id in self._by_id:
            return replace(self, faqs=tuple(faq if f.id == faq.id else f for f in self.faqs))
        return replace(self, faqs=(*self.faqs, faq))

    def remove(self, faq_id: str) -> KnowledgeBase:
        if faq_id not in self._by_id:
            raise KeyError(faq_id)
        return replace(self, faqs=tuple(f for f in self.faqs if f.id != faq_id))


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds on the matcher's score (in [0, 1]); calibrated values live in
    ``faq/data/thresholds.yaml``.

    answer:        the best FAQ is answered at or above this score …
    margin:        … when the runner-up is at least this far below (relative: 1 - second/best);
    clarify:       at or above this (and not answered) the bot asks; below it, it transfers;
    clarify_margin: the question offers the runner-up too (either/or) when it is within this relative
                   distance of the best; otherwise it confirms the best alone (yes/no);
    topic_margin:  when the caller names no tax (「税金の納期は」) and the best FAQ is about one tax,
                   an FAQ about another tax within this relative distance makes the bot ask which.
    """

    answer: float = 0.12
    margin: float = 0.15
    clarify: float = 0.03
    clarify_margin: float = 0.15
    topic_margin: float = 0.0

    def __post_init__(self) -> None:
        for name in ("answer", "margin", "clarify", "clarify_margin", "topic_margin"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"threshold {name} must be in [0, 1], got {value}")
        if self.clarify > self.answer:
            raise ValueError("threshold clarify must not exceed answer")


@dataclass(frozen=True)
class Candidate:
    faq_id: str
    score: float


@dataclass(frozen=True)
class Decision:
    """What the bot should do with one utterance."""

    action: Action
    reason: Reason
    score: float
    faq: Faq | None = None
    candidates: tuple[Candidate, ...] = ()
    clarify_question: str | None = None
    clarify_options: tuple[Faq, Faq] | None = None
    referral: ScopeEntry | None = None  # out_of_scope: the office the subject belongs to
    normalized: str = ""

    @property
    def faq_id(self) -> str | None:
        return self.faq.id if self.faq else None
