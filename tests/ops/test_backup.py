"""Backup and restore across databases, as README.md "Backup and restore" documents it: the embedded SQLite demo
database is dumped with dumpdata, loaded into a freshly migrated database (a second SQLite file; the PostgreSQL
server when the suite runs against one) and back, and the restored portal holds the same content."""

import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.core import serializers
from psycopg import sql

from stories.models import TaggedStory
from tests.factories import FrameworkFactory, SkillFactory, StoryFactory
from tests.ops.snapshot import MARK
from tests.ops.support import database_url, manage, portal_env

# The exact dump command of README.md: derived rows (content types, permissions, the search index) are rebuilt by
# migrate and after loaddata, sessions are not worth keeping, and natural keys make users, groups and skills match
# what the new database already has.
DUMP_OPTIONS = [
    "--natural-foreign",
    "--natural-primary",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--exclude=sessions",
    "--exclude=stories.storysearchdocument",
]
PRINT_SNAPSHOT = "from tests.ops.snapshot import print_snapshot; print_snapshot()"


@dataclass
class Portal:
    """One portal database, reached by processes through DATABASE_URL."""

    env: dict[str, str]

    def backup(self, path: Path) -> Path:
        manage("dumpdata", *DUMP_OPTIONS, f"--output={path}", env=self.env)
        return path

    def restore(self, path: Path) -> None:
        manage("migrate", "--noinput", env=self.env)
        manage("loaddata", str(path), env=self.env)
        manage("rebuild_search_index", env=self.env)

    def snapshot(self) -> dict:
        out = manage("shell", "--no-imports", "-c", PRINT_SNAPSHOT, env=self.env)
        line = next(line for line in out.splitlines() if line.startswith(MARK))
        return json.loads(line.removeprefix(MARK))


def _sqlite_portal(folder: Path, name: str) -> Portal:
    return Portal(portal_env(database=f"sqlite:///{folder / name}", var_dir=folder))


@dataclass
class Demo:
    dump: Path
    snapshot: dict


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    """The embedded demo: a SQLite database with the demo content, its snapshot and its dump."""
    folder = tmp_path_factory.mktemp("demo")
    source = _sqlite_portal(folder, "portal.sqlite3")
    manage("migrate", "--noinput", env=source.env)
    manage("load_demo", env=source.env)
    return Demo(dump=source.backup(folder / "portal.json"), snapshot=source.snapshot())


def _postgres_server() -> dict | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return dj_database_url.parse(url)


@pytest.fixture
def postgres_portal(tmp_path) -> Iterator[Portal]:
    """A new, empty database on the suite's PostgreSQL server, dropped afterwards."""
    server = _postgres_server()
    if server is None:
        pytest.skip("DATABASE_URL is not a PostgreSQL server (the suite's PostgreSQL run covers this)")
    name = f"portal_restore_{secrets.token_hex(4)}"
    params = {"dbname": server["NAME"], "user": server["USER"], "password": server["PASSWORD"] or None}
    params |= {"host": server["HOST"] or None, "port": server["PORT"] or None}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield Portal(portal_env(database=database_url({**server, "NAME": name}), var_dir=tmp_path))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_the_demo_snapshot_sees_the_content_a_restore_must_keep(demo):
    snapshot = demo.snapshot
    assert snapshot["counts"]["stories.Story"] == 30
    assert snapshot["counts"]["stories.StorySearchDocument"] > 0
    employee = snapshot["users"]["employee"]["plan"]
    assert employee["objectives"] and employee["reflections"] and employee["saved"] and employee["shared_with"]
    assert any(story["skills"] for story in snapshot["stories"].values())
    assert snapshot["users"]["curator"]["groups"] == ["Curators"]
    assert snapshot["not_found_by_title"] == [] and snapshot["insert_failures"] == []


def test_sqlite_backup_restores_into_a_new_sqlite_database(demo, tmp_path):
    if _postgres_server() is not None:
        pytest.skip("the PostgreSQL run restores into SQLite on the way back from PostgreSQL")
    target = _sqlite_portal(tmp_path, "restored.sqlite3")

    target.restore(demo.dump)

    assert target.snapshot() == demo.snapshot


def test_sqlite_backup_restores_into_postgresql_and_back(demo, postgres_portal, tmp_path):
    postgres_portal.restore(demo.dump)
    assert postgres_portal.snapshot() == demo.snapshot

    back = _sqlite_portal(tmp_path, "back.sqlite3")
    back.restore(postgres_portal.backup(tmp_path / "from-postgres.json"))
    assert back.snapshot() == demo.snapshot


@pytest.mark.django_db
def test_a_dump_tells_apart_skills_of_the_same_name_in_two_frameworks():
    ours = SkillFactory(framework=FrameworkFactory(code="ours"), name="Leadership", code="LEAD")
    theirs = SkillFactory(framework=FrameworkFactory(code="theirs"), name="Leadership", code="LEAD")
    story = StoryFactory(skills=[theirs])
    rows = [ours, theirs, *TaggedStory.objects.filter(content_object=story)]

    dumped = serializers.serialize("json", rows, use_natural_foreign_keys=True, use_natural_primary_keys=True)
    loaded = [row.object for row in serializers.deserialize("json", dumped)]

    assert [row["fields"]["tag"] for row in json.loads(dumped) if row["model"] == "stories.taggedstory"] == [
        ["theirs", "LEAD"]
    ]
    assert [skill.pk for skill in loaded[:2]] == [ours.pk, theirs.pk]
    assert loaded[2].tag == theirs
