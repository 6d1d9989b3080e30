"""Realistic traffic, pages rendered afresh and search latency on a large organisation (issues 6, 7 and 16).

Seeds a throwaway database (see benchmark/seed.py: 5,000 stories with transcripts, 14,000 skills, 20,000 employees,
300,000 explored stories, 50,000 objectives, a curator and drafts to publish), then
  1. serves it with gunicorn and the production settings on 127.0.0.1 and drives a realistic mix of URLs with wrk,
     40 employees' sessions, a curator editing meanwhile, against /baseline/ in alternating rounds (benchmark/mix.py);
  2. renders each main page in-process with every cache cleared: time, queries, HTML (benchmark/pages.py);
  3. times stories.search over about 30 varied queries in-process (benchmark/search_latency.py).
Writes benchmark/results/mix-<database>.md (the headline, with the pages' table as its second section),
pages-<database>.md and search-<database>.md, and prints them.

SQLite: a fresh database in a temporary folder (never ./var). PostgreSQL: a new database on the server named by
DATABASE_URL, dropped afterwards (run it through .ci/with-postgres, which makes a throwaway server).

    make bench                                     # SQLite
    make bench-postgres                            # PostgreSQL
    BENCH_LOAD_ROUNDS=1 BENCH_SCALE=0.1 make bench     # a quick trial: reports go to the temporary folder
"""

import argparse
import datetime
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmark" / "results"
sys.path.insert(0, str(ROOT))

from benchmark import mix, pages, search_latency  # noqa: E402
from benchmark.seed import Sizes, seed_organisation  # noqa: E402


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    try:
        return float(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name} must be a number, not {raw!r}") from None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(_env_number("BENCH_SECONDS", 20)),
                        help="each round of the mix and of the baseline (env BENCH_SECONDS, default 20)")  # fmt: skip
    parser.add_argument("--load-rounds", type=int, default=int(_env_number("BENCH_LOAD_ROUNDS", 5)),
                        help="rounds of the mix, each followed or preceded by one of the baseline "
                        "(env BENCH_LOAD_ROUNDS, default 5)")  # fmt: skip
    parser.add_argument("--scale", type=float, default=_env_number("BENCH_SCALE", 1.0),
                        help="size of the organisation, 1 = full size (env BENCH_SCALE)")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=int(_env_number("BENCH_SEARCH_ROUNDS", 20)),
                        help="times each search query runs (env BENCH_SEARCH_ROUNDS, default 20)")  # fmt: skip
    parser.add_argument("--only", choices=["mix", "pages", "search"], help="run one part only")
    parser.add_argument("--output", type=Path, help="where reports go (default benchmark/results/ at full size)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    parser.add_argument("--timeout", type=int, default=int(_env_number("BENCH_TIMEOUT", 3600)),
                        help="stop the whole run after this many seconds (env BENCH_TIMEOUT)")  # fmt: skip
    return parser.parse_args()


def configure_environment(folder: Path) -> None:
    """Production settings, everything written under `folder`. Set before Django reads its settings."""
    (folder / "var").mkdir()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmark.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PORTAL_MANIFEST_STATIC": "1",
            "PORTAL_VAR_DIR": str(folder / "var"),
            "DJANGO_MEDIA_ROOT": str(folder / "media"),
            "DJANGO_STATIC_ROOT": str(folder / "static"),
            "DATABASE_CONN_MAX_AGE": "60",  # persistent connections, as a production server runs
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )


def create_postgres_database() -> str | None:
    """A new database on DATABASE_URL's PostgreSQL server, used instead of the named one; None for SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return None
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"DATABASE_URL must be PostgreSQL (or unset for SQLite), not {url.split(':')[0]}.")
    import psycopg

    name = f"portal_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["PORTAL_BENCH_ADMIN_URL"] = url
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    return name


def drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(os.environ["PORTAL_BENCH_ADMIN_URL"], autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _timeout(signum, frame) -> None:
    raise TimeoutError("The benchmark ran out of time (BENCH_TIMEOUT).")


def describe_run(database: str) -> dict[str, str]:
    """When, what code and which machine: the numbers mean little without them."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                             capture_output=True, text=True).stdout.split("\n")  # fmt: skip
    changed = sorted({line[3:] for line in changed if line[3:] and not line[3:].startswith("benchmark/")})
    code = f"commit {commit.stdout.strip()}"
    if changed:
        code += " with uncommitted changes to " + ", ".join(f"`{path}`" for path in changed)
    from django import get_version

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return {
        "database": database,
        "run": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "code": code,
        "machine": f"{os.cpu_count()} cores, load average at start {load}, Python {platform.python_version()}, "
        f"Django {get_version()}",
    }


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(args.timeout)
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    configure_environment(folder)
    database_name = None
    try:
        database_name = create_postgres_database()
        import django
        from django.core.management import call_command
        from django.db import connection, connections

        django.setup()
        database = pages.vendor_label(connection.vendor)
        context = describe_run(database)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                context["database"] = f"{database} {cursor.fetchone()[0].split()[0]}"
        print(f"Benchmark on {context['database']} in {folder}", flush=True)
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        print(f"  migrated, static files collected ({time.perf_counter() - started:.0f} s)", flush=True)
        seeded = seed_organisation(sizes=Sizes().scaled(args.scale), media_root=folder / "media")
        context.update(pages.context_summary(seeded, database=context["database"]))
        output = args.output or (RESULTS if args.scale == 1 else folder / "results")
        output.mkdir(parents=True, exist_ok=True)
        slug = connection.vendor
        reports = []
        page_lines, targets = [f"(Not measured in this run: see `pages-{slug}.md`.)"], pages.targets_text()
        if args.only in (None, "mix"):
            options = mix.MixOptions(seconds=args.seconds, rounds=args.load_rounds)
            traffic = mix.run_mix(seeded=seeded, options=options, folder=folder)
            load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
            context = {**context, "machine": f"{context['machine']}; load average after the mix {load}"}
        if args.only in (None, "pages"):
            results = pages.run_pages(seeded=seeded)
            page_lines = [*pages.summary_table(results), "", f"Each page's SQL: `pages-{slug}.md`."]
            reports.append((output / f"pages-{slug}.md", pages.report_markdown(results=results, context=context)))
        if args.only in (None, "mix"):
            text = mix.report_markdown(result=traffic, context=context, pages=page_lines, targets=targets)
            reports.insert(0, (output / f"mix-{slug}.md", text))
        if args.only in (None, "search"):
            results = search_latency.run_search(seeded=seeded, rounds=args.rounds)
            text = search_latency.report_markdown(results=results, context=context, rounds=args.rounds)
            reports.append((output / f"search-{slug}.md", text))
        for path, text in reports:
            path.write_text(text)
            print(f"\n{text}\n(written to {path})", flush=True)
        connections.close_all()
    finally:
        signal.alarm(0)
        if database_name:
            from django.db import connections

            connections.close_all()
            drop_postgres_database(database_name)
        if args.keep:
            print(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
