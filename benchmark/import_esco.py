"""Benchmark: import an ESCO-sized framework (14,000 skills, a 4-level tree), then re-import the same file.

Runs against a throwaway database: a fresh SQLite file in a temporary folder, or the PostgreSQL server named by
DATABASE_URL (run it through .ci/with-postgres). Prints wall time and peak memory of each step.

    make bench-import            # SQLite
    make bench-import-postgres   # PostgreSQL
"""

import csv
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

SKILLS = 14_000
ROOT = Path(__file__).resolve().parent.parent


def _numbered_labels(i: int) -> tuple[str, list[str]]:
    return f"skill number {i} of the benchmark", [f"alternative {i}", f"another name {i}"]


def write_esco(
    folder: Path, count: int = SKILLS, *, labels: Callable[[int], tuple[str, list[str]]] = _numbered_labels
) -> tuple[Path, Path]:
    """skills_en.csv and broaderRelationsSkillPillar_en.csv with ESCO's columns: 10 roots, 90 groups under them,
    900 skills under those, and the rest at the fourth level; plus relations to skill groups not in the file.
    `labels(i)` gives skill i's preferred label and alternative labels."""
    skills_path, broader_path = folder / "skills_en.csv", folder / "broaderRelationsSkillPillar_en.csv"
    uris = [f"http://data.europa.eu/esco/skill/{uuid.UUID(int=i + 1)}" for i in range(count)]
    levels = [10, 100, 1000, count]  # cumulative sizes of the four levels
    with skills_path.open("w", newline="", encoding="utf-8") as skills_file:
        writer = csv.writer(skills_file)
        writer.writerow(["conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels",
                         "hiddenLabels", "status", "modifiedDate", "scopeNote", "definition", "inScheme",
                         "description"])  # fmt: skip
        for i, uri in enumerate(uris):
            name, alternatives = labels(i)
            writer.writerow(["KnowledgeSkillCompetence", uri, "skill/competence", "sector-specific",
                             name, "\n".join(alternatives), "",
                             "released", "2024-01-01T00:00:00Z", "", "",
                             "http://data.europa.eu/esco/concept-scheme/skills",
                             f"What a person with skill {i} can do, in a sentence or two."])  # fmt: skip
    with broader_path.open("w", newline="", encoding="utf-8") as broader_file:
        writer = csv.writer(broader_file)
        writer.writerow(["conceptType", "conceptUri", "broaderType", "broaderUri"])
        for i, uri in enumerate(uris):
            if i < levels[0]:
                writer.writerow(["KnowledgeSkillCompetence", uri, "SkillGroup", "http://data.europa.eu/esco/isco/S1"])
                continue
            level = next(n for n, size in enumerate(levels) if i < size)
            start = levels[level - 2] if level > 1 else 0  # the parent level's first index
            parent = start + i % (levels[level - 1] - start)
            writer.writerow(["KnowledgeSkillCompetence", uri, "KnowledgeSkillCompetence", uris[parent]])
    return skills_path, broader_path


def timed_import(skills_path: Path, broader_path: Path) -> tuple[float, float, object]:
    from skills.importers import parse_framework_file
    from skills.services import framework_import

    tracemalloc.start()
    started = time.perf_counter()
    with skills_path.open("rb") as skills_file, broader_path.open("rb") as broader_file:
        parsed = parse_framework_file(skills_file, filename=skills_path.name, broader_file=broader_file)
    report = framework_import(parsed=parsed)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 1024 / 1024, report


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
    from skills.models import Skill

    skills_path, broader_path = write_esco(folder)
    size = (skills_path.stat().st_size + broader_path.stat().st_size) / 1024 / 1024
    print(f"Database: {connection.vendor}; files: {SKILLS:,} skills, {size:.1f} MB")
    for label in ("first import", "re-import of the same file"):
        elapsed, peak, report = timed_import(skills_path, broader_path)
        assert report.ok, report.problems[:5]
        print(
            f"{label:<28} {elapsed:6.2f} s   peak Python memory {peak:6.1f} MB   "
            f"added {len(report.added):,}, updated {len(report.updated):,}, moved {len(report.moved):,}, "
            f"unchanged {report.unchanged:,}"
        )
    depth = max(len(s) for s in _paths(Skill))
    print(f"skills in the database: {Skill.objects.count():,}; tree depth {depth}")
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def _paths(Skill) -> list[list[int]]:
    parents = dict(Skill.objects.values_list("pk", "parent_id"))
    paths = []
    for pk in parents:
        path = [pk]
        while parents[path[-1]] is not None:
            path.append(parents[path[-1]])
        paths.append(path)
    return paths


if __name__ == "__main__":
    main()
