"""Staff console: 「チャット相談の分析」 (/console/routing/) and its dashboard card.

Only counts and masked question text are shown; window ids are named from the windows directory the city
configured (an id the file no longer has is shown as it is).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.logging import get_logger
from core.users import Role
from core.web.auth import StaffUser, require_role
from core.web.console import register_console_link, register_dashboard_card
from core.web.deps import db_session
from core.web.templates import add_template_dir, render
from routing.analytics_queries import PERIODS, PeriodAnalytics, period_analytics
from routing.analytics_store import tokyo_day
from routing.errors import DirectoryError
from routing.intent_labels import intent_label
from routing.windows import WindowsDirectory

PATH = "/console/routing/"
DEFAULT_DAYS = 30
REASON_LABELS = {"clarifying": "確認の質問をした", "not_helpful": "役に立たなかった"}
add_template_dir(Path(__file__).parent / "templates")
register_console_link("チャット相談の分析", PATH, min_role=Role.STAFF, order=40)
router = APIRouter()
staff = require_role(Role.STAFF)
log = get_logger("madoguchi.routing.console")


@dataclass(frozen=True)
class WindowRow:
    window_id: str
    name: str | None  # None: the directory no longer has this id
    count: int
    bar: int  # 0–100, relative to the most recommended window
    share: int  # % of all first recommendations in the period


_names: dict[tuple[str, int], dict[str, str]] = {}
_names_lock = threading.Lock()


def window_names(path: Path) -> dict[str, str]:
    """Window id → name from the directory file (cached per file version); {} when it cannot be read."""
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return {}
    with _names_lock:
        if key not in _names:
            try:
                names = {window.id: window.name for window in WindowsDirectory.load(path)}
            except DirectoryError as exc:
                log.warning("routing.windows_unreadable", error=type(exc).__name__)
                return {}
            _names.clear()
            _names[key] = names
        return _names[key]


def window_rows(data: PeriodAnalytics, names: dict[str, str]) -> list[WindowRow]:
    top = max((count for _, count in data.windows), default=0)
    total = sum(count for _, count in data.windows)
    return [WindowRow(window_id, names.get(window_id), count, round(100 * count / top) if top else 0,
                      round(100 * count / total) if total else 0) for window_id, count in data.windows]


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(100 * rate)}%"


@router.get(PATH)
def analytics_page(request: Request, days: int = DEFAULT_DAYS, _user: StaffUser = Depends(staff),
                   session: Session = Depends(db_session)) -> Response:
    if days not in PERIODS:
        days = DEFAULT_DAYS
    data = period_analytics(session, tokyo_day(utcnow()), days)
    names = window_names(Path(request.app.state.settings.windows_path))
    busiest = max((d.messages for d in data.days), default=0)
    return render(request, "routing/analytics.html", {
        "data": data, "days": days, "periods": PERIODS, "windows": window_rows(data, names),
        "helpful_rate": _percent(data.helpful_rate), "busiest": busiest, "reasons": REASON_LABELS,
        "intent_label": intent_label,
    })


def _card(_request: Request, session: Session) -> dict[str, Any]:
    week = period_analytics(session, tokyo_day(utcnow()), 7, max_questions=0)
    return {"today": week.days[0], "week": week, "helpful_rate": _percent(week.helpful_rate)}


register_dashboard_card("routing.analytics", "福祉チャット相談", "routing/card.html", order=40, context=_card)
