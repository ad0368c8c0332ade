"""Subjects that belong to other offices (国税, 住民票, ごみ …): the "not ours" side of the matcher.

See ``faq/data/scope.yaml``. Each entry is ranked beside the FAQs; when one wins, the bot transfers
with reason ``out_of_scope`` and can name the office (``department``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from faq.errors import ConfigError

DEFAULT_SCOPE_PATH = Path(__file__).resolve().parent / "data" / "scope.yaml"


@dataclass(frozen=True)
class ScopeEntry:
    id: str
    topic: str
    department: str
    phrases: tuple[str, ...]


def load_scope(path: Path | None = DEFAULT_SCOPE_PATH) -> tuple[ScopeEntry, ...]:
    if path is None:
        return ()
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the out-of-scope directory: {exc}") from exc
    entries = raw.get("out_of_scope") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a list under 'out_of_scope'")
    out = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: entry #{number} is not a mapping")
        phrases = entry.get("phrases")
        if not entry.get("id") or not isinstance(phrases, list) or not phrases:
            raise ConfigError(f"{path}: entry #{number} needs an id and a non-empty list of phrases")
        out.append(
            ScopeEntry(
                id=str(entry["id"]),
                topic=str(entry.get("topic", "")),
                department=str(entry.get("department", "")),
                phrases=tuple(str(p) for p in phrases),
            )
        )
    return tuple(out)
