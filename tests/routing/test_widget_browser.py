"""The widget in a real browser (Chromium from Debian, driven by Playwright) against the real gateway,
masking detector and Rasa server: the demo page, window cards, a crisis reply, no HTML injection."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from core.settings import Settings
from core.web.ratelimit import SlidingWindowLimiter
from routing.web import router as routing_router
from tests.routing.conftest import NEEDS_PATH, WINDOWS_PATH
from tests.support import free_port, skip_or_fail

pytestmark = [pytest.mark.browser, pytest.mark.rasa, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def gateway_url(rasa_url: str) -> Iterator[str]:
    app = FastAPI()
    app.state.settings = Settings(rasa_url=rasa_url, windows_path=WINDOWS_PATH, needs_path=NEEDS_PATH)
    app.state.rate_limiter = SlidingWindowLimiter()
    app.include_router(routing_router)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/routing/widget.js", timeout=2)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    yield url
    server.should_exit = True
    thread.join(timeout=30)
    rasa = getattr(app.state, "routing_client", None)
    if rasa is not None:
        rasa.close()


def test_resident_uses_the_widget(gateway_url: str) -> None:
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-background-networking"])
        # a phone screen
        page = browser.new_page(locale="ja-JP", viewport={"width": 390, "height": 844})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(gateway_url + "/routing/demo")

        launcher = page.get_by_role("button", name="福祉の相談窓口をさがす")
        launcher.click()
        expect(launcher).to_have_attribute("aria-expanded", "true")
        expect(page.get_by_text("お名前・住所・電話番号などの個人情報は書かないでください。")).to_be_visible()
        expect(page.get_by_text("AI が窓口を案内します", exact=False)).to_be_visible()

        box = page.get_by_label("相談したいことを入力")
        expect(box).to_be_focused()
        box.fill("生活保護を受けたいです")
        page.get_by_role("button", name="送信").click()
        expect(page.get_by_role("heading", name="みらい市福祉事務所 生活支援課（生活保護担当）")).to_be_visible(
            timeout=60_000)
        call = page.get_by_role("link", name="みらい市福祉事務所 生活支援課（生活保護担当）に電話する 000-0000-0005")
        expect(call).to_have_attribute("href", "tel:00000000005")

        box.fill("もう消えたい")
        box.press("Enter")
        expect(page.get_by_role("heading", name="こころの健康相談統一ダイヤル").first).to_be_visible(timeout=60_000)
        expect(page.get_by_text("110番（警察）か 119番（救急）", exact=False).first).to_be_visible()
        # for looking at what a resident in crisis sees (a phone screen)
        page.screenshot(path=str(Path(tempfile.gettempdir()) / "madoguchi-widget-crisis.png"), full_page=True)

        box.fill('<img src=x onerror="window.__pwned=1">助けて')
        box.press("Enter")
        expect(page.get_by_text('<img src=x onerror="window.__pwned=1">助けて')).to_be_visible(timeout=60_000)
        assert page.evaluate("window.__pwned") is None

        page.keyboard.press("Escape")
        expect(launcher).to_have_attribute("aria-expanded", "false")
        assert errors == []
        browser.close()
