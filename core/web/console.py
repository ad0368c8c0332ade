"""What the staff console shows around the domains' pages: navigation entries and dashboard cards.

A domain registers its entries when its router module is imported::

    register_console_link("相談記録", "/console/masking/", min_role=Role.STAFF, order=30)
    register_dashboard_card("masking.pending", "確認待ちの相談記録", "masking/card_pending.html",
                            context=pending_counts)   # (request, session) -> dict for the template

The context function's values are top-level variables in the card's template (``{{ pending }}``), which
is rendered on its own: an exception in the function or the template shows a notice in that card only.
Registration is idempotent (same path / key replaces), so reloading a module does not duplicate entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from core.users import Role

CardContext = Callable[[Request, Session], Mapping[str, Any]]


@dataclass(frozen=True)
class ConsoleLink:
    label: str
    path: str
    min_role: Role = Role.STAFF
    order: int = 100


@dataclass(frozen=True)
class DashboardCard:
    key: str
    title: str
    template: str
    min_role: Role = Role.STAFF
    order: int = 100
    context: CardContext | None = None


_links: dict[str, ConsoleLink] = {}
_cards: dict[str, DashboardCard] = {}


def register_console_link(label: str, path: str, min_role: Role = Role.STAFF, order: int = 100) -> ConsoleLink:
    link = ConsoleLink(label=label, path=path, min_role=min_role, order=order)
    _links[path] = link
    return link


def register_dashboard_card(key: str, title: str, template: str, min_role: Role = Role.STAFF,
                            order: int = 100, context: CardContext | None = None) -> DashboardCard:
    card = DashboardCard(key=key, title=title, template=template, min_role=min_role, order=order,
                         context=context)
    _cards[key] = card
    return card


def links_for(role: Role) -> list[ConsoleLink]:
    return sorted((link for link in _links.values() if role.at_least(link.min_role)),
                  key=lambda link: (link.order, link.path))


def cards_for(role: Role) -> list[DashboardCard]:
    return sorted((card for card in _cards.values() if role.at_least(card.min_role)),
                  key=lambda card: (card.order, card.key))
