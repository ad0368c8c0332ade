"""Staff console request cost: login (argon2 verify + audit entry) and the dashboard, in process.

    .venv/bin/python -m benchmarks.console_requests --rounds 30

Uses a fresh SQLite file and Starlette's TestClient (no network), so it measures the app, not uvicorn.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.main import create_app
from core.db import make_engine, make_session_factory, session_scope
from core.migrate import upgrade
from core.settings import Settings
from core.users import Role, create_user

PASSWORD = "benchmark password"


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        with session_scope(make_session_factory(engine)) as session:
            create_user(session, "bench", "bench", Role.ADMIN, PASSWORD)
        engine.dispose()
        settings = Settings(_env_file=None, env="test", database_url=url, data_dir=Path(tmp),  # type: ignore[call-arg]
                            secret_key=SecretStr("benchmark-secret"), queue_backend="immediate",
                            login_max_attempts=10_000)
        logins: list[float] = []
        pages: list[float] = []
        with TestClient(create_app(settings), headers={"accept": "text/html"}) as client:
            for _ in range(args.rounds):
                client.cookies.clear()
                html = client.get("/console/login").text
                match = re.search(r'name="csrf_token" value="([^"]+)"', html)
                assert match
                started = time.perf_counter()
                response = client.post("/console/login", data={"username": "bench", "password": PASSWORD,
                                                               "csrf_token": match.group(1)}, follow_redirects=False)
                logins.append(time.perf_counter() - started)
                assert response.status_code == 303
                started = time.perf_counter()
                assert client.get("/console/").status_code == 200
                pages.append(time.perf_counter() - started)
    print(f"login POST ({args.rounds}): {_ms(logins)}")
    print(f"dashboard GET ({args.rounds}): {_ms(pages)}")


if __name__ == "__main__":
    main()
