"""「チャット相談の分析」 in a real browser (Chromium via Playwright) against the real app on a free port: log in,
open the page from the navigation, switch the period; a screenshot goes to /tmp/routing-analytics.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from core.db import make_engine, make_session_factory
from core.migrate import upgrade
from routing.analytics_store import DatabaseAnalytics
from tests.routing.test_analytics import TODAY, add_staff, analytics_app, at, turn
from tests.support import serving, skip_or_fail
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path("/tmp/routing-analytics.png")


def seed(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    add_staff(sessions)
    for days_ago, messages in ((0, 9), (1, 14), (3, 6), (12, 4)):
        moment = at(TODAY - timedelta(days=days_ago))
        analytics = DatabaseAnalytics(sessions, clock=lambda moment=moment: moment)  # type: ignore[misc]
        for n in range(messages):
            window = ("seikatsu-hogo", "chiiki-houkatsu", "kodomo-katei", "seikatsu-hogo", "jiritsu-soudan")[n % 5]
            analytics.record_turn(turn(windows=(window,), crisis=n == 7), new_conversation=n % 2 == 0,
                                  clarifying=False, out_of_scope=n == 5)
        analytics.record_turn(turn("＊＊＊の件で相談があります"), new_conversation=True, clarifying=True,
                              out_of_scope=False)
        analytics.record_feedback(True, None)
    unhelpful = turn("<script>alert(1)</script> 母の介護、＊＊＊に相談したい", intent="elderly_care")
    analytics.record_feedback(False, unhelpful)
    engine.dispose()


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    upgrade(url)
    seed(url)
    with serving(analytics_app(url, tmp_path)) as base:
        yield base


def test_staff_member_opens_the_chat_analytics_in_chromium(server_url: str) -> None:
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-background-networking"])
        page = browser.new_page(locale="ja-JP", viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(server_url + "/console/routing/")
        expect(page).to_have_url(f"{server_url}/console/login?next=/console/routing/")
        page.get_by_label("ユーザー名").fill("sato")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()

        expect(page.get_by_role("heading", name="チャット相談の分析", level=1)).to_be_visible()
        expect(page.get_by_role("link", name="チャット相談の分析")).to_have_attribute("aria-current", "page")
        windows = page.locator("#windows tbody tr")
        expect(windows.first).to_contain_text("みらい市福祉事務所 生活支援課（生活保護担当）")
        expect(page.locator("#questions")).to_contain_text("<script>alert(1)</script> 母の介護、＊＊＊に相談したい")
        assert page.evaluate("document.querySelectorAll('main script').length") == 0
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        page.get_by_role("link", name="過去7日").click()
        expect(page.get_by_text("過去7日", exact=True)).to_have_attribute("aria-current", "page")
        expect(page.locator("#days tbody tr")).to_have_count(7)
        assert errors == []
        browser.close()
