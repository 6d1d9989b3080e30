"""Helpers for the operations tests: they run the portal in other processes (gunicorn, manage.py) against a
database that those processes reach through DATABASE_URL, as production does."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT_SECONDS = 120


def database_url(settings_dict: dict[str, Any]) -> str:
    """A DATABASE_URL for the database that a Django connection's settings describe (SQLite or PostgreSQL)."""
    engine, name = settings_dict["ENGINE"], settings_dict["NAME"]
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{name}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(name, safe='')}"
    raise ValueError(f"No DATABASE_URL form for {engine}")


def portal_env(*, database: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a portal process: this one's, with its own database, data folder and media."""
    return {
        **os.environ,
        "DATABASE_URL": database,
        "PORTAL_VAR_DIR": str(var_dir),
        "DJANGO_MEDIA_ROOT": str(var_dir / "media"),
        **extra,
    }


def manage(*args: str, env: dict[str, str]) -> str:
    """Runs manage.py in a new process; a failure shows the command and everything it printed."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} exited with {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return result.stdout
