"""Every process answering from the FAQ file notices an edit another process saved: a second app instance
sees an edit made through the first one's console after its check interval, and a broken file written
directly keeps the old matcher answering (a warning without the file's content)."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import faq
from app.main import create_app
from core.settings import Settings
from core.users import Role
from tests.web.conftest import csrf_from, log_in
from voice.answerer import FaqLibraryAnswerer

CHECK_SECONDS = 0.05  # tiny, so the second app looks at the file again almost at once
NEW_QUESTION = "入湯税はどうやって納めますか"
KNOWN_QUESTION = "住民税の納期はいつですか"  # answered with JUMIN-001


@pytest.fixture
def kb_path(tmp_path: Path) -> Path:
    path = tmp_path / "kb" / "tax_faq.yaml"
    path.parent.mkdir()
    shutil.copy(faq.DEFAULT_KB_PATH, path)
    return path


@pytest.fixture
def web_settings(web_settings: Settings, kb_path: Path) -> Settings:
    return web_settings.model_copy(update={"faq_kb_path": kb_path, "faq_kb_check_seconds": CHECK_SECONDS})


class FakeClock:
    """The answerer's monotonic clock, moved by the test: check intervals pass without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def ask_after_the_interval(answerer: FaqLibraryAnswerer, question: str, wait: Callable[[], None]) -> str | None:
    """Let the check interval pass, ask once (which starts the check in the background), let the check and any
    rebuild finish, and return the FAQ id the next answer comes from."""
    assert answerer.wait_idle(timeout=120)  # e.g. a check started by an earlier question
    wait()
    answerer.match(question)
    assert answerer.wait_idle(timeout=120)
    match = answerer.match(question)
    return match.faq.id if match.action == "answer" and match.faq is not None else None


def test_a_second_app_instance_answers_from_an_edit_made_in_the_first(
        client: TestClient, web_settings: Settings, make_user: Callable[..., str], kb_path: Path) -> None:
    # Two app instances on one KB file and one database, as two uvicorn workers or two servers would be.
    with TestClient(create_app(web_settings)) as other:
        first = client.app.state.voice.answerer  # type: ignore[attr-defined]
        second = other.app.state.voice.answerer  # type: ignore[attr-defined]
        assert first is not second and isinstance(second, FaqLibraryAnswerer)
        assert second.match(NEW_QUESTION).action != "answer"
        before = second.kb_digest

        log_in(client, make_user("sato", Role.SUPERVISOR))
        form = client.get("/console/faq/new")
        added = client.post("/console/faq/new", follow_redirects=False, data={
            "id": "NYUTO-001", "category": "入湯税", "question": NEW_QUESTION, "variants": "温泉の入湯税の納め方",
            "answer_voice": "入湯税は施設の経営者が毎月申告して納めます。", "answer_text": "入湯税は特別徴収です。",
            "department": "市民税課", "csrf_token": csrf_from(form.text)})
        assert added.status_code == 303
        assert first.match(NEW_QUESTION).faq.id == "NYUTO-001"  # the editing process: at once

        assert ask_after_the_interval(second, NEW_QUESTION, lambda: time.sleep(CHECK_SECONDS)) == "NYUTO-001"
        assert second.get("NYUTO-001").department == "市民税課"
        assert second.kb_digest != before and second.kb_digest == first.kb_digest


def test_the_file_is_looked_at_only_after_the_interval(kb_path: Path) -> None:
    clock = FakeClock()
    answerer = FaqLibraryAnswerer.from_path(kb_path, check_seconds=5.0, clock=clock)  # another process
    kb = faq.load_kb(kb_path)
    faq.save_kb(kb.remove("JUMIN-001"), kb_path)

    assert ask_after_the_interval(answerer, KNOWN_QUESTION, lambda: clock.advance(4.9)) == "JUMIN-001"
    assert ask_after_the_interval(answerer, KNOWN_QUESTION, lambda: clock.advance(0.1)) != "JUMIN-001"


@pytest.mark.parametrize("broken", [
    "faqs: [{id: JUMIN-001, question: 秘密の下書き\n",  # not YAML
    "faqs:\n  - id: JUMIN-001\n    question: 秘密の下書き\n",  # YAML, but an FAQ without its answers
], ids=["invalid-yaml", "missing-fields"])
def test_a_broken_file_keeps_the_old_matcher_answering(kb_path: Path, broken: str,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    answerer = FaqLibraryAnswerer.from_path(kb_path, check_seconds=5.0, clock=clock)
    answer = answerer.get("JUMIN-001").answer_voice
    digest = answerer.kb_digest
    good = faq.load_kb(kb_path)

    kb_path.write_text(broken, encoding="utf-8")  # written directly, not through the console
    with caplog.at_level(logging.INFO, logger="madoguchi.voice.faq"):
        assert ask_after_the_interval(answerer, KNOWN_QUESTION, lambda: clock.advance(5)) == "JUMIN-001"
        assert answerer.get("JUMIN-001").answer_voice == answer and answerer.kb_digest == digest
        [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert "previous version" in warning.getMessage()
        assert "秘密" not in caplog.text and "JUMIN" not in caplog.text

        # The same broken content is not tried again at every check.
        assert ask_after_the_interval(answerer, KNOWN_QUESTION, lambda: clock.advance(5)) == "JUMIN-001"
        assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1

        # Once the file is fixed, the next check answers from it.
        fixed = good.upsert(replace(good.get("JUMIN-001"), answer_voice="住民税は年4回、6月から納めます。"))
        faq.save_kb(fixed, kb_path)
        assert ask_after_the_interval(answerer, KNOWN_QUESTION, lambda: clock.advance(5)) == "JUMIN-001"
    assert answerer.get("JUMIN-001").answer_voice == "住民税は年4回、6月から納めます。"
    assert answerer.kb_digest not in (None, digest)


def test_a_touched_file_with_the_same_content_is_not_rebuilt(kb_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    answerer = FaqLibraryAnswerer.from_path(kb_path, check_seconds=5.0, clock=clock)
    digest = answerer.kb_digest
    stat = kb_path.stat()
    os.utime(kb_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 3_000_000_000))
    with caplog.at_level(logging.INFO, logger="madoguchi.voice.faq"):
        assert ask_after_the_interval(answerer, KNOWN_QUESTION, lambda: clock.advance(5)) == "JUMIN-001"
    assert answerer.kb_digest == digest
    assert not [r for r in caplog.records if "reloaded" in r.getMessage()]
