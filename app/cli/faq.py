"""`madoguchi faq …`: predict (JSONL in/out, the evaluation contract), eval, ask, hints."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(name="faq", help="Tax FAQ matcher: predict, evaluate, ask.", no_args_is_help=True)

KbOption = Annotated[
    Path | None,
    typer.Option("--kb", help="Knowledge base (.yaml or .csv); default: the bundled sample city's KB."),
]
ThresholdsOption = Annotated[
    Path | None,
    typer.Option("--thresholds", help="Thresholds YAML; default: faq/data/thresholds.yaml."),
]


def _matcher(kb_path: Path | None, thresholds_path: Path | None) -> Any:
    from faq import FaqError, FaqMatcher, load_kb, load_thresholds
    from faq.kb import DEFAULT_KB_PATH

    try:
        kb = load_kb(kb_path or DEFAULT_KB_PATH)
        thresholds = load_thresholds(thresholds_path) if thresholds_path else None
        return FaqMatcher(kb, thresholds)
    except FaqError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


@app.command()
def predict(kb: KbOption = None, thresholds: ThresholdsOption = None) -> None:
    """Read JSON lines {"text": …} on stdin; write {"faq_id", "score", "action"} per line, in order."""
    from faq.evaluation import prediction

    matcher = _matcher(kb, thresholds)
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            text = json.loads(line)["text"]
            if not isinstance(text, str):
                raise TypeError("text is not a string")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            typer.echo(f"error: stdin line {number}: expected a JSON object with a 'text' string ({exc})", err=True)
            raise typer.Exit(2) from exc
        out.write(json.dumps(prediction(matcher.decide(text)), ensure_ascii=False) + "\n")
    out.flush()


@app.command("eval")
def eval_(
    file: Annotated[Path, typer.Argument(help="Labelled JSONL: {text, faq_id|null, style}.")],
    kb: KbOption = None,
    thresholds: ThresholdsOption = None,
    errors: Annotated[bool, typer.Option("--errors", help="Also list the lines the matcher got wrong.")] = False,
) -> None:
    """Print in-scope top-1, wrong-answer rate, out-of-scope/human transfer recall, per style, latency."""
    from faq.evaluation import evaluate, load_examples

    matcher = _matcher(kb, thresholds)
    try:
        examples = load_examples(file)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    matcher.decide("住民税の納期はいつですか")  # warm-up: first call loads tokenizer caches
    report = evaluate(matcher, examples)
    typer.echo(report.format())
    if errors:
        for example, predicted in report.errors:
            typer.echo(
                f"  ✗ [{example.style}] gold={example.faq_id} got={predicted['faq_id']} "
                f"{predicted['action']} {predicted['score']:.3f} | {example.text}"
            )


@app.command()
def ask(
    text: Annotated[str, typer.Argument(help="What the caller said.")],
    kb: KbOption = None,
    thresholds: ThresholdsOption = None,
) -> None:
    """Show the decision for one utterance, with the candidates and the answer to read."""
    matcher = _matcher(kb, thresholds)
    d = matcher.decide(text)
    typer.echo(f"normalized: {d.normalized}")
    typer.echo(f"action:     {d.action} ({d.reason}), score {d.score:.3f}")
    if d.candidates:
        typer.echo("candidates: " + ", ".join(f"{c.faq_id} {c.score:.3f}" for c in d.candidates))
    if d.action == "clarify" and d.clarify_question:
        typer.echo(f"clarify:    {d.clarify_question}")
    if d.referral is not None:
        typer.echo(f"referral:   {d.referral.topic} → {d.referral.department}")
    if d.faq is not None:
        typer.echo(f"faq:        {d.faq.id} {d.faq.question} [{d.faq.department}]")
        if d.action == "answer":
            typer.echo(f"answer:     {d.faq.answer_voice}")


@app.command()
def hints(
    limit: Annotated[int, typer.Option(help="How many words.")] = 100,
    kb: KbOption = None,
) -> None:
    """Print the speech-recognition hints for this KB (comma-separated, for <Gather hints>)."""
    typer.echo(",".join(_matcher(kb, None).speech_hints(limit)))
