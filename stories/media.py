"""Serve private media after a view's access check: from disk with HTTP Range, via nginx, or from object storage."""

import os
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header, http_date, parse_etags, parse_http_date_safe
from django.views.decorators.http import require_safe

BLOCK_SIZE = 64 * 1024

_RANGE_SPEC = re.compile(r"\s*(\d*)\s*-\s*(\d*)\s*")


@require_safe
def file_response(
    request: HttpRequest,
    *,
    field_file: FieldFile,
    content_type: str,
    max_age: int = 3600,
    same_origin: bool = False,
) -> HttpResponseBase:
    """Answer a GET or HEAD for a stored file, as `content_type`. The caller must already have checked access.

    The type comes from the caller, who knows what the file is (story media: the type found in its content at
    upload), never from the file's name; with nosniff, the browser takes it as given.

    A file in object storage (no local path) is answered with a redirect, never cached, to the storage's
    short-lived presigned URL (django-storages' S3Storage), which makes the storage answer with the same type and
    disposition; the storage answers Range requests itself. With `same_origin`, for small files that a page may
    only load from its own origin (a <track>'s captions), the bytes are passed through instead.
    """
    disposition = content_disposition_header(False, PurePosixPath(field_file.name).name)
    headers = {
        "Cache-Control": f"private, max-age={max_age}",
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
    }
    try:
        path = field_file.storage.path(field_file.name)
    except NotImplementedError:  # Django's Storage.path() contract: no local files (object storage), by design
        if same_origin:
            return _pass_through(request, field_file=field_file, headers={**headers, "Content-Type": content_type})
        parameters = {"ResponseContentType": content_type, "ResponseContentDisposition": disposition}
        response = HttpResponseRedirect(field_file.storage.url(field_file.name, parameters=parameters))
        response["Cache-Control"] = "private, no-store"
        return response

    if settings.PORTAL_MEDIA_ACCEL_PREFIX:
        accel = settings.PORTAL_MEDIA_ACCEL_PREFIX + quote(field_file.name)
        return HttpResponse(content_type=content_type, headers={**headers, "X-Accel-Redirect": accel})

    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    size = stat.st_size
    etag = f'"{size:x}-{stat.st_mtime_ns:x}"'
    last_modified = int(stat.st_mtime)
    headers |= {"ETag": etag, "Last-Modified": http_date(last_modified)}

    if _not_modified(request, etag=etag, last_modified=last_modified):
        return HttpResponseNotModified(headers=headers)

    headers["Accept-Ranges"] = "bytes"
    status, start, length = 200, 0, size
    spec = _range_spec(request, etag=etag, last_modified=last_modified)
    if spec is not None:
        byte_range = _resolve_range(spec, size=size)
        if byte_range is None:
            headers["Content-Range"] = f"bytes */{size}"
            return HttpResponse(status=416, headers=headers)
        start, end = byte_range
        status, length = 206, end - start + 1
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers |= {"Content-Type": content_type, "Content-Length": str(length)}

    if request.method == "HEAD":
        return HttpResponse(status=status, headers=headers)
    return StreamingHttpResponse(_read_slice(path, start=start, length=length), status=status, headers=headers)


def _pass_through(request: HttpRequest, *, field_file: FieldFile, headers: dict[str, str]) -> HttpResponse:
    """The whole file, read from its storage; only for small files (captions are capped at a megabyte)."""
    try:
        with field_file.storage.open(field_file.name, "rb") as file:
            body = file.read()
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    headers = {**headers, "Content-Length": str(len(body))}
    return HttpResponse(b"" if request.method == "HEAD" else body, headers=headers)


def _not_modified(request: HttpRequest, *, etag: str, last_modified: int) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        # If-None-Match uses the weak comparison, so W/"x" matches "x".
        wanted = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
        return "*" in wanted or etag in wanted
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and last_modified <= since


def _range_spec(request: HttpRequest, *, etag: str, last_modified: int) -> tuple[int | None, int | None] | None:
    """The (first, last) of a single valid byte range, or None when the Range header is to be ignored."""
    header = request.headers.get("Range", "")
    unit, _, ranges = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in ranges:
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and not _if_range_matches(if_range, etag=etag, last_modified=last_modified):
        return None
    match = _RANGE_SPEC.fullmatch(ranges)
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first = int(match.group(1)) if match.group(1) else None
    last = int(match.group(2)) if match.group(2) else None
    if first is not None and last is not None and last < first:
        return None
    return first, last


def _if_range_matches(value: str, *, etag: str, last_modified: int) -> bool:
    value = value.strip()
    if value.startswith(('"', 'W/"')):
        return value == etag  # strong comparison: a weak tag never matches
    return parse_http_date_safe(value) == last_modified


def _resolve_range(spec: tuple[int | None, int | None], *, size: int) -> tuple[int, int] | None:
    """The inclusive (start, end) byte positions, or None when the range cannot be satisfied."""
    first, last = spec
    if first is None:
        if last == 0 or size == 0:
            return None
        return max(0, size - last), size - 1
    if first >= size:
        return None
    return first, size - 1 if last is None else min(last, size - 1)


def _read_slice(path: str, *, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as file:
        file.seek(start)
        while length > 0:
            block = file.read(min(BLOCK_SIZE, length))
            if not block:
                return
            length -= len(block)
            yield block
