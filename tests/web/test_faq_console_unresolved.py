"""「未解決の質問」: turns the voice bot did not answer, grouped by the nearest FAQ (or, out of scope, by
the office) over a date range, with
masked examples only (the encrypted raw text is never shown) and a prefilled 「FAQを追加」 link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from core.clock import TOKYO
from core.crypto import DataCipher
from core.db import session_scope
from core.settings import Settings
from core.users import Role
from tests.web.conftest import log_in
from voice.models import Call, Turn

DAY = datetime(2026, 4, 10, 10, 0, tzinfo=TOKYO)


def _call(session: Session, cipher: DataCipher, sid: str, at: datetime,
          turns: list[tuple[str | None, str | None, str | None, str | None, str]]) -> None:
    """turns: (decision, reason, faq_id, masked text, raw text)."""
    call = Call(call_sid=sid, asr_path="gather", started_at=at, updated_at=at, state="ended", turns=len(turns),
                answers=0, context_enc=cipher.encrypt_text("{}"))
    session.add(call)
    session.flush()
    for seq, (decision, reason, faq_id, masked, raw) in enumerate(turns, start=1):
        session.add(Turn(call_id=call.id, seq=seq, at=at + timedelta(seconds=seq), kind="said",
                         text_enc=cipher.encrypt_text(raw), text_masked=masked, faq_id=faq_id, decision=decision,
                         reason=reason, state_after="listening", actions_enc=cipher.encrypt_text("[]")))


def test_unresolved_questions_are_grouped_with_masked_examples(client: TestClient, make_user: Callable[..., str],
                                                               web_settings: Settings,
                                                               web_sessions: sessionmaker[Session]) -> None:
    cipher = DataCipher(web_settings.data_key.get_secret_value())
    with session_scope(web_sessions) as s:
        _call(s, cipher, "CA1", DAY, [
            ("answer", "confident", "JUMIN-001", "住民税の納期は", "住民税の納期は"),  # answered: not listed
            ("miss", "low_confidence", "JUMIN-013", "入湯税はどうやって納めますか", "入湯税はどうやって納めますか"),
            ("transfer", "not_helpful", None, "わかりません", "わかりません"),  # stands for the question before
        ])
        _call(s, cipher, "CA2", DAY + timedelta(hours=1), [
            ("transfer", "low_confidence", "JUMIN-013", "＜氏名＞です、温泉の税金<script>x</script>",
             "山田太郎です、温泉の税金<script>x</script>"),
            ("miss", "out_of_scope", "KOTEI-001", "犬の登録はどこですか", "犬の登録はどこですか"),
            ("miss", "out_of_scope", None, "住民票を取りたい", "住民票を取りたい"),
            ("answer", "unsure_named", "KOTEI-001", None, "固定資産税は090-1234-5678の件"),  # not masked yet
            ("clarify", "close_candidates", "KOTEI-001", "固定の税金のこと", "固定の税金のこと"),
        ])
        _call(s, cipher, "CA3", DAY - timedelta(days=40), [  # outside the range
            ("miss", "out_of_scope", None, "古い質問です", "古い質問です"),
        ])
    log_in(client, make_user("suzuki", Role.STAFF))
    page = client.get("/console/unresolved", params={"start": "2026-04-01", "end": "2026-04-30"})
    assert page.status_code == 200
    text = page.text
    assert "2026-04-01 〜 2026-04-30（日本時間）: 7 件" in text
    groups = text.split('class="unresolved-group"')[1:]
    assert len(groups) == 4
    # largest group first: JUMIN-013 with 3 (two low-confidence turns and the 「わかりません」 after one)
    assert "JUMIN-013" in groups[0] and "<td>3</td>" in groups[0]
    assert "確信度が低い 2件" in groups[0] and "回答で解決しなかった 1件" in groups[0]
    assert "入湯税はどうやって納めますか" in groups[0] and "わかりません" not in groups[0]
    assert f"/console/faq/new?question={quote('入湯税はどうやって納めますか')}" in groups[0]
    assert "KOTEI-001" in groups[1] and "マスキング待ち 1 件" in groups[1] and "<td>2</td>" in groups[1]
    # out of scope: grouped by the office the matcher refers the subject to, not by an unrelated FAQ
    assert "対象外（市民課の担当）" in groups[2] and "住民票を取りたい" in groups[2]
    assert "対象外（環境課の担当）" in groups[3] and "犬の登録はどこですか" in groups[3]
    # masked text only, escaped; never the raw text or an answered question
    assert "山田太郎" not in text and "090-1234-5678" not in text and "住民税の納期は" not in text
    assert "<script>x" not in text and "&lt;script&gt;x" in text
    assert "古い質問です" not in text
    older = client.get("/console/unresolved", params={"start": "2026-02-01", "end": "2026-03-05"})
    assert "古い質問です" in older.text and ": 1 件" in older.text


def test_unresolved_page_needs_a_login_and_takes_bad_dates(client: TestClient,
                                                           make_user: Callable[..., str]) -> None:
    assert client.get("/console/unresolved", follow_redirects=False).status_code in (302, 303, 401)
    log_in(client, make_user("suzuki", Role.STAFF))
    page = client.get("/console/unresolved", params={"start": "not-a-date", "end": "2026-13-40"})
    assert page.status_code == 200 and "この期間の未解決の質問はありません" in page.text
