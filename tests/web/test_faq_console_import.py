"""FAQ import (CSV for staff who keep FAQs in Excel, and YAML): a preview of what changes, nothing written
until confirmed, clear Japanese errors that leave the KB file untouched, an audit entry with counts."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import faq
from core.audit import AuditEntry
from core.settings import Settings
from core.users import Role
from faq.kb_csv import COLUMNS
from tests.web.conftest import csrf_from, log_in

PAYLOAD_RE = r'name="payload" value="'


@pytest.fixture
def kb_path(tmp_path: Path) -> Path:
    path = tmp_path / "kb" / "tax_faq.yaml"
    path.parent.mkdir()
    shutil.copy(faq.DEFAULT_KB_PATH, path)
    return path


@pytest.fixture
def web_settings(web_settings: Settings, kb_path: Path) -> Settings:
    return web_settings.model_copy(update={"faq_kb_path": kb_path})


@pytest.fixture
def supervisor(client: TestClient, make_user: Callable[..., str]) -> TestClient:
    return log_in(client, make_user("sato", Role.SUPERVISOR))


def _rows(client: TestClient) -> list[dict[str, str]]:
    text = client.get("/console/faq/export.csv").content.decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    assert lines[0].startswith("# city:")
    return list(csv.DictReader(io.StringIO("".join(lines[1:]))))


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _upload(client: TestClient, name: str, data: bytes) -> Any:
    token = csrf_from(client.get("/console/faq/import").text)
    return client.post("/console/faq/import", data={"csrf_token": token}, files={"file": (name, data)})


def test_csv_import_shows_a_preview_then_applies(supervisor: TestClient, kb_path: Path,
                                                 web_sessions: sessionmaker[Session]) -> None:
    client = supervisor
    rows = _rows(client)
    rows = [r for r in rows if r["id"] != "JUMIN-002"]  # removed
    rows[0] = {**rows[0], "answer_text": "変更した回答"}  # changed
    rows.append({**rows[1], "id": "NYUTO-001", "question": "入湯税はどうやって納めますか",
                 "variants": "温泉の入湯税\n入湯税の納め方", "transfer": "いいえ"})  # added, Excel style
    before = kb_path.read_bytes()
    preview = _upload(client, "faq.csv", _csv(rows))
    assert preview.status_code == 200, preview.text
    text = preview.text
    assert "追加: 1 件（NYUTO-001）" in text and "変更: 1 件（JUMIN-001）" in text and "削除: 1 件（JUMIN-002）" in text
    assert kb_path.read_bytes() == before  # nothing written before the confirmation
    apply = client.post("/console/faq/import/apply", follow_redirects=False, data={
        "csrf_token": csrf_from(text), "payload": _payload(text)})
    assert apply.status_code == 303
    kb = faq.load_kb(kb_path)
    assert len(kb) == 87 and "JUMIN-002" not in kb and kb["NYUTO-001"].variants == ("温泉の入湯税", "入湯税の納め方")
    assert kb["JUMIN-001"].answer_text == "変更した回答" and kb.city == "みらい市"
    assert (kb_path.parent / "tax_faq.yaml.bak").read_bytes() == before
    with web_sessions() as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "faq.import")).all()
    assert entry.actor == "sato"
    assert '"added": 1' in entry.detail and '"changed": 1' in entry.detail and '"removed": 1' in entry.detail
    assert "入湯税" not in entry.detail


def _payload(html: str) -> str:
    import html as html_module
    import re

    match = re.search(PAYLOAD_RE + r'([^"]*)"', html)
    assert match
    return html_module.unescape(match.group(1))


def test_shift_jis_csv_from_excel_is_read(supervisor: TestClient) -> None:
    rows = _rows(supervisor)
    # Shift_JIS (cp932) has no 〜 (U+301C) or − (U+2212): Excel writes ～ and －, which count as changes
    preview = _upload(supervisor, "faq.csv", _csv(rows, encoding="cp932"))
    assert preview.status_code == 200
    assert "取り込み後のFAQ: 87 件" in preview.text and "追加: 0 件" in preview.text


def test_yaml_import_round_trips(supervisor: TestClient, kb_path: Path) -> None:
    exported = supervisor.get("/console/faq/export.yaml").content
    preview = _upload(supervisor, "faq.yml", exported)
    assert preview.status_code == 200
    assert "追加: 0 件" in preview.text and "変更: 0 件" in preview.text


def _bad(rows: list[dict[str, str]], kind: str) -> tuple[str, bytes]:
    if kind == "missing_column":
        return "faq.csv", _csv(rows, columns=tuple(c for c in COLUMNS if c != "answer_voice"))
    if kind == "bad_transfer":
        rows[3] = {**rows[3], "transfer": "たぶん"}
    elif kind == "duplicate_id":
        rows[5] = {**rows[5], "id": rows[4]["id"]}
    elif kind == "empty_field":
        rows[2] = {**rows[2], "department": ""}
    elif kind == "wrong_type":
        return "faq.xlsx", b"PK\x03\x04 not a csv"
    elif kind == "empty_file":
        return "faq.csv", b""
    elif kind == "broken_yaml":
        return "faq.yaml", b"faqs: [id: : :\n  - ]"
    return "faq.csv", _csv(rows)


@pytest.mark.parametrize(("kind", "message"), [
    ("missing_column", "見出し行に必要な列がありません: answer_voice"),
    ("bad_transfer", "5行目: transfer 列は true/false（はい/いいえ）で書いてください"),
    ("duplicate_id", "が重複しています"),
    ("empty_field", "3件目のFAQ"),
    ("wrong_type", "CSV（.csv）か YAML（.yaml / .yml）のファイルを選んでください"),
    ("empty_file", "ファイルが空です"),
    ("broken_yaml", "YAMLの書式が正しくありません"),
])
def test_bad_imports_explain_in_japanese_and_change_nothing(supervisor: TestClient, kb_path: Path,
                                                            web_sessions: sessionmaker[Session],
                                                            kind: str, message: str) -> None:
    before = kb_path.read_bytes()
    name, data = _bad(_rows(supervisor), kind)
    response = _upload(supervisor, name, data)
    assert response.status_code == 400
    assert message in response.text
    assert kb_path.read_bytes() == before and not (kb_path.parent / "tax_faq.yaml.bak").exists()
    with web_sessions() as s:
        assert not s.scalars(select(AuditEntry).where(AuditEntry.action == "faq.import")).all()


def test_a_tampered_confirmation_is_validated_again(supervisor: TestClient, kb_path: Path) -> None:
    before = kb_path.read_bytes()
    token = csrf_from(supervisor.get("/console/faq/import").text)
    response = supervisor.post("/console/faq/import/apply", data={"csrf_token": token, "payload": "faqs: []"})
    assert response.status_code == 400 and "FAQが1件もありません" in response.text
    assert kb_path.read_bytes() == before


def test_staff_cannot_import(client: TestClient, make_user: Callable[..., str], kb_path: Path) -> None:
    log_in(client, make_user("suzuki", Role.STAFF))
    token = csrf_from(client.get("/console/faq").text)
    assert client.get("/console/faq/import").status_code == 403
    response = client.post("/console/faq/import", data={"csrf_token": token},
                           files={"file": ("faq.yaml", kb_path.read_bytes())})
    assert response.status_code == 403
