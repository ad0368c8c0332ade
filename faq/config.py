"""Calibrated thresholds, stored in ``faq/data/thresholds.yaml`` (written by benchmarks/faq_calibrate.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from faq.errors import ConfigError
from faq.model import Thresholds

DEFAULT_THRESHOLDS_PATH = Path(__file__).resolve().parent / "data" / "thresholds.yaml"
_FIELDS = ("answer", "margin", "clarify", "clarify_margin", "topic_margin")


def load_thresholds(path: str | Path = DEFAULT_THRESHOLDS_PATH) -> Thresholds:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read thresholds: {exc}") from exc
    values = raw.get("thresholds") if isinstance(raw, dict) else None
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: expected a mapping under 'thresholds'")
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        raise ConfigError(f"{path}: unknown threshold(s): {', '.join(unknown)}")
    try:
        return Thresholds(**{k: float(v) for k, v in values.items()})
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def dump_thresholds(thresholds: Thresholds, *, comment: str = "") -> str:
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    body = {"thresholds": {name: round(getattr(thresholds, name), 4) for name in _FIELDS}}
    return header + yaml.safe_dump(body, sort_keys=False)
