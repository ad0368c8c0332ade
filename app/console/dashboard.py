"""The dashboard: a grid of cards that the domains register (core.web.console.register_dashboard_card)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from core.logging import get_logger
from core.users import Role
from core.web.auth import HOME_PATH, StaffUser, require_role
from core.web.console import cards_for
from core.web.deps import db_session
from core.web.templates import render, render_fragment

router = APIRouter()
log = get_logger("madoguchi.dashboard")


@router.get(HOME_PATH)
def dashboard(request: Request, user: StaffUser = Depends(require_role(Role.STAFF)),
              session: Session = Depends(db_session)) -> Response:
    cards: list[dict[str, Any]] = []
    for card in cards_for(user.role):
        try:
            context = dict(card.context(request, session)) if card.context is not None else {}
            # The card's values are top-level template variables (also reachable as ``data``).
            html = render_fragment(request, card.template, {**context, "card": card, "data": context})
        except Exception as exc:
            # One domain's broken card must not take the whole console down. Type only: exception
            # messages can quote data (SQL parameters, text).
            log.error("dashboard.card_failed", card=card.key, error=type(exc).__name__)
            session.rollback()
            html = None
        cards.append({"card": card, "html": html})
    return render(request, "console/dashboard.html", {"cards": cards, "user": user})
