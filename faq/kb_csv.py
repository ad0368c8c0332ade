"""CSV import/export of a knowledge base, for staff who keep FAQs in Excel.

One row per FAQ, header ``id,category,question,variants,answer_voice,answer_text,department,transfer``.
``variants`` holds one variant per line inside the cell (Alt+Enter in Excel). ``transfer`` accepts
true/false, 1/0, はい/いいえ, ○/×. Files are read as UTF-8 (with or without BOM) or, failing that,
as Shift_JIS (cp932), which is what Japanese Excel writes by default; exports are UTF-8 with BOM.
The city name travels in an optional first comment line ``# city: みらい市``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from faq.errors import KbFormatError, KnowledgeBaseError
from faq.kb import build_kb
from faq.model import Faq, KnowledgeBase

COLUMNS = ("id", "category", "question", "variants", "answer_voice", "answer_text", "department", "transfer")
_TRUE = frozenset({"true", "1", "yes", "y", "はい", "○", "〇", "要", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "いいえ", "×", "", "否", "off"})


def _decode(data: bytes, source: str) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise KbFormatError(f"{source}: the CSV is neither UTF-8 nor Shift_JIS (cp932)")


def load_csv(path: str | Path) -> KnowledgeBase:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KnowledgeBaseError(f"{path}: cannot read the knowledge base: {exc.strerror or exc}") from exc
    return parse_csv(_decode(data, str(path)), source=str(path))


def parse_csv(text: str, *, source: str = "<csv>") -> KnowledgeBase:
    city = ""
    lines = text.splitlines(keepends=True)
    if lines and lines[0].lstrip().startswith("#"):
        comment = lines.pop(0).lstrip("# \t").strip()
        if comment.startswith("city:"):
            city = comment.removeprefix("city:").strip().strip(",")
    reader = csv.DictReader(io.StringIO("".join(lines)))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header and c not in ("variants", "transfer")]
    if missing:
        raise KbFormatError(f"{source}: missing column(s) in the header: {', '.join(missing)}")
    entries = []
    for row_number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "") for k, v in row.items()}
        if not any(v.strip() for v in row.values()):
            continue  # blank line left by Excel
        flag = row.get("transfer", "").strip().lower()
        if flag not in _TRUE | _FALSE:
            raise KbFormatError(f"{source}: row {row_number}: 'transfer' must be true/false, got {flag!r}")
        entries.append(
            {
                **{c: row.get(c, "") for c in COLUMNS if c not in ("variants", "transfer")},
                "variants": [v for v in row.get("variants", "").splitlines() if v.strip()],
                "transfer": flag in _TRUE,
            }
        )
    return build_kb(entries, city=city, source=source)


def _row(faq: Faq) -> list[str]:
    return [
        faq.id,
        faq.category,
        faq.question,
        "\n".join(faq.variants),
        faq.answer_voice,
        faq.answer_text,
        faq.department,
        "true" if faq.transfer else "false",
    ]


def dump_csv(kb: KnowledgeBase) -> str:
    out = io.StringIO()
    if kb.city:
        out.write(f"# city: {kb.city}\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for faq in kb:
        writer.writerow(_row(faq))
    return out.getvalue()
