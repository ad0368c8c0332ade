"""Build the routing pieces from explicit paths and URLs (the composition layer passes Settings in)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from routing.crisis import CrisisDetector, ReadingConverter
from routing.crisis_model import DEFAULT_EXAMPLES, CrisisNeighbours, crisis_analyzer, training_examples
from routing.decision import Router
from routing.lexical import LexicalRanker, load_nlu_examples, sudachi_analyzer
from routing.rasa_client import HttpRasaClient, RasaClient
from routing.windows import NeedMap, WindowsDirectory

NLU_DIR = Path(__file__).resolve().parent / "rasa" / "data" / "nlu"
# The need whose first window takes anyone at any hour (needs.yaml: the resident asks for a person).
HELP_NEED = "request_staff"


@dataclass(frozen=True)
class RoutingConfig:
    rasa_url: str
    windows_path: Path
    needs_path: Path
    rasa_timeout_seconds: float = 10.0
    # the Rasa NLU training files the lexical ranker is built from (None: the Rasa classifier's ranking alone)
    nlu_dir: Path | None = NLU_DIR


@dataclass(frozen=True)
class HelpLine:
    """Where to phone when the chat cannot answer (the Rasa server is down)."""

    name: str
    phone: str
    hours: str


@dataclass(frozen=True)
class RoutingServices:
    directory: WindowsDirectory
    needs: NeedMap
    crisis: CrisisDetector
    client: RasaClient
    router: Router

    @property
    def help_line(self) -> HelpLine | None:
        """The first window of ``request_staff`` in the city's need map, else the city's general line."""
        for window_id in self.needs.windows_by_need.get(HELP_NEED, ())[:1]:
            window = self.directory[window_id]
            return HelpLine(window.name, window.phone, window.hours)
        general = self.directory.general_line
        if general is not None and general.phone:
            return HelpLine(general.name, general.phone, general.hours)
        return None


def nlu_examples(nlu_dir: Path | None = NLU_DIR) -> list[tuple[str, str]]:
    """The Rasa NLU training lines as (text, intent); none when no directory is configured."""
    return load_nlu_examples(nlu_dir.glob("*.yml")) if nlu_dir is not None else []


def build_crisis_detector(
    directory: WindowsDirectory, examples: Sequence[tuple[str, str]] | None = None
) -> CrisisDetector:
    """The keyword rules, with the nearest-neighbour second opinion when its examples are present.
    ``examples``: the NLU lines (read from the bundled NLU directory when not given)."""
    reading = ReadingConverter()
    if not DEFAULT_EXAMPLES.exists():
        return CrisisDetector(directory, reading=reading)
    calm = nlu_examples() if examples is None else examples
    model = CrisisNeighbours(training_examples(DEFAULT_EXAMPLES, calm), crisis_analyzer(reading))
    return CrisisDetector(directory, reading=reading, model=model.kind)


def build_routing(config: RoutingConfig, client: RasaClient | None = None) -> RoutingServices:
    directory = WindowsDirectory.load(config.windows_path)
    needs = NeedMap.load(config.needs_path, directory)
    examples = nlu_examples(config.nlu_dir)  # read once: the lexical ranker and the crisis model both use them
    crisis = build_crisis_detector(directory, examples)
    rasa = client or HttpRasaClient(config.rasa_url, timeout_seconds=config.rasa_timeout_seconds)
    lexical = LexicalRanker(examples, sudachi_analyzer()) if examples else None
    return RoutingServices(directory, needs, crisis, rasa, Router(rasa, needs, crisis, lexical=lexical))
