"""Static files in production: content-hashed URLs from the manifest, looked up once per process."""

import json

import pytest

from careerportal.staticfiles import StaticFilesStorage


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "hash": "", "paths": {"css/portal.css": "css/portal.0123abcd.css"}})
    )
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_a_static_url_is_the_hashed_name_and_stays_so_while_the_process_runs(storage):
    assert storage.url("css/portal.css") == "/static/css/portal.0123abcd.css"

    storage.hashed_files.clear()  # were the manifest looked up again, the name would now be unknown

    assert storage.url("css/portal.css") == "/static/css/portal.0123abcd.css"


def test_a_file_missing_from_the_manifest_is_an_error_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("js/unknown.js")
