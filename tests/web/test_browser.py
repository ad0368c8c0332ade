"""A new user's path, in a real browser: `madoguchi run` (what `make run` calls) on a free port with a
fresh data directory, the printed demo login typed into the login form in Chromium, the dashboard, logout,
then Ctrl-C (SIGINT) stops everything."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import free_port, skip_or_fail

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
SCREENSHOT_DIR = Path("/tmp/madoguchi-screenshots")


@dataclass
class RunningSystem:
    url: str
    username: str
    password: str
    process: subprocess.Popen[str]
    output: list[str]


def _read_lines(process: subprocess.Popen[str], lines: queue.Queue[str | None], keep: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        keep.append(line)
        lines.put(line)
    lines.put(None)


@pytest.fixture
def running_system(tmp_path: Path) -> Iterator[RunningSystem]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
    env |= {"MADOGUCHI_DATA_DIR": str(tmp_path / "var"), "MADOGUCHI_ENV": "development"}
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "run", "--port", str(port), "--no-worker"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []
    reader = threading.Thread(target=_read_lines, args=(process, lines, output), daemon=True)
    reader.start()
    username = password = ""
    try:
        while True:
            line = lines.get(timeout=180)
            if line is None:
                pytest.fail("madoguchi run exited before it was up:\n" + "".join(output))
            if match := re.search(r"ユーザー名: (\S+)", line):
                username = match.group(1)
            if match := re.search(r"パスワード: (\S+)", line):
                password = match.group(1)
            if "Ctrl-C" in line:
                break
        yield RunningSystem(f"http://127.0.0.1:{port}", username, password, process, output)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        reader.join(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def test_new_user_logs_in_with_the_printed_demo_login(running_system: RunningSystem) -> None:
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    assert running_system.username == "demo" and running_system.password
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-background-networking"])
        page = browser.new_page(locale="ja-JP", viewport={"width": 1200, "height": 800})
        outside: list[str] = []
        page.on("request", lambda request: None if request.url.startswith(running_system.url)
                else outside.append(request.url))

        page.goto(running_system.url + "/console/")
        expect(page).to_have_url(re.compile(r"/console/login\?next=/console/$"))
        expect(page.get_by_role("heading", name="職員ログイン")).to_be_visible()
        page.keyboard.press("Tab")  # the skip link first: keyboard users must see where focus is
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

        page.get_by_label("ユーザー名").fill(running_system.username)
        page.get_by_label("パスワード").fill("wrong password!")
        page.get_by_role("button", name="ログイン").click()
        expect(page.get_by_role("alert")).to_have_text("ユーザー名またはパスワードが正しくありません。")
        page.screenshot(path=str(SCREENSHOT_DIR / "login-error.png"), full_page=True)

        page.get_by_label("パスワード").fill(running_system.password)
        page.get_by_role("button", name="ログイン").click()
        expect(page.get_by_role("heading", name="ダッシュボード", exact=True)).to_be_visible()
        expect(page.get_by_text("デモ 管理者（システム管理者）")).to_be_visible()
        page.screenshot(path=str(SCREENSHOT_DIR / "dashboard.png"), full_page=True)

        page.get_by_role("link", name="ユーザー管理").click()
        expect(page.get_by_role("heading", name="ユーザー管理", exact=True)).to_be_visible()
        page.get_by_label("ユーザー名").fill("yamada")
        page.get_by_label("表示名").fill("市民税課 山田")
        page.get_by_label("役割").select_option("staff")
        page.get_by_label("初期パスワード").fill("correct horse battery")
        page.get_by_role("button", name="追加する").click()
        expect(page.get_by_role("status")).to_have_text("ユーザー yamada を作成しました。")
        expect(page.get_by_role("cell", name="市民税課 山田")).to_be_visible()
        page.screenshot(path=str(SCREENSHOT_DIR / "users.png"), full_page=True)

        page.get_by_role("button", name="ログアウト").click()
        expect(page.get_by_role("status")).to_have_text("ログアウトしました。")
        browser.close()
    assert outside == []  # nothing loads from the internet

    running_system.process.send_signal(signal.SIGINT)
    assert running_system.process.wait(timeout=60) == 0
    assert "停止しました。" in "".join(running_system.output)
