"""Japanese tax FAQ matching: answer right, or hand over to a person.

A pure library (no web framework, no database) shared by the voice bot and the staff console::

    from faq import load_kb, FaqMatcher
    matcher = FaqMatcher(load_kb())          # the sample city's KB and calibrated thresholds
    decision = matcher.decide("しみん勢の農婦書をなくした")
    decision.action, decision.faq, decision.clarify_question
"""

from faq.clarify import clarify_question, resolve_clarify
from faq.config import DEFAULT_THRESHOLDS_PATH, load_thresholds
from faq.errors import (
    ConfigError,
    DuplicateIdError,
    FaqError,
    KbFormatError,
    KnowledgeBaseError,
    MissingFieldError,
)
from faq.human import is_human_request
from faq.kb import DEFAULT_KB_PATH, dump_kb, load_kb, save_kb
from faq.matcher import FaqMatcher
from faq.model import Candidate, Decision, Faq, KnowledgeBase, Thresholds
from faq.normalize import normalize_text

__all__ = [
    "DEFAULT_KB_PATH",
    "DEFAULT_THRESHOLDS_PATH",
    "Candidate",
    "ConfigError",
    "Decision",
    "DuplicateIdError",
    "Faq",
    "FaqError",
    "FaqMatcher",
    "KbFormatError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "MissingFieldError",
    "Thresholds",
    "clarify_question",
    "dump_kb",
    "is_human_request",
    "load_kb",
    "load_thresholds",
    "normalize_text",
    "resolve_clarify",
    "save_kb",
]
