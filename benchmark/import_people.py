"""Benchmark: load a 20,000-person HR export into the company directory, re-import it, then import next month's
file (1% moved to another manager, 1% gone).

Runs against a throwaway database: a fresh SQLite file in a temporary folder, or the PostgreSQL server named by
DATABASE_URL (run it through .ci/with-postgres). Prints the wall time of each step; the target is under 30 s.

    make bench-people            # SQLite
"""

import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

PEOPLE = 20_000
ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ("Finance", "Sales", "Technology", "People and HR")
LEVELS = ("Associate", "Professional", "Senior professional", "Manager or team lead", "Director")


def write_people(path: Path, count: int = PEOPLE, *, month: int = 0) -> Path:
    """An export with the directory's columns: one head, each next person reporting to someone before them (about
    ten reports each). In a later `month`, 1% of people have a new manager and about 1% are no longer listed."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["employee_id", "email", "first_name", "last_name", "job_title", "function", "level",
                         "manager_email", "location", "active"])  # fmt: skip
        for i in range(count):
            if month and i % 100 == 99 and i >= count // 10:  # nobody reports to them
                continue
            manager = (i - 1) // 10 if i else None
            if month and manager and i % 100 == 42:
                manager -= 1
            writer.writerow([f"E{i:06d}", f"person{i}@example.com", f"First{i}", f"Last{i}",
                             f"Job title {i % 300}", FUNCTIONS[i % len(FUNCTIONS)], LEVELS[i % len(LEVELS)],
                             "" if manager is None else f"person{manager}@example.com", "London", "true"])  # fmt: skip
    return path


def timed_import(path: Path) -> tuple[float, object]:
    from careerportal.directory import directory_import, parse_people_file

    started = time.perf_counter()
    with path.open("rb") as file:
        plan = directory_import(parsed=parse_people_file(file))
    return time.perf_counter() - started, plan


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    try:
        run(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the files and the SQLite database


def run(folder: Path) -> None:
    os.environ.setdefault("PORTAL_VAR_DIR", str(folder / "var"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerportal.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    if connection.vendor == "postgresql":
        from django.test.utils import setup_databases

        setup_databases(verbosity=0, interactive=False)
    else:
        call_command("migrate", verbosity=0)
    from stories.models import Function, Level

    for position, name in enumerate(FUNCTIONS):
        Function.objects.get_or_create(name=name, defaults={"slug": f"function-{position}", "position": position})
    for rank, name in enumerate(LEVELS, start=1):
        Level.objects.get_or_create(name=name, defaults={"slug": f"level-{rank}", "rank": rank})
    first, later = write_people(folder / "people.csv"), write_people(folder / "people-next.csv", month=1)
    print(f"Database: {connection.vendor}; file: {PEOPLE:,} people")
    for label, path in (("first import", first), ("re-import of the same file", first), ("next month's file", later)):
        elapsed, plan = timed_import(path)
        assert plan.ok, plan.problems[:5]
        print(
            f"{label:<28} {elapsed:6.2f} s   added {len(plan.added):,}, changed {len(plan.changed):,}, "
            f"moved {len(plan.moved):,}, marked as left {len(plan.left):,}, unchanged {plan.unchanged:,}"
        )


if __name__ == "__main__":
    main()
