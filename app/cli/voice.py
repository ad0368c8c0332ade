"""`madoguchi voice …`: the Twilio URLs to configure, and a text-only call in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from core.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Tax voice bot (Twilio).")


@app.command()
def urls() -> None:
    """Print the webhook URLs to set on the Twilio phone number (from MADOGUCHI_PUBLIC_BASE_URL)."""
    from voice.twiml import WebhookUrls

    settings = get_settings()
    u = WebhookUrls(settings.public_base_url)
    base = settings.public_base_url.rstrip("/")
    typer.echo(f"A call comes in (Webhook, HTTP POST): {base}/voice/incoming")
    typer.echo(f"Call status changes (HTTP POST):      {u.status()}")
    typer.echo(f"ASR path: {settings.voice_asr}; office hours: {settings.office_hours}")


@app.command()
def chat(
    office_hours: Annotated[str | None, typer.Option(help="override MADOGUCHI_OFFICE_HOURS (e.g. never)")] = None,
) -> None:
    """Talk to the call flow by typing: a line is speech, `#0`/`#9`/`#1…` are keys, an empty line is silence.

    Nothing is stored and nothing is dialled; what the bot would do is printed. For trying FAQ changes.
    """
    from core.clock import utcnow
    from voice.answerer import FaqLibraryAnswerer
    from voice.config import load_voice_config
    from voice.events import CallerPressed, CallerSaid, CallEvent, CallStarted, Enqueue, Hangup, Say, Silence, Transfer
    from voice.flow import CallContext, CallFlow
    from voice.office_hours import OfficeHours

    settings = get_settings()
    flow = CallFlow(FaqLibraryAnswerer.from_path(settings.faq_kb_path),
                    load_voice_config(settings.voice_config_path).flow_config(settings.recording_enabled),
                    OfficeHours(office_hours or settings.office_hours))
    ctx = CallContext()
    event: CallEvent = CallStarted()
    while True:
        step = flow.handle(ctx, event, utcnow())
        for action in step.actions:
            if isinstance(action, Say):
                typer.echo(f"ボット: {action.text}")
            elif isinstance(action, Transfer):
                typer.echo(f"[転送] {action.department} {action.number} ／ ささやき: {action.whisper}")
            elif isinstance(action, Enqueue):
                typer.echo(f"[待ち行列] {action.queue} ／ ささやき: {action.whisper}")
            elif isinstance(action, Hangup):
                typer.echo("[通話終了]")
        turn = step.turn
        if turn and turn.faq_id:
            typer.echo(f"  ({turn.decision} {turn.reason or ''} {turn.faq_id} {turn.score or 0:.3f})")
        if ctx.ended or ctx.state.value == "transferring":
            typer.echo(f"結果: {ctx.outcome.value if ctx.outcome else ctx.state.value}")
            return
        try:
            line = input("あなた: ").strip()
        except EOFError:
            return
        event = CallerPressed(line[1:]) if line.startswith("#") else CallerSaid(line, 1.0) if line else Silence()
