"""Upload checks for portraits, posters, story media and captions, with messages the uploader can act on."""

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

# Pillow reports many camera and phone JPEGs as MPO (JPEG with extra preview images).
IMAGE_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF"}
IMAGE_FORMATS_TEXT = "JPEG, PNG, WebP or GIF"


@dataclass(frozen=True)
class MediaType:
    kind: str  # "video" or "audio"
    label: str
    suffixes: tuple[str, ...]  # the file name endings that go with it; the first is the usual one


# Story media the portal accepts, by the type that content sniffing finds. That type is stored with the story and
# the media are served with it, never with one guessed from the file name.
MEDIA_TYPES = {
    "video/mp4": MediaType("video", "MP4 video", (".mp4",)),
    "video/webm": MediaType("video", "WebM video", (".webm",)),
    "video/quicktime": MediaType("video", "MOV video", (".mov",)),
    "audio/mpeg": MediaType("audio", "MP3 audio", (".mp3",)),
    "audio/mp4": MediaType("audio", "M4A audio", (".m4a",)),
    "audio/ogg": MediaType("audio", "Ogg audio", (".ogg", ".oga", ".opus")),
    "audio/x-wav": MediaType("audio", "WAV audio", (".wav",)),
}
MEDIA_FORMATS_TEXT = "MP4, WebM or MOV video, or MP3, M4A, Ogg/Opus or WAV audio"
MAX_LISTED_PROBLEMS = 5

Cue = tuple[float, float, str]

_TIMESTAMP = re.compile(r"(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})")
_TIMING = re.compile(r"(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t].*)?")


def validate_image(file) -> None:
    """Accept a JPEG, PNG, WebP or GIF within the byte and pixel limits that decodes to the end.

    The pixel limit is checked from the header, before anything is decoded; then the whole image is decoded once,
    so that a truncated or damaged file is refused here rather than failing when its renditions are made.
    """
    _check_size(file, limit=settings.PORTAL_MAX_IMAGE_BYTES, what="image")
    try:
        _check_image_header(file)
        file.seek(0)
        with Image.open(file) as image:  # verify() leaves an image unusable: decode a fresh one
            image.load()
    except (OSError, SyntaxError, ValueError):  # OSError is Pillow's word for truncated or broken image data
        raise ValidationError(
            "This image is damaged or incomplete: it cannot be read to the end. "
            "Please save or export it again and upload the new file.",
            code="image_damaged",
        ) from None
    finally:
        file.seek(0)


def _check_image_header(file) -> None:
    file.seek(0)
    if _looks_like_svg(file.read(2048)):
        raise ValidationError(
            f"SVG images are not accepted because they can carry scripts. Please upload a {IMAGE_FORMATS_TEXT} image.",
            code="svg",
        )
    file.seek(0)
    try:
        with Image.open(file) as image:
            if image.format not in IMAGE_FORMATS:
                raise ValidationError(
                    f"This is a {image.format} image; please upload a {IMAGE_FORMATS_TEXT} image.",
                    code="image_format",
                )
            width, height = image.size
            if width * height > settings.PORTAL_MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width=width, height=height)
            image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard fired while reading the header (the warning, where warnings are errors): nothing was
        # decoded, and the size is not known here.
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            f"This file is not an image we can read. Please upload a {IMAGE_FORMATS_TEXT} image.",
            code="not_image",
        ) from None


