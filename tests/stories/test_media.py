from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import Http404

from stories.media import file_response

CONTENT = b"0123456789" * 100  # 1000 bytes
NAME = "stories/media/career story.mp4"

# Closing a response sends request_finished, which checks the database connection.
pytestmark = pytest.mark.django_db


class RemoteStorage(Storage):
    """A storage with no local path, like S3: `path()` raises NotImplementedError; its URLs take parameters."""

    def url(self, name: str, parameters: dict | None = None) -> str:
        return f"https://media.example.com/{name}?{urlencode({**(parameters or {}), 'signature': 'abc'})}"


@pytest.fixture(autouse=True)
def media_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_MEDIA_ACCEL_PREFIX = ""


@pytest.fixture
def field_file(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save(NAME, ContentFile(CONTENT))
    return FieldFile(instance=None, field=FileField(storage=storage), name=name)


def _get(rf, field_file, content_type="video/mp4", **headers):
    response = file_response(rf.get("/media/", headers=headers), field_file=field_file, content_type=content_type)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return response, body


def test_full_file_is_served_with_range_support_and_private_caching(rf, field_file):
    response, body = _get(rf, field_file)

    assert response.status_code == 200
    assert body == CONTENT
    assert response["Content-Length"] == "1000"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]


def test_the_type_given_is_served_whatever_the_file_is_named(rf, tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("stories/media/welcome.html", ContentFile(b"<html>"))
    page = FieldFile(instance=None, field=FileField(storage=storage), name=name)

    response = file_response(rf.get("/"), field_file=page, content_type="audio/mp4", max_age=60)
    response.close()

    assert response["Content-Type"] == "audio/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=60"


@pytest.mark.parametrize(
    ("range_header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=990-", 990, 999),
        ("bytes=-10", 990, 999),
        ("bytes=500-5000", 500, 999),
        ("bytes=-5000", 0, 999),
    ],
)
def test_single_range_is_served_as_partial_content(rf, field_file, range_header, start, end):
    response, body = _get(rf, field_file, range=range_header)

    assert response.status_code == 206
    assert body == CONTENT[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/1000"
    assert response["Content-Length"] == str(end - start + 1)


@pytest.mark.parametrize("range_header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_range_is_refused_with_the_size(rf, field_file, range_header):
    response, body = _get(rf, field_file, range=range_header)

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1000"
    assert body == b""


def test_any_range_of_an_empty_file_is_unsatisfiable(rf, tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    empty = FieldFile(instance=None, field=FileField(storage=storage), name=storage.save("empty.mp3", ContentFile(b"")))

    response, _body = _get(rf, empty, range="bytes=0-")

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */0"


@pytest.mark.parametrize("range_header", ["bytes=abc", "bytes=0-9,20-29", "items=0-9", "bytes=50-10", "bytes=-"])
def test_invalid_or_multiple_ranges_are_ignored_and_the_whole_file_served(rf, field_file, range_header):
    response, body = _get(rf, field_file, range=range_header)

    assert response.status_code == 200
    assert body == CONTENT
    assert not response.has_header("Content-Range")


def test_matching_if_none_match_is_not_modified(rf, field_file):
    etag = _get(rf, field_file)[0]["ETag"]

    response, body = _get(rf, field_file, if_none_match=etag)

    assert response.status_code == 304
    assert body == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response.has_header("Last-Modified")


def test_if_none_match_star_is_not_modified(rf, field_file):
    assert _get(rf, field_file, if_none_match="*")[0].status_code == 304


def test_different_if_none_match_serves_the_file(rf, field_file):
    response, body = _get(rf, field_file, if_none_match='"something-else"')

    assert response.status_code == 200
    assert body == CONTENT


def test_if_modified_since_the_last_change_is_not_modified(rf, field_file):
    last_modified = _get(rf, field_file)[0]["Last-Modified"]

    assert _get(rf, field_file, if_modified_since=last_modified)[0].status_code == 304


def test_if_modified_since_long_ago_serves_the_file(rf, field_file):
    response, _body = _get(rf, field_file, if_modified_since="Mon, 01 Jan 2001 00:00:00 GMT")

    assert response.status_code == 200


def test_if_range_with_the_current_etag_serves_the_range(rf, field_file):
    etag = _get(rf, field_file)[0]["ETag"]

    response, body = _get(rf, field_file, range="bytes=0-9", if_range=etag)

    assert response.status_code == 206
    assert body == CONTENT[:10]


def test_if_range_with_a_stale_etag_serves_the_whole_file(rf, field_file):
    response, body = _get(rf, field_file, range="bytes=0-9", if_range='"stale"')

    assert response.status_code == 200
    assert body == CONTENT


def test_if_range_with_a_stale_date_serves_the_whole_file(rf, field_file):
    response, body = _get(rf, field_file, range="bytes=0-9", if_range="Mon, 01 Jan 2001 00:00:00 GMT")

    assert response.status_code == 200
    assert body == CONTENT


def test_head_has_the_get_headers_and_no_body(rf, field_file):
    response = file_response(
        rf.head("/", headers={"range": "bytes=0-99"}), field_file=field_file, content_type="video/mp4"
    )

    assert response.status_code == 206
    assert response.content == b""
    assert response["Content-Length"] == "100"
    assert response["Content-Range"] == "bytes 0-99/1000"
    assert response["Accept-Ranges"] == "bytes"


def test_post_is_not_allowed(rf, field_file):
    response = file_response(rf.post("/"), field_file=field_file, content_type="video/mp4")

    assert response.status_code == 405


def test_accel_prefix_hands_the_bytes_to_nginx(rf, field_file, settings):
    settings.PORTAL_MEDIA_ACCEL_PREFIX = "/protected-media/"

    response = file_response(
        rf.get("/", headers={"range": "bytes=0-9"}), field_file=field_file, content_type="video/mp4"
    )

    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == "/protected-media/stories/media/career%20story.mp4"
    assert response["Content-Type"] == "video/mp4"
    assert response["Cache-Control"] == "private, max-age=3600"


def test_storage_without_local_paths_redirects_to_its_url(rf):
    remote = FieldFile(instance=None, field=FileField(storage=RemoteStorage()), name="stories/media/clip.mp4")

    response = file_response(rf.get("/"), field_file=remote, content_type="video/webm")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/stories/media/clip.mp4"
    assert parse_qs(location.query) == {
        "ResponseContentType": ["video/webm"],
        "ResponseContentDisposition": ['inline; filename="clip.mp4"'],
        "signature": ["abc"],
    }
    assert response["Cache-Control"] == "private, no-store"


class RemoteMemoryStorage(Storage):
    """Files kept in memory and, like S3, no local path."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def _save(self, name: str, content) -> str:
        self.files[name] = content.read()
        return name

    def _open(self, name: str, mode: str = "rb") -> ContentFile:
        try:
            return ContentFile(self.files[name], name=name)
        except KeyError:
            raise FileNotFoundError(name) from None

    def exists(self, name: str) -> bool:
        return name in self.files


def test_same_origin_file_without_a_local_path_is_passed_through(rf):
    storage = RemoteMemoryStorage()
    name = storage.save("captions/story.vtt", ContentFile(b"WEBVTT\n"))
    captions = FieldFile(instance=None, field=FileField(storage=storage), name=name)

    response = file_response(rf.get("/"), field_file=captions, content_type="text/vtt; charset=utf-8", same_origin=True)

    assert response.status_code == 200
    assert not response.has_header("Location")
    assert response.content == b"WEBVTT\n"
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=3600"


def test_same_origin_file_missing_from_its_storage_is_not_found(rf):
    missing = FieldFile(instance=None, field=FileField(storage=RemoteMemoryStorage()), name="captions/gone.vtt")

    with pytest.raises(Http404):
        file_response(rf.get("/"), field_file=missing, content_type="text/vtt; charset=utf-8", same_origin=True)
