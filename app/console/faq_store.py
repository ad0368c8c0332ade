"""The knowledge base file the console edits: load, validate, save atomically with a backup, and tell
the running voice bot to answer from the new version.

Only this process is told; every other process answering from the file (other uvicorn workers, other
app instances on the same disk) sees it changed within ``MADOGUCHI_FAQ_KB_CHECK_SECONDS`` and rebuilds
its matcher itself (``voice.answerer.FaqLibraryAnswerer``), so the file is the one place a change travels.

The file is ``settings.faq_kb_path`` (YAML or CSV by suffix). Every save keeps the previous file as
``<name>.bak`` (one generation: enough to undo a bad import by hand) and writes the new one through
``faq.save_kb`` (temporary file, then rename), so a crash never leaves half a KB behind.
"""

from __future__ import annotations

import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faq
from faq.errors import KnowledgeBaseError
from faq.kb import faq_from_mapping, parse_kb_yaml
from faq.kb_csv import dump_csv, parse_csv
from faq.model import Faq, KnowledgeBase

ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,15}-\d{3,4}$")  # e.g. JUMIN-001, KOTEI-012
_lock = threading.Lock()  # one writer at a time within this process


class FaqImportError(ValueError):
    """An uploaded file or form that cannot become a knowledge base; the message is for staff (Japanese)."""


@dataclass(frozen=True)
class ImportPreview:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    total: int


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def load(path: Path) -> KnowledgeBase:
    return faq.load_kb(path)


def save(kb: KnowledgeBase, path: Path, app_state: Any) -> None:
    """Write ``kb`` to ``path`` (backup, temp + rename) and reload this process's voice bot matcher if it is
    running; other processes notice the changed file on their own."""
    with _lock:
        if path.exists():
            shutil.copy2(path, backup_path(path))
        faq.save_kb(kb, path)
    runtime = getattr(app_state, "voice", None)
    if runtime is not None and hasattr(runtime, "reload_faq"):
        runtime.reload_faq(kb)


def parse_upload(filename: str, data: bytes) -> KnowledgeBase:
    """A KB from an uploaded ``.csv`` or ``.yaml``/``.yml`` file, or a FaqImportError in Japanese."""
    suffix = Path(filename or "").suffix.lower()
    if not data.strip():
        raise FaqImportError("ファイルが空です。")
    try:
        if suffix == ".csv":
            text = _decode(data)
            return parse_csv(text, source=filename)
        if suffix in (".yaml", ".yml"):
            return parse_kb_yaml(data.decode("utf-8-sig"), source=filename)
    except UnicodeDecodeError as exc:
        raise FaqImportError("文字コードを読み取れません。UTF-8 で保存してください。") from exc
    except KnowledgeBaseError as exc:
        raise FaqImportError(explain(exc)) from exc
    raise FaqImportError("CSV（.csv）か YAML（.yaml / .yml）のファイルを選んでください。")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FaqImportError("文字コードを読み取れません。UTF-8 か Shift_JIS で保存してください。")


_PHRASES = (
    (re.compile(r"missing column\(s\) in the header: (.+)$"), "見出し行に必要な列がありません: {0}"),
    (re.compile(r"row (\d+): 'transfer' must be true/false, got (.+)$"),
     "{0}行目: transfer 列は true/false（はい/いいえ）で書いてください（値: {1}）。"),
    (re.compile(r"duplicate FAQ id '([^']+)'"), "FAQ番号 {0} が重複しています。"),
    (re.compile(r"FAQ #(\d+)(?: \(([^)]*)\))?: missing required field\(s\): (.+)$"),
     "{0}件目のFAQ {1}: 必須の項目が空です: {2}"),
    (re.compile(r"FAQ #(\d+)(?: \(([^)]*)\))?: unknown field\(s\): (.+)$"),
     "{0}件目のFAQ {1}: 不明な項目があります: {2}"),
    (re.compile(r"the knowledge base has no FAQs"), "FAQが1件もありません。"),
    (re.compile(r"invalid YAML(.*)$"), "YAMLの書式が正しくありません{0}。"),
    (re.compile(r"expected a mapping with a list under 'faqs'"), "YAMLに faqs: の一覧がありません。"),
    (re.compile(r"neither UTF-8 nor Shift_JIS"), "文字コードを読み取れません。UTF-8 か Shift_JIS で保存してください。"),
)


def explain(exc: Exception) -> str:
    """The faq library's English validation message, in Japanese for staff (the original kept as a hint)."""
    message = str(exc)
    for pattern, template in _PHRASES:
        found = pattern.search(message)
        if found:
            return "取り込めませんでした。" + template.format(*[(g or "") for g in found.groups()])
    return f"取り込めませんでした。ファイルの内容を確認してください（{message}）。"


def preview(current: KnowledgeBase, incoming: KnowledgeBase) -> ImportPreview:
    old = {f.id: f for f in current}
    new = {f.id: f for f in incoming}
    return ImportPreview(added=tuple(i for i in new if i not in old),
                         changed=tuple(i for i in new if i in old and old[i] != new[i]),
                         removed=tuple(i for i in old if i not in new), total=len(incoming))


def faq_from_form(values: dict[str, str]) -> Faq:
    """A validated Faq from the edit form (variants one per line), or a FaqImportError in Japanese."""
    faq_id = values.get("id", "").strip()
    if not ID_PATTERN.match(faq_id):
        raise FaqImportError("FAQ番号は「JUMIN-001」のように、英大文字・ハイフン・3〜4桁の数字で入力してください。")
    labels = {"category": "分類", "question": "質問", "answer_voice": "電話での回答", "answer_text": "画面での回答",
              "department": "担当課"}
    empty = [label for name, label in labels.items() if not values.get(name, "").strip()]
    if empty:
        raise FaqImportError(f"次の項目を入力してください: {'、'.join(empty)}")
    entry = {**{name: values.get(name, "") for name in labels}, "id": faq_id,
             "variants": [v for v in values.get("variants", "").splitlines() if v.strip()],
             "transfer": values.get("transfer") in ("on", "true", "1")}
    try:
        return faq_from_mapping(entry, where="FAQ")
    except KnowledgeBaseError as exc:
        raise FaqImportError(explain(exc)) from exc


def export_yaml(kb: KnowledgeBase) -> bytes:
    return faq.dump_kb(kb).encode("utf-8")


def export_csv(kb: KnowledgeBase) -> bytes:
    return dump_csv(kb).encode("utf-8-sig")  # Excel needs the BOM to read UTF-8
