"""The API a domain uses to join the console: templates folder, nav link, dashboard card, router."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.main import create_app
from core.settings import Settings
from core.users import Role
from core.web import console
from core.web.auth import StaffUser, require_role
from core.web.templates import add_template_dir, render
from tests.web.conftest import log_in


@pytest.fixture
def sample_domain(web_settings: Settings) -> Iterator[TestClient]:
    def pending(_request: Request, _session: Session) -> Mapping[str, Any]:
        return {"pending": 7}

    def broken(_request: Request, _session: Session) -> Mapping[str, Any]:
        raise RuntimeError("the sample domain's database is down")

    add_template_dir(Path(__file__).parent / "templates")
    console.register_console_link("サンプル", "/console/sample/", min_role=Role.SUPERVISOR, order=10)
    console.register_dashboard_card("sample.pending", "サンプル", "sample/card.html", context=pending)
    console.register_dashboard_card("sample.broken", "壊れたカード", "sample/card.html", context=broken)
    router = APIRouter()

    @router.get("/console/sample/")
    def sample_page(request: Request, user: StaffUser = Depends(require_role(Role.SUPERVISOR))) -> Response:
        return render(request, "console/error.html", {"title": "サンプル", "message": user.username})

    app = create_app(web_settings)
    app.include_router(router)
    with TestClient(app, headers={"accept": "text/html"}) as client:
        yield client
    console._links.pop("/console/sample/")
    console._cards.pop("sample.pending")
    console._cards.pop("sample.broken")


def test_domain_card_link_and_page(sample_domain: TestClient, make_user: Callable[..., str]) -> None:
    log_in(sample_domain, make_user("chief", Role.SUPERVISOR))
    dashboard = sample_domain.get("/console/").text
    assert '<p class="figure">7</p>' in dashboard
    assert "この項目を読み込めませんでした" in dashboard  # one broken card does not break the page
    assert '<a href="/console/sample/">サンプル</a>' in dashboard
    assert sample_domain.get("/console/sample/").status_code == 200


def test_links_follow_the_role(sample_domain: TestClient, make_user: Callable[..., str]) -> None:
    log_in(sample_domain, make_user("clerk", Role.STAFF))
    assert "/console/sample/" not in sample_domain.get("/console/").text
    assert sample_domain.get("/console/sample/").status_code == 403
