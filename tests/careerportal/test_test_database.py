"""The test database: a file of this run's own, so that two runs in one checkout never break each other."""

from pathlib import Path

import pytest
from django.db import connection

from careerportal import settings as portal_settings


@pytest.mark.django_db
def test_the_sqlite_test_database_is_a_file_in_this_runs_own_folder(tmp_path_factory):
    if connection.vendor != "sqlite":
        pytest.skip("each PostgreSQL run gets a cluster of its own (.ci/with-postgres)")
    database = Path(connection.settings_dict["NAME"])
    assert database.is_file()  # a file, which the live server and gunicorn open with connections of their own
    assert database.is_relative_to(tmp_path_factory.getbasetemp())  # pytest makes a new folder for every run
    assert not database.is_relative_to(portal_settings.VAR_DIR)
