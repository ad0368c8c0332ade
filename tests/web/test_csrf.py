"""Every state-changing route refuses a request without this session's CSRF token.

The routes are discovered from the app, so a form a domain adds later is covered without editing this
file. A route that authenticates its callers another way must say so with ``@csrf_exempt(reason)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from app.main import create_app
from core.settings import Settings
from core.users import Role
from core.web.csrf import MESSAGE, exemption
from tests.web.conftest import log_in

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_routes(app: FastAPI) -> list[tuple[str, str]]:
    found = []
    for route in iter_route_contexts(app.routes):
        if route.endpoint is None or route.path is None or exemption(route.endpoint):
            continue
        found.extend((method, route.path) for method in sorted((route.methods or set()) & UNSAFE))
    return found


def _routes_for_parametrize() -> list[tuple[str, str]]:
    from pydantic import SecretStr

    settings = Settings(_env_file=None, env="test", database_url="sqlite://",  # type: ignore[call-arg]
                        secret_key=SecretStr("collect-only"), queue_backend="immediate")
    return unsafe_routes(create_app(settings))


ROUTES = _routes_for_parametrize()


def test_the_console_has_forms_to_protect() -> None:
    assert ("POST", "/console/login") in ROUTES
    assert ("POST", "/console/logout") in ROUTES
    assert ("POST", "/console/users") in ROUTES


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_unsafe_route_refuses_missing_or_wrong_token(client: TestClient, make_user: Callable[..., str],
                                                     method: str, path: str, token: str) -> None:
    log_in(client, make_user("csrfadmin", Role.ADMIN))  # the strongest role: a 403 can only come from CSRF
    concrete = re.sub(r"\{[^}]+\}", "1", path)
    data = {"csrf_token": "not-the-session-token"} if token == "wrong" else {}
    response = client.request(method, concrete, data=data)
    assert response.status_code == 403
    assert MESSAGE in response.text
