"""Load, validate and save a knowledge base (YAML; CSV through ``faq.kb_csv``).

YAML layout (see ``faq/data/tax_faq.yaml``)::

    city: みらい市
    faqs:
      - id: JUMIN-001
        category: 個人住民税
        question: 住民税の納期はいつですか
        variants: [住民税はいつまでに払えばいいですか, …]
        answer_voice: …   # read on the phone
        answer_text: …    # shown on screen / to staff
        department: 市民税課
        transfer: false   # true: staff answer this one (the bot transfers with the FAQ recognised)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from faq.errors import DuplicateIdError, KbFormatError, KnowledgeBaseError, MissingFieldError
from faq.model import REQUIRED_FIELDS, Faq, KnowledgeBase

DEFAULT_KB_PATH = Path(__file__).resolve().parent / "data" / "tax_faq.yaml"
_KNOWN_FIELDS = frozenset((*REQUIRED_FIELDS, "variants", "transfer"))


def load_kb(path: str | Path = DEFAULT_KB_PATH) -> KnowledgeBase:
    """Load a KB from a ``.yaml``/``.yml`` or ``.csv`` file; errors name the file and the entry."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        from faq.kb_csv import load_csv

        return load_csv(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeBaseError(f"{path}: cannot read the knowledge base: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise KbFormatError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return parse_kb_yaml(text, source=str(path))


def parse_kb_yaml(text: str, *, source: str = "<yaml>") -> KnowledgeBase:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or "syntax error"
        raise KbFormatError(f"{source}: invalid YAML{where}: {problem}") from exc
    if not isinstance(raw, Mapping) or not isinstance(raw.get("faqs"), list):
        raise KbFormatError(f"{source}: expected a mapping with a list under 'faqs'")
    city = raw.get("city") or ""
    return build_kb(raw["faqs"], city=str(city), source=source)


def build_kb(entries: list[Any], *, city: str = "", source: str = "<kb>") -> KnowledgeBase:
    """Validate raw entries (dicts) into a KnowledgeBase."""
    faqs: list[Faq] = []
    seen: dict[str, int] = {}
    for position, entry in enumerate(entries, start=1):
        faq = faq_from_mapping(entry, where=f"{source}: FAQ #{position}")
        if faq.id in seen:
            raise DuplicateIdError(
                f"{source}: duplicate FAQ id {faq.id!r} (entries #{seen[faq.id]} and #{position})"
            )
        seen[faq.id] = position
        faqs.append(faq)
    if not faqs:
        raise KbFormatError(f"{source}: the knowledge base has no FAQs")
    return KnowledgeBase(faqs=tuple(faqs), city=city)


def faq_from_mapping(entry: Any, *, where: str = "FAQ") -> Faq:
    """One validated Faq from a dict (YAML entry, CSV row, console form)."""
    if not isinstance(entry, Mapping):
        raise KbFormatError(f"{where}: expected a mapping of fields, got {type(entry).__name__}")
    label = f"{where} ({entry['id']})" if entry.get("id") else where
    missing = [name for name in REQUIRED_FIELDS if not str(entry.get(name) or "").strip()]
    if missing:
        raise MissingFieldError(f"{label}: missing required field(s): {', '.join(missing)}")
    unknown = sorted(set(map(str, entry)) - _KNOWN_FIELDS)
    if unknown:
        raise KbFormatError(f"{label}: unknown field(s): {', '.join(unknown)}")
    variants = entry.get("variants") or []
    if isinstance(variants, str):
        variants = [variants]
    if not isinstance(variants, list) or not all(isinstance(v, str | int | float) for v in variants):
        raise KbFormatError(f"{label}: 'variants' must be a list of strings")
    transfer = entry.get("transfer", False)
    if not isinstance(transfer, bool):
        raise KbFormatError(f"{label}: 'transfer' must be true or false, got {transfer!r}")
    return Faq(
        id=str(entry["id"]).strip(),
        category=str(entry["category"]).strip(),
        question=str(entry["question"]).strip(),
        variants=tuple(str(v).strip() for v in variants if str(v).strip()),
        answer_voice=str(entry["answer_voice"]).strip(),
        answer_text=str(entry["answer_text"]).strip(),
        department=str(entry["department"]).strip(),
        transfer=transfer,
    )


def faq_to_mapping(faq: Faq) -> dict[str, Any]:
    return {
        "id": faq.id,
        "category": faq.category,
        "question": faq.question,
        "variants": list(faq.variants),
        "answer_voice": faq.answer_voice,
        "answer_text": faq.answer_text,
        "department": faq.department,
        "transfer": faq.transfer,
    }


def dump_kb(kb: KnowledgeBase) -> str:
    """YAML text of a KB, in the layout ``load_kb`` reads (comments of the original are not kept)."""
    document = {"city": kb.city, "faqs": [faq_to_mapping(f) for f in kb]}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)


def save_kb(kb: KnowledgeBase, path: str | Path) -> None:
    """Write a KB to ``.yaml`` or ``.csv`` (by suffix), atomically (write then rename)."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        from faq.kb_csv import dump_csv

        text = dump_csv(kb)
        encoding = "utf-8-sig"  # Excel opens UTF-8 CSV correctly only with a BOM
    else:
        text = dump_kb(kb)
        encoding = "utf-8"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding=encoding, newline="")
    tmp.replace(path)
