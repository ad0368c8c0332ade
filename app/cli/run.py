"""`madoguchi run`: everything on one machine — what `make run` calls.

Migrates the database, makes sure the demo account exists, starts the web app and the job worker (and
any ``--with NAME=COMMAND`` extras, e.g. the Rasa server) and stops them all on Ctrl-C.
"""

from __future__ import annotations

import os
import time
from typing import Annotated

import httpx
import typer

app = typer.Typer()


def _wait_until_up(url: str, supervisor: object, timeout_seconds: float = 120.0) -> bool:
    from app.supervisor import Supervisor

    assert isinstance(supervisor, Supervisor)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline and not supervisor.stop_requested and supervisor.exited() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


@app.command()
def run(
    host: Annotated[str, typer.Option(help="Address the web app listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the web app.")] = 8000,
    worker: Annotated[bool, typer.Option(help="Also run the background job worker.")] = True,
    extra: Annotated[list[str] | None, typer.Option(
        "--with", help="Another process to supervise, as NAME=COMMAND (repeatable), e.g. the Rasa server.")] = None,
) -> None:
    """Start the web app, the worker and the extras; print the URL and the demo login; Ctrl-C stops all."""
    from app.demo_account import DemoRefused, ensure_demo_account
    from app.supervisor import ChildSpec, Supervisor, parse_extra, python_cli
    from core.migrate import upgrade
    from core.settings import get_settings

    settings = get_settings()
    typer.echo("データベースを準備しています…")
    upgrade(settings.database_url)
    try:
        login = ensure_demo_account(settings)
    except DemoRefused as exc:
        typer.echo(str(exc))
        login = None

    try:
        extras = [parse_extra(value) for value in extra or ()]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--with") from exc
    if any(spec.name == "rasa" for spec in extras):
        # the web app's /readyz then reports the supervised Rasa server too (children inherit the environment)
        os.environ.setdefault("MADOGUCHI_RASA_ENABLED", "true")
    specs = [ChildSpec("web", python_cli("serve", "--host", host, "--port", str(port)))]
    if worker and settings.queue_backend != "immediate":
        specs.append(ChildSpec("worker", python_cli("worker"), grace_seconds=35.0))
    specs.extend(extras)

    supervisor = Supervisor(specs, say=typer.echo)
    supervisor.start()
    url = f"http://{host}:{port}"
    if _wait_until_up(f"{url}/healthz", supervisor):
        lines = ["", "=" * 60, " 窓口 Madoguchi が起動しました", f"   職員コンソール: {url}/console/",
                 f"   電話AIの試し通話（ソフトフォン）: {url}/console/softphone",
                 f"   福祉チャットの試用（市のページの例）: {url}/routing/demo"]
        if login is not None:
            lines += [f"   ユーザー名: {login.username}", f"   パスワード: {login.password}",
                      f"   (パスワードは {settings.data_dir / 'demo-login.txt'} にも保存されています)"]
        lines += [f"   起動したプロセス: {', '.join(spec.name for spec in specs)}",
                  "   停止するには Ctrl-C を押してください。", "=" * 60, ""]
        typer.echo("\n".join(lines))
    code = supervisor.wait()
    typer.echo("停止しました。" if code == 0 else "異常終了したプロセスがあったため停止しました。")
    raise typer.Exit(code)
