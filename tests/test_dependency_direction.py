"""Dependencies point one way: app → domains → core (DESIGN.md, "Layout").

faq/ and masking's detection are libraries a notebook can use: no web framework, no database layer,
no composition layer. core is shared by everyone, so it imports no domain and not the app. Domains never
import the app. The check reads import statements (AST), so it also catches imports inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ("voice", "faq", "masking", "routing")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    base = ROOT / folder
    if not base.exists():
        return []
    problems = []
    for path in sorted(base.rglob("*.py")):
        if "rasa" in path.relative_to(ROOT).parts[1:2] and folder == "routing":
            continue  # routing/rasa/ runs in Rasa's own Python 3.10 environment, not ours
        for module in sorted(imported_modules(path)):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                problems.append(f"{path.relative_to(ROOT)} imports {module}")
    return problems


@pytest.mark.parametrize(("folder", "forbidden"), [
    ("faq", ("fastapi", "starlette", "sqlalchemy", "core.db", "core.web", "app")),
    ("masking/detection", ("fastapi", "starlette", "sqlalchemy", "core.db", "core.web", "app")),
    ("core", ("app", *DOMAINS)),
    *[(domain, ("app",)) for domain in DOMAINS],
])
def test_dependency_direction(folder: str, forbidden: tuple[str, ...]) -> None:
    assert violations(folder, forbidden) == []


def test_the_scanner_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from sqlalchemy.orm import Session\n    import fastapi\n", encoding="utf-8")
    assert {"sqlalchemy.orm", "fastapi"} <= imported_modules(sample)
