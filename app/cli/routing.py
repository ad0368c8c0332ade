"""`madoguchi routing …`: route welfare worries with the running Rasa server (DESIGN.md contract)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from core.settings import Settings, get_settings
from routing.decision import Router, RoutingDecision
from routing.errors import RasaError, RoutingError
from routing.evaluation import LabelledMessage, Prediction, score
from routing.wiring import RoutingConfig, RoutingServices, build_routing

app = typer.Typer(no_args_is_help=True, help="Welfare routing (Rasa).")

RETRIES = 3


def routing_config(settings: Settings) -> RoutingConfig:
    return RoutingConfig(
        rasa_url=settings.rasa_url,
        windows_path=settings.windows_path,
        needs_path=settings.needs_path,
        rasa_timeout_seconds=settings.rasa_timeout_seconds,
    )


def _services() -> RoutingServices:
    settings = get_settings()
    try:
        services = build_routing(routing_config(settings))
    except RoutingError as exc:
        typer.echo(f"routing: {exc}", err=True)
        raise typer.Exit(2) from exc
    if not services.client.is_up():
        typer.echo(f"routing: no Rasa server at {settings.rasa_url} (start it with `make rasa`)", err=True)
        raise typer.Exit(3)
    return services


def _decide(router: Router, text: str) -> RoutingDecision:
    for attempt in range(RETRIES):
        try:
            return router.decide(text)
        except RasaError as exc:
            if not exc.retryable or attempt == RETRIES - 1:
                raise
            time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


@app.command()
def predict() -> None:
    """JSON Lines {"text"} on stdin → {"windows": [...best first], "crisis": bool} per line on stdout."""
    router = _services().router
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            text = str(json.loads(line)["text"])
        except (ValueError, KeyError, TypeError) as exc:
            typer.echo(f"routing predict: line {number} is not a JSON object with a 'text' field", err=True)
            raise typer.Exit(2) from exc
        try:
            decision = _decide(router, text)
        except RasaError as exc:
            typer.echo(f"routing predict: line {number}: {exc}", err=True)
            raise typer.Exit(1) from exc
        sys.stdout.write(json.dumps({"windows": list(decision.windows), "crisis": decision.crisis}) + "\n")
        sys.stdout.flush()


@app.command("eval")
def evaluate(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL with text, windows, crisis.")],
    show_errors: Annotated[bool, typer.Option(help="Also list the messages routed wrongly.")] = False,
) -> None:
    """Print top-1 acceptable, best-in-top-3, crisis recall/precision and out-of-scope accuracy."""
    router = _services().router
    pairs = []
    for line in file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        gold = LabelledMessage(text=row["text"], windows=tuple(row["windows"]), crisis=bool(row["crisis"]))
        decision = _decide(router, gold.text)
        predicted = Prediction(windows=decision.windows, crisis=decision.crisis)
        pairs.append((gold, predicted))
        if show_errors and _wrong(gold, predicted):
            # evaluation data is synthetic test text, never residents' messages
            typer.echo(f"  {gold.text[:60]} | gold {list(gold.windows)} crisis={gold.crisis}"
                       f" | got {list(predicted.windows)} crisis={predicted.crisis}", err=True)
    for text in score(pairs).lines():
        typer.echo(text)


def _wrong(gold: LabelledMessage, predicted: Prediction) -> bool:
    if gold.crisis != predicted.crisis:
        return True
    if not gold.windows:
        return bool(predicted.windows)
    top1_wrong = not predicted.windows or predicted.windows[0] not in gold.windows
    return top1_wrong or gold.windows[0] not in predicted.windows[:3]
