from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from core import audit
from core.db import session_scope


def _write_three(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        audit.record(session, "yamada", "consultation.approve", "consultation", 7, {"version": 2})
        audit.record(session, "sato", "mask.remove", "consultation", 7, {"reason": "誤検出"})
        audit.record(session, "system", "job.done", "job", "abc")


def test_chain_verifies_and_links_entries(sessions: sessionmaker[Session]) -> None:
    _write_three(sessions)
    with sessions() as session:
        report = audit.verify(session)
        entries = session.scalars(text("SELECT entry_hash FROM audit_log ORDER BY seq")).all()
    assert report.ok, report.problems
    assert report.entries == 3
    assert report.head_hash == entries[-1]


def test_database_refuses_update_and_delete(sessions: sessionmaker[Session]) -> None:
    _write_three(sessions)
    for statement in ("UPDATE audit_log SET actor = 'x' WHERE seq = 2", "DELETE FROM audit_log WHERE seq = 2"):
        with pytest.raises(DBAPIError, match="append-only"), session_scope(sessions) as session:
            session.execute(text(statement))


def _drop_guards(session: Session) -> None:
    """What an attacker with database rights would do first."""
    session.execute(text("DROP TRIGGER audit_log_no_update" + (" ON audit_log" if _is_pg(session) else "")))
    session.execute(text("DROP TRIGGER audit_log_no_delete" + (" ON audit_log" if _is_pg(session) else "")))


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("UPDATE audit_log SET detail = '{\"reason\": \"x\"}' WHERE seq = 2", "modified"),
        ("DELETE FROM audit_log WHERE seq = 2", "missing"),
        ("DELETE FROM audit_log WHERE seq = 3", "deleted"),
        ("UPDATE audit_log SET actor = 'tanaka' WHERE seq = 1", "modified"),
    ],
)
def test_verify_detects_tampering(sessions: sessionmaker[Session], tamper: str, expected: str) -> None:
    _write_three(sessions)
    with session_scope(sessions) as session:
        _drop_guards(session)
        session.execute(text(tamper))
    with sessions() as session:
        report = audit.verify(session)
    assert not report.ok
    assert any(expected in p.problem for p in report.problems), report.problems
