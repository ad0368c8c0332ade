"""`madoguchi worker`: run background jobs (the Huey consumer, with lease recovery)."""

from __future__ import annotations

import importlib
import logging
from typing import Annotated

import typer

app = typer.Typer()

# Modules that declare jobs with ``core.jobs.job``; a worker can only run jobs it has imported.
# Each domain adds its module here (e.g. "masking.jobs", "voice.jobs").
JOB_MODULES: tuple[str, ...] = ("masking.jobs", "voice.jobs")


@app.command()
def worker(
    workers: Annotated[int, typer.Option(min=1, help="Jobs run at the same time.")] = 2,
    worker_type: Annotated[str, typer.Option(help="thread, or process for CPU-bound jobs.")] = "thread",
    tasks: Annotated[list[str] | None, typer.Option(
        "--tasks", help="Another module declaring jobs (repeatable).")] = None,
    periodic: Annotated[bool, typer.Option(
        help="Enqueue periodic jobs on schedule (with several machines, leave it on one).")] = True,
) -> None:
    """Run background jobs until Ctrl-C (running jobs get 30 s to finish, then are re-queued)."""
    from core.job_engine import RedactTaskErrors
    from core.jobs import configure_queue
    from core.logging import configure_logging
    from core.settings import get_settings

    if worker_type not in ("thread", "process"):
        raise typer.BadParameter("must be thread or process", param_hint="--worker-type")
    settings = get_settings()
    configure_logging(settings.log_level)
    logging.getLogger("huey").addFilter(RedactTaskErrors())
    queue = configure_queue(settings)
    for module in (*JOB_MODULES, *(tasks or ())):
        importlib.import_module(module)
    queue.consumer(workers=workers, worker_type=worker_type, periodic=periodic).run()  # type: ignore[arg-type]
