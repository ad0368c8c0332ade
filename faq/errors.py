"""Exceptions raised by the ``faq`` package.

    FaqError                  base of everything below
    ├── KnowledgeBaseError    a KB file cannot be used (the message names the file and the entry)
    │   ├── KbFormatError     not parseable YAML/CSV, or the wrong shape
    │   ├── MissingFieldError an FAQ lacks a required field
    │   └── DuplicateIdError  two FAQs share an id
    └── ConfigError           thresholds / synonyms / scope files are malformed
"""

from __future__ import annotations


class FaqError(Exception):
    """Base class for errors of the FAQ matcher."""


class KnowledgeBaseError(FaqError):
    """The knowledge base cannot be loaded or saved."""


class KbFormatError(KnowledgeBaseError):
    """The file is not valid YAML/CSV or does not have the expected structure."""


class MissingFieldError(KnowledgeBaseError):
    """An FAQ entry lacks a required field."""


class DuplicateIdError(KnowledgeBaseError):
    """Two FAQ entries share the same id."""


class ConfigError(FaqError):
    """A configuration file of the matcher (thresholds, synonyms, scope) is malformed."""
