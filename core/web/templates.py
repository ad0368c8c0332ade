"""One Jinja2 environment for every console page, with autoescape on.

Templates are looked up in core's folder first (``console/base.html``, ``console/error.html``), then in
each folder registered with ``add_template_dir`` — each domain registers its own ``templates/`` folder
and names its templates ``<domain>/….html`` so they cannot collide. Pages extend ``console/base.html``
and fill ``{% block title %}`` and ``{% block content %}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import HTMLResponse

from core.clock import to_tokyo
from core.users import Role
from core.web.console import links_for
from core.web.csrf import csrf_field, csrf_token

CORE_TEMPLATES = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
ROLE_LABELS = {Role.STAFF: "職員", Role.SUPERVISOR: "管理監督者", Role.ADMIN: "システム管理者"}

_loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(CORE_TEMPLATES)]
_dirs: list[Path] = [CORE_TEMPLATES]
_env = jinja2.Environment(
    loader=jinja2.ChoiceLoader(_loaders),
    autoescape=True,  # every template, whatever its extension: console pages show residents' text
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def add_template_dir(path: Path) -> None:
    path = path.resolve()
    if path not in _dirs:
        _dirs.append(path)
        _loaders.append(jinja2.FileSystemLoader(path))


def _console_context(request: Request) -> dict[str, Any]:
    user = getattr(request.state, "user", None)
    return {
        "current_user": user,
        "nav_links": links_for(user.role) if user is not None else [],
        "csrf_field": lambda: csrf_field(request),
        "csrf_token": lambda: csrf_token(request),
    }


templates = Jinja2Templates(env=_env, context_processors=[_console_context])
_env.filters["tokyo"] = lambda moment: to_tokyo(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
_env.filters["role_label"] = lambda role: ROLE_LABELS.get(Role(role), str(role))
_env.globals["role_labels"] = ROLE_LABELS


def render_fragment(request: Request, name: str, context: Mapping[str, Any]) -> Markup:
    """A partial (a dashboard card) rendered on its own, so its errors can be caught by the caller."""
    values = {**_console_context(request), "request": request, **context}
    return Markup(_env.get_template(name).render(values))  # noqa: S704 (autoescaped template output)


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200,
           headers: Mapping[str, str] | None = None) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code, headers=headers)