def sniff_media_type(file) -> str | None:
    """The accepted media type (a key of MEDIA_TYPES) that the file's first bytes show, whatever its name says."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = filetype.guess(head) if head else None
    return kind.mime if kind is not None and kind.mime in MEDIA_TYPES else None


def validate_media(file) -> str:
    """Accept a video or audio file in a format browsers play, named for what it is, within the byte limit.

    Returns its media type, found in its content: the type the story's media are served with.
    """
    _check_size(file, limit=settings.PORTAL_MAX_MEDIA_BYTES, what="media file")
    media_type = sniff_media_type(file)
    if media_type is None:
        raise ValidationError(
            f"This file is not a video or audio format we accept. Please upload {MEDIA_FORMATS_TEXT}.",
            code="media_format",
        )
    accepted = MEDIA_TYPES[media_type]
    suffix = PurePosixPath(file.name or "").suffix.lower()
    if suffix not in accepted.suffixes:
        named = f"its name ends in “{suffix}”" if suffix else "its name has no extension"
        raise ValidationError(
            f"This file is {accepted.label}, but {named}. "
            f"Rename it to end in “{accepted.suffixes[0]}” and upload it again.",
            code="media_name",
        )
    return media_type


def validate_webvtt(file) -> None:
    """Accept UTF-8 WebVTT captions with at least one well-formed cue, listing the first problems found."""
    _check_size(file, limit=settings.PORTAL_MAX_CAPTION_BYTES, what="captions file")
    file.seek(0)
    data = file.read()
    file.seek(0)
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise ValidationError(
            "The captions file must be saved as UTF-8 text.",
            code="webvtt_encoding",
        ) from None
    cues, problems = _parse_webvtt(text)
    if not cues and not problems:
        problems.append("The file has no cues: add at least one timed cue after the WEBVTT line.")
    if problems:
        messages = problems[:MAX_LISTED_PROBLEMS]
        if len(problems) > MAX_LISTED_PROBLEMS:
            messages.append(f"…and {len(problems) - MAX_LISTED_PROBLEMS} more problems.")
        raise ValidationError([ValidationError(message, code="webvtt") for message in messages])


def parse_webvtt_cues(text: str) -> list[Cue]:
    """The (start, end, text) of each well-formed cue in seconds; malformed blocks are skipped."""
    cues, _problems = _parse_webvtt(text)
    return cues


def _check_size(file, *, limit: int, what: str) -> None:
    if file.size > limit:
        raise ValidationError(
            f"This {what} is {filesizeformat(file.size)}; the limit is {filesizeformat(limit)}.",
            code="file_size",
        )


def _too_many_pixels(*, width: int | None = None, height: int | None = None) -> ValidationError:
    limit = settings.PORTAL_MAX_IMAGE_PIXELS
    limit_text = f"{limit // 1_000_000:,} million" if limit % 1_000_000 == 0 else f"{limit:,}"
    if width and height:
        message = f"This image is {width:,} × {height:,} pixels; the limit is {limit_text} pixels."
    else:
        message = f"This image has far more pixels than the limit of {limit_text}."
    return ValidationError(f"{message} Please upload a smaller image.", code="image_pixels")


def _looks_like_svg(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(b"<?xml") or b"<svg" in start


def _parse_webvtt(text: str) -> tuple[list[Cue], list[str]]:
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    problems = []
    has_header = re.fullmatch(r"WEBVTT(?:[ \t].*)?", lines[0]) is not None
    if not has_header:
        problems.append("Line 1: the file must start with “WEBVTT”.")
    cues = []
    for block in _blocks(lines):
        if block[0][0] == 1:
            # The header block: "WEBVTT" and any header lines up to the first blank line.
            for number, line in block:
                if has_header and "-->" in line:
                    problems.append(f"Line {number}: leave a blank line between “WEBVTT” and the first cue.")
            continue
        if re.match(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)", block[0][1]):
            continue
        cue, cue_problems = _parse_cue(block)
        problems += cue_problems
        if cue is not None:
            cues.append(cue)
    return cues, problems


def _blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Group the numbered lines into blocks separated by blank lines."""
    blocks, current = [], []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _parse_cue(block: list[tuple[int, str]]) -> tuple[Cue | None, list[str]]:
    timing_index = 0 if "-->" in block[0][1] else 1
    if timing_index >= len(block) or "-->" not in block[timing_index][1]:
        number = block[min(timing_index, len(block) - 1)][0]
        return None, [f"Line {number}: expected a cue timing line such as “00:00:01.000 --> 00:00:04.000”."]
    number, timing = block[timing_index]
    match = _TIMING.fullmatch(timing.strip())
    if match is None:
        return None, [f"Line {number}: the timing line should read like “00:00:01.000 --> 00:00:04.000”."]
    problems = []
    for stamp in match.groups():
        if _seconds(stamp) is None:
            problems.append(
                f"Line {number}: “{stamp}” is not a valid timestamp; use [hh:]mm:ss.ttt "
                f"with minutes and seconds below 60, e.g. 00:01:05.000."
            )
    text_lines = [line for _number, line in block[timing_index + 1 :]]
    if not text_lines:
        problems.append(f"Line {number}: the cue has no text.")
    for text_number, line in block[timing_index + 1 :]:
        if "-->" in line:
            problems.append(f"Line {text_number}: cue text cannot contain “-->”; leave a blank line before a new cue.")
    if problems:
        return None, problems
    start, end = _seconds(match.group(1)), _seconds(match.group(2))
    if end < start:
        return None, [f"Line {number}: the cue ends before it starts ({match.group(1)} --> {match.group(2)})."]
    if end == start:
        return None, [f"Line {number}: the cue ends as soon as it starts ({match.group(1)} --> {match.group(2)})."]
    return (start, end, "\n".join(text_lines)), []


def _seconds(stamp: str) -> float | None:
    match = _TIMESTAMP.fullmatch(stamp)
    if match is None:
        return None
    hours, minutes, seconds, millis = (int(part or 0) for part in match.groups())
    if minutes >= 60 or seconds >= 60:
        return None
    return hours * 3600 + minutes * 60 + seconds + millis / 1000
