"""「未解決の質問」: what callers asked that the voice bot did not answer, grouped by the nearest FAQ, so
staff can see which FAQs are missing or need more ways of asking.

A question is unresolved when the flow missed it or handed it over because the bot was unsure
(low_confidence, out_of_scope, empty, not_helpful), or when it only answered after naming the FAQ it was
unsure of (unsure_named) or asked which FAQ was meant (clarify). For 「わかりません」 (not_helpful) the
question is the caller's previous question in the same call. A question out of the KB's scope is grouped
by the office it belongs to (the matcher's referral, found again from the masked text: turns do not store
it) rather than by an unrelated nearest FAQ. Only masked text is shown: a turn whose
masked text is not written yet (the after-call job masks it) is counted but never decrypted here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import TOKYO, to_tokyo, utcnow
from core.users import Role
from core.web.auth import StaffUser, require_role
from core.web.console import register_console_link
from core.web.deps import db_session
from core.web.templates import render
from faq.errors import KnowledgeBaseError
from voice.models import Turn

PATH = "/console/unresolved"
router = APIRouter()
register_console_link("未解決の質問", PATH, order=31)
staff = require_role(Role.STAFF)
MISS_REASONS = frozenset({"low_confidence", "out_of_scope", "not_helpful", "empty"})
REASON_LABELS = {"low_confidence": "確信度が低い", "out_of_scope": "FAQの対象外", "not_helpful": "回答で解決しなかった",
                 "empty": "聞き取れなかった",
                 "unsure_named": "自信のない回答", "close_candidates": "候補が近く確認した",
                 "unsure": "確認した"}
EXAMPLES_PER_GROUP = 5
MAX_TURNS = 20000  # a bound on one page's work; the range is what staff narrow


@dataclass
class UnresolvedGroup:
    """Unresolved questions whose nearest FAQ is ``faq_id``, or that belong to ``office`` (out of scope);
    both None: nothing came close."""

    faq_id: str | None
    office: str | None = None
    count: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    unmasked: int = 0  # questions whose masked text is not available yet


def is_unresolved(turn: Turn) -> bool:
    if turn.decision in ("miss", "transfer") and turn.reason in MISS_REASONS:
        return True
    return (turn.decision == "answer" and turn.reason == "unsure_named") or turn.decision == "clarify"


def group_unresolved(turns: list[Turn],
                     referral: Callable[[str], str | None] | None = None) -> list[UnresolvedGroup]:
    """Turns in (call, seq) order → groups, largest first. A not_helpful turn stands for the question before
    it; ``referral`` names the office of an out-of-scope question from its masked text."""
    groups: dict[tuple[str | None, str | None], UnresolvedGroup] = {}
    last_question: dict[int, Turn] = {}
    for turn in turns:
        if turn.kind != "said":
            continue
        subject = turn
        if turn.reason == "not_helpful" and turn.call_id in last_question:
            subject = last_question[turn.call_id]
        if turn.decision not in ("goodbye", "more") and turn.reason != "not_helpful":
            last_question[turn.call_id] = turn
        if not is_unresolved(turn):
            continue
        text = (subject.text_masked or "").strip()
        faq_id, office = subject.faq_id, None
        if subject.reason == "out_of_scope":
            faq_id, office = None, (referral(text) if referral and text else None)
        group = groups.setdefault((faq_id, office), UnresolvedGroup(faq_id=faq_id, office=office))
        group.count += 1
        reason = str(turn.reason or turn.decision)
        group.reasons[reason] = group.reasons.get(reason, 0) + 1
        if not text:
            group.unmasked += 1
        elif text not in group.examples and len(group.examples) < EXAMPLES_PER_GROUP:
            group.examples.append(text)
    return sorted(groups.values(), key=lambda g: (-g.count, g.faq_id or "~", g.office or "~"))


_matchers: dict[tuple[str, int], Any] = {}
_matchers_lock = threading.Lock()


def referral_office(kb_path: Path) -> Callable[[str], str | None]:
    """The office an out-of-scope question belongs to, by the same matcher the bot uses (cached per KB file
    version: building it takes a few seconds, once)."""
    import faq

    key = (str(kb_path), kb_path.stat().st_mtime_ns)
    with _matchers_lock:
        matcher = _matchers.get(key)
        if matcher is None:
            _matchers.clear()
            matcher = _matchers[key] = faq.FaqMatcher(faq.load_kb(kb_path))

    def office(text: str) -> str | None:
        referral = matcher.decide(text).referral
        return str(referral.department) if referral is not None and referral.department else None

    return office


def _day(value: str, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@router.get(PATH)
def unresolved(request: Request, start: str = "", end: str = "", _user: StaffUser = Depends(staff),
               session: Session = Depends(db_session)) -> Response:
    today = to_tokyo(utcnow()).date()
    last = _day(end, today)
    first = _day(start, last - timedelta(days=29))
    if first > last:
        first, last = last, first
    since = datetime.combine(first, time.min, tzinfo=TOKYO)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=TOKYO)
    turns = list(session.scalars(select(Turn).where(Turn.kind == "said", Turn.at >= since, Turn.at < until)
                                 .order_by(Turn.call_id, Turn.seq).limit(MAX_TURNS)))
    from app.console import faq_store  # the KB names the groups; a broken file leaves them as bare ids

    kb_path = Path(request.app.state.settings.faq_kb_path)
    try:
        kb = faq_store.load(kb_path)
        questions = {f.id: f.question for f in kb}
        categories = {f.id: f.category for f in kb}
        office = referral_office(kb_path) if any(t.reason == "out_of_scope" for t in turns) else None
    except KnowledgeBaseError:  # the page still lists the groups, without FAQ names or offices
        questions, categories, office = {}, {}, None
    groups = group_unresolved(turns, office)
    return render(request, "faq/unresolved.html", {
        "groups": groups, "start": first.isoformat(), "end": last.isoformat(), "questions": questions,
        "categories": categories, "reasons": REASON_LABELS, "total": sum(g.count for g in groups),
        "truncated": len(turns) >= MAX_TURNS})
