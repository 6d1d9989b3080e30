"""Media in S3-compatible object storage, against a real S3 server (moto's) on loopback.

The storage settings come from careerportal/settings.py run with PORTAL_S3_* variables, so these tests cover the
configuration as deployed, the uploads (model save and the curator's admin form) and the media views' redirects.
"""

import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from storages.backends.s3 import S3Storage

from careerportal import settings as portal_settings
from stories.models import Story
from stories.services import story_update_poster
from tests.conftest import image_bytes
from tests.factories import VTT, StoryFactory, StorytellerFactory
from tests.stories.test_admin import MP4, story_form

pytestmark = pytest.mark.django_db

BUCKET = "portal-media-test"
ACCESS_KEY = "portal-test-key"
SECRET_KEY = "portal-test-secret"
STARTUP_SECONDS = 30
S3_VARIABLES = (
    "PORTAL_S3_BUCKET",
    "PORTAL_S3_ENDPOINT_URL",
    "PORTAL_S3_REGION",
    "PORTAL_S3_ADDRESSING_STYLE",
    "PORTAL_S3_URL_EXPIRY",
)


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    client: Any  # a boto3 S3 client with the test credentials

    def keys(self) -> set[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def empty_bucket(self) -> None:
        for key in self.keys():
            self.client.delete_object(Bucket=BUCKET, Key=key)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answers(url: str, *, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"moto's S3 server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:  # refused, reset, or (on a busy machine) accepted but not answered within the second
            time.sleep(0.1)
    pytest.fail(f"moto's S3 server did not answer at {url} within {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:
    """moto's S3 server in a subprocess on a free loopback port, with one empty bucket, for the whole run."""
    port = _free_port()
    endpoint_url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_answers(endpoint_url, process=process, log=log)
        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )
        client.create_bucket(Bucket=BUCKET)
        server = S3Server(endpoint_url=endpoint_url, client=client)
        yield server
        server.empty_bucket()
        client.delete_bucket(Bucket=BUCKET)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _settings_with_env(monkeypatch, env: dict[str, str]) -> dict[str, Any]:
    """careerportal/settings.py's names, as computed under these environment variables."""
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DJANGO_SECRET_KEY", "settings-under-test")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(portal_settings.__file__)


@pytest.fixture
def s3_settings(s3_server, settings, monkeypatch) -> dict[str, Any]:
    """Uploads go to the test bucket, configured as production would be; the bucket is emptied afterwards."""
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_S3_SESSION_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    portal = _settings_with_env(
        monkeypatch,
        {"PORTAL_S3_BUCKET": BUCKET, "PORTAL_S3_ENDPOINT_URL": s3_server.endpoint_url, "PORTAL_S3_REGION": "us-east-1"},
    )
    # Assigning STORAGES sends setting_changed, which resets Django's storage handler and default_storage; the
    # models' file fields use default_storage lazily, so they write to the bucket from here on.
    settings.STORAGES = {**settings.STORAGES, "default": portal["STORAGES"]["default"]}
    yield portal
    s3_server.empty_bucket()


def _fetch(url: str, **headers: str) -> tuple[int, Message, bytes]:
    """What a browser following the redirect gets: status, headers (case-insensitive) and body."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return response.status, response.headers, response.read()


# Configuration.


def test_bucket_variables_make_the_default_storage_private_s3_with_short_lived_urls(monkeypatch):
    portal = _settings_with_env(
        monkeypatch,
        {"PORTAL_S3_BUCKET": "media", "PORTAL_S3_ENDPOINT_URL": "https://minio.example.com:9000"},
    )

    default = portal["STORAGES"]["default"]
    expected = {
        "bucket_name": "media",
        "endpoint_url": "https://minio.example.com:9000",
        "addressing_style": "path",
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "default_acl": None,
        "custom_domain": None,
    }
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert {name: default["OPTIONS"][name] for name in expected} == expected
    assert "https://minio.example.com:9000" in portal["SECURE_CSP"]["media-src"]
    assert "https://minio.example.com:9000" in portal["SECURE_CSP"]["img-src"]


def test_aws_buckets_are_addressed_by_virtual_host_in_their_region(monkeypatch):
    portal = _settings_with_env(
        monkeypatch, {"PORTAL_S3_BUCKET": "media", "PORTAL_S3_REGION": "eu-west-2", "PORTAL_S3_URL_EXPIRY": "60"}
    )

    assert portal["STORAGES"]["default"]["OPTIONS"]["addressing_style"] == "virtual"
    assert portal["STORAGES"]["default"]["OPTIONS"]["querystring_expire"] == 60
    assert portal["MEDIA_STORAGE_ORIGINS"] == ["https://media.s3.eu-west-2.amazonaws.com"]


def test_without_a_bucket_media_stay_on_the_local_disk(monkeypatch):
    portal = _settings_with_env(monkeypatch, {})

    assert portal["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert portal["MEDIA_STORAGE_ORIGINS"] == []


@pytest.mark.parametrize(
    "env",
    [
        {"PORTAL_S3_URL_EXPIRY": "0"},
        {"PORTAL_S3_URL_EXPIRY": "five minutes"},
        {"PORTAL_S3_ENDPOINT_URL": "minio:9000"},
        {"PORTAL_S3_ADDRESSING_STYLE": "dns"},
    ],
)
def test_bad_object_storage_settings_stop_start_up(monkeypatch, env):
    with pytest.raises(ImproperlyConfigured):
        _settings_with_env(monkeypatch, {"PORTAL_S3_BUCKET": "media", **env})


# Uploads.


def test_media_saved_with_a_story_are_stored_in_the_bucket(s3_settings, s3_server, settings):
    story = StoryFactory(video=True)

    assert isinstance(default_storage._wrapped, S3Storage)
    assert {story.media.name, story.captions.name} <= s3_server.keys()
    assert story.media.name.startswith("stories/media/")
    assert not Path(settings.MEDIA_ROOT).exists()


def test_curator_upload_puts_media_captions_poster_and_renditions_in_the_bucket(s3_settings, s3_server, curator_client):
    data = story_form(
        StorytellerFactory(),
        format="video",
        media=SimpleUploadedFile("story.mp4", MP4, content_type="text/html"),  # the type sniffed is stored instead
        captions=SimpleUploadedFile("story.vtt", VTT),
        poster=SimpleUploadedFile("poster.png", image_bytes((800, 450)), content_type="image/png"),
        transcript="Hello.",
    )

    response = curator_client.post(reverse("admin:stories_story_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    story = Story.objects.get()
    renditions = {rendition["name"] for rendition in story.poster_renditions.values()}
    assert len(renditions) == 3  # 160, 320 and 640 pixels wide
    assert s3_server.keys() == {story.media.name, story.captions.name, story.poster.name, *renditions}
    assert story.transcript_cues[0][2] == "Hello."  # the captions were read back from the bucket
    stored = s3_server.client.get_object(Bucket=BUCKET, Key=story.media.name)
    assert stored["Body"].read() == MP4
    assert stored["ContentType"] == "video/mp4"


def test_a_second_upload_with_a_taken_name_gets_its_own_key(s3_settings, s3_server):
    first = StoryFactory(video=True)
    second = StoryFactory(video=True)

    assert first.media.name != second.media.name
    assert {first.media.name, second.media.name} <= s3_server.keys()


# Serving.


def test_permitted_user_is_redirected_to_a_short_lived_presigned_url_that_answers_ranges(
    s3_settings, s3_server, employee_client
):
    story = StoryFactory(video=True)

    response = employee_client.get(reverse("stories:media", args=[story.slug]))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(f"{s3_server.endpoint_url}/{BUCKET}/{story.media.name}?")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Signature"]
    assert f"{urlsplit(location).scheme}://{urlsplit(location).netloc}" in s3_settings["SECURE_CSP"]["media-src"]
    status, headers, body = _fetch(location, Range="bytes=10-19")
    assert status == 206
    assert body == s3_server.client.get_object(Bucket=BUCKET, Key=story.media.name)["Body"].read()[10:20]
    assert headers["Content-Range"].startswith("bytes 10-19/")


def test_the_bucket_answers_with_the_media_type_stored_at_upload_not_the_objects_own(
    s3_settings, s3_server, employee_client
):
    page = SimpleUploadedFile("welcome.html", b"<meta http-equiv=refresh content=0>", content_type="text/html")
    story = StoryFactory(video=True, media=page, media_type="video/webm")
    assert s3_server.client.head_object(Bucket=BUCKET, Key=story.media.name)["ContentType"] == "text/html"

    response = employee_client.get(reverse("stories:media", args=[story.slug]))

    status, headers, _body = _fetch(response["Location"])
    assert status == 200
    assert headers["Content-Type"] == "video/webm"
    assert headers["Content-Disposition"] == 'inline; filename="welcome.html"'


def test_poster_rendition_redirects_to_the_webp_in_the_bucket(s3_settings, employee_client):
    story = StoryFactory(poster=SimpleUploadedFile("poster.png", image_bytes((800, 450))))
    story_update_poster(story=story)

    response = employee_client.get(reverse("stories:poster", args=[story.slug, 320]))

    assert response.status_code == 302
    status, headers, body = _fetch(response["Location"])
    assert status == 200
    assert headers["Content-Type"] == "image/webp"
    assert body[:4] == b"RIFF" and body[8:12] == b"WEBP"


def test_captions_are_passed_through_so_that_the_track_loads_from_this_site(s3_settings, employee_client):
    story = StoryFactory(video=True)

    response = employee_client.get(reverse("stories:captions", args=[story.slug]))

    assert response.status_code == 200
    assert not response.has_header("Location")
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response.content == VTT


def test_employee_asking_for_a_drafts_media_gets_404_and_nothing_about_the_object(s3_settings, employee_client):
    draft = StoryFactory(video=True, status=Story.Status.DRAFT, published_at=None)

    for url in (reverse("stories:media", args=[draft.slug]), reverse("stories:captions", args=[draft.slug])):
        response = employee_client.get(url)

        assert response.status_code == 404
        assert not response.has_header("Location")
        assert BUCKET.encode() not in response.content
        assert draft.media.name.encode() not in response.content


def test_anonymous_request_for_media_gets_the_login_redirect_not_the_object(s3_settings, s3_server, client):
    story = StoryFactory(video=True)
    url = reverse("stories:media", args=[story.slug])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == redirect_to_login(url)["Location"]
    assert s3_server.endpoint_url not in response["Location"]
