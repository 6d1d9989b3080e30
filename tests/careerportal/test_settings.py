"""The settings' effect on what the portal runs on."""

import pytest
from django.db import connection


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
def test_postgresql_plans_for_data_in_memory_without_the_jit_compiler():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's settings")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('random_page_cost')")
        assert cursor.fetchone() == ("off", "1.1")
