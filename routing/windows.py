"""The directory of consultation windows (windows.yaml) and the need → windows map (needs.yaml).

A city replaces both files with its own; loading validates them so a typo fails at start-up,
not in front of a resident.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from routing.errors import DirectoryError

_REQUIRED = ("id", "name", "phone", "hours")


@dataclass(frozen=True)
class ConsultationWindow:
    id: str
    name: str
    kind: str
    handles: tuple[str, ...]
    for_whom: str
    phone: str
    hours: str
    url: str
    level: str
    crisis_line: bool

    @property
    def tel_uri(self) -> str:
        """A tap-to-call link (``#8008`` style short codes are dialled as written)."""
        return "tel:" + self.phone.replace("-", "").replace("#", "%23")


@dataclass(frozen=True)
class GeneralLine:
    """Where out-of-scope questions (tax, garbage, family register…) are sent."""

    name: str
    phone: str
    hours: str
    url: str


class WindowsDirectory:
    """All windows of one municipality, in file order."""

    def __init__(self, windows: list[ConsultationWindow], general_line: GeneralLine | None = None) -> None:
        self._by_id: dict[str, ConsultationWindow] = {}
        for window in windows:
            if window.id in self._by_id:
                raise DirectoryError(f"duplicate window id {window.id!r}")
            self._by_id[window.id] = window
        self.general_line = general_line

    @classmethod
    def load(cls, path: Path) -> WindowsDirectory:
        raw = _read_yaml(path)
        entries = raw.get("windows")
        if not isinstance(entries, list) or not entries:
            raise DirectoryError(f"{path}: expected a non-empty 'windows' list")
        windows = [_window(path, index, entry) for index, entry in enumerate(entries)]
        general = raw.get("general_line")
        general_line = None
        if isinstance(general, dict):
            general_line = GeneralLine(
                name=str(general.get("name", "")),
                phone=str(general.get("phone", "")),
                hours=str(general.get("hours", "")),
                url=str(general.get("url", "")),
            )
        return cls(windows, general_line)

    def __getitem__(self, window_id: str) -> ConsultationWindow:
        return self._by_id[window_id]

    def __contains__(self, window_id: object) -> bool:
        return window_id in self._by_id

    def __iter__(self) -> Iterator[ConsultationWindow]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def crisis_lines(self) -> list[ConsultationWindow]:
        return [window for window in self if window.crisis_line]


@dataclass(frozen=True)
class NeedMap:
    """Which windows serve each intent of the Rasa model (best first)."""

    windows_by_need: dict[str, tuple[str, ...]]
    out_of_scope: frozenset[str]

    @classmethod
    def load(cls, path: Path, directory: WindowsDirectory | None = None) -> NeedMap:
        raw = _read_yaml(path)
        needs = raw.get("needs")
        if not isinstance(needs, dict) or not needs:
            raise DirectoryError(f"{path}: expected a non-empty 'needs' mapping")
        windows_by_need: dict[str, tuple[str, ...]] = {}
        for need, window_ids in needs.items():
            if not isinstance(window_ids, list) or not window_ids:
                raise DirectoryError(f"{path}: need {need!r} must list at least one window id")
            if directory is not None:
                unknown = [w for w in window_ids if w not in directory]
                if unknown:
                    raise DirectoryError(f"{path}: need {need!r} names unknown windows {unknown}")
            windows_by_need[str(need)] = tuple(str(w) for w in window_ids)
        out_of_scope = raw.get("out_of_scope") or []
        return cls(windows_by_need, frozenset(str(i) for i in out_of_scope))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DirectoryError(f"{path}: cannot read ({exc})") from exc
    if not isinstance(raw, dict):
        raise DirectoryError(f"{path}: expected a mapping at the top level")
    return raw


def _window(path: Path, index: int, entry: Any) -> ConsultationWindow:
    if not isinstance(entry, dict):
        raise DirectoryError(f"{path}: windows[{index}] is not a mapping")
    missing = [field for field in _REQUIRED if not entry.get(field)]
    if missing:
        raise DirectoryError(f"{path}: window {entry.get('id', index)!r} lacks {', '.join(missing)}")
    return ConsultationWindow(
        id=str(entry["id"]),
        name=str(entry["name"]),
        kind=str(entry.get("kind", "")),
        handles=tuple(str(h) for h in entry.get("handles") or ()),
        for_whom=str(entry.get("for_whom", "")),
        phone=str(entry["phone"]),
        hours=str(entry["hours"]),
        url=str(entry.get("url", "")),
        level=str(entry.get("level", "")),
        crisis_line=bool(entry.get("crisis_line", False)),
    )
