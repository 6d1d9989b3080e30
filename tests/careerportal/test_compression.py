"""Pages go out gzipped to browsers that accept it, with the CSRF token masked afresh each time; media and static
files are left as they are."""

import gzip

import pytest
from django.urls import reverse

from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def _token(body: bytes) -> bytes:
    return body.split(b'name="csrfmiddlewaretoken" value="')[1].split(b'"')[0]


def test_pages_are_gzipped_for_browsers_that_accept_it(employee_client):
    StoryFactory.create_batch(3)
    plain = employee_client.get(reverse("stories:list"))
    response = employee_client.get(reverse("stories:list"), **GZIP)
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    body = gzip.decompress(response.content)
    assert b"Career stories" in body and len(response.content) < len(body) / 3


def test_the_csrf_token_differs_on_every_compressed_page(employee_client):
    first, second = (gzip.decompress(employee_client.get(reverse("home"), **GZIP).content) for _ in range(2))
    assert _token(first) != _token(second)


def test_media_keep_their_bytes_and_ranges(employee_client):
    story = StoryFactory(video=True)
    whole = employee_client.get(reverse("stories:media", args=[story.slug]), **GZIP)
    part = employee_client.get(reverse("stories:media", args=[story.slug]), HTTP_RANGE="bytes=0-99", **GZIP)
    assert "Content-Encoding" not in whole and b"".join(whole.streaming_content).startswith(b"\x00\x00\x00\x18ftyp")
    assert part.status_code == 206 and "Content-Encoding" not in part
    assert len(b"".join(part.streaming_content)) == 100
