from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from routing.errors import DirectoryError
from routing.windows import NeedMap, WindowsDirectory
from tests.routing.conftest import NEEDS_PATH
from tests.routing.rasa_server import RASA_DIR


def test_default_directory_loads_every_window(directory: WindowsDirectory) -> None:
    assert len(directory) == 27
    center = directory["chukaku-center"]
    assert center.hours == "24時間365日"
    assert center.crisis_line
    assert directory["gyakutai-189"].tel_uri == "tel:189"
    assert directory["dv-navi-8008"].tel_uri == "tel:%238008"
    assert {w.id for w in directory.crisis_lines} >= {"police-110", "kyukyu-119", "kokoro-dial", "yorisoi"}
    assert directory.general_line is not None and directory.general_line.phone


def test_every_need_intent_of_the_rasa_domain_is_mapped(needs: NeedMap) -> None:
    domain = yaml.safe_load((RASA_DIR / "domain.yml").read_text(encoding="utf-8"))
    conversational = {"unclear", "greet", "goodbye", "thank"}
    intents = set(domain["intents"])
    assert intents - conversational == set(needs.windows_by_need) | needs.out_of_scope
    assert needs.windows_by_need["request_staff"] == ("chukaku-center",)


def test_need_map_rejects_unknown_windows(tmp_path: Path, directory: WindowsDirectory) -> None:
    path = tmp_path / "needs.yaml"
    path.write_text("needs:\n  elderly_care: [no-such-window]\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match="no-such-window"):
        NeedMap.load(path, directory)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("windows: []\n", "non-empty"),
        ("- just a list\n", "mapping"),
        ("windows:\n  - id: a\n    name: A\n    phone: '1'\n", "lacks hours"),
        (
            "windows:\n  - {id: a, name: A, phone: '1', hours: h}\n  - {id: a, name: B, phone: '2', hours: h}\n",
            "duplicate",
        ),
        ("windows: [unclosed\n", "cannot read"),
    ],
)
def test_malformed_directory_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "windows.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError, match=message):
        WindowsDirectory.load(path)


def test_need_map_file_names_only_known_windows(directory: WindowsDirectory) -> None:
    needs = NeedMap.load(NEEDS_PATH, directory)
    assert all(window in directory for windows in needs.windows_by_need.values() for window in windows)
