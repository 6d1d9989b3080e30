"""The settings' effect on what the portal runs on."""

import pytest
from django.db import connection

from skills.models import Skill


@pytest.mark.django_db
def test_sqlite_commits_without_waiting_for_the_disk_and_reads_through_a_memory_map():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's pragmas")
    with connection.cursor() as cursor:
        pragmas = {
            name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "mmap_size")
        }

    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "mmap_size": 1024 * 1024 * 1024}  # 1 is NORMAL


@pytest.mark.django_db
def test_postgresql_plans_for_data_in_memory_and_prepares_a_statement_it_runs_again_and_again():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's settings")
    threshold = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    if threshold is None:
        pytest.skip("prepared statements turned off (DATABASE_PREPARED_STATEMENTS=0)")
    for number in range(threshold + 1):  # the same statement with other values
        assert not Skill.objects.filter(slug=f"skill-{number}").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('random_page_cost')")
        planner = cursor.fetchone()
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%skills_skill%"])
        prepared = [statement for (statement,) in cursor.fetchall()]

    assert planner == ("off", "1.1")
    assert len(prepared) == 1 and '"skills_skill"."slug" = $' in prepared[0]
