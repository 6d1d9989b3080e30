"""Upload checks for portraits, posters, story media and captions, with messages the uploader can act on."""

import re

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

# Pillow reports many camera and phone JPEGs as MPO (JPEG with extra preview images).
IMAGE_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF"}
IMAGE_FORMATS_TEXT = "JPEG, PNG, WebP or GIF"
VIDEO_TYPES = {"video/mp4", "video/webm", "video/quicktime"}
AUDIO_TYPES = {"audio/mpeg", "audio/mp4", "audio/ogg", "audio/x-wav"}
MEDIA_FORMATS_TEXT = "MP4, WebM or MOV video, or MP3, M4A, Ogg/Opus or WAV audio"
MAX_LISTED_PROBLEMS = 5

Cue = tuple[float, float, str]

_TIMESTAMP = re.compile(r"(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})")
_TIMING = re.compile(r"(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t].*)?")


def validate_image(file) -> None:
    """Accept a JPEG, PNG, WebP or GIF within the byte and pixel limits, checking pixels before decoding."""
    _check_size(file, limit=settings.PORTAL_MAX_IMAGE_BYTES, what="image")
    try:
        file.seek(0)
        if _looks_like_svg(file.read(2048)):
            raise ValidationError(
                f"SVG images are not accepted because they can carry scripts. "
                f"Please upload a {IMAGE_FORMATS_TEXT} image.",
                code="svg",
            )
        file.seek(0)
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
        # Pillow's own guard fired while reading the header; the image was never decoded.
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            f"This file is not an image we can read. Please upload a {IMAGE_FORMATS_TEXT} image.",
            code="not_image",
        ) from None
    finally:
        file.seek(0)


def media_kind(file) -> str | None:
    """'video', 'audio' or None, judged by the file's first bytes rather than its name."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = filetype.guess(head) if head else None
    if kind is None:
        return None
    if kind.mime in VIDEO_TYPES:
        return "video"
    if kind.mime in AUDIO_TYPES:
        return "audio"
    return None


def validate_media(file) -> None:
    """Accept a video or audio file in one of the formats browsers play, within the byte limit."""
    _check_size(file, limit=settings.PORTAL_MAX_MEDIA_BYTES, what="media file")
    if media_kind(file) is None:
        raise ValidationError(
            f"This file is not a video or audio format we accept. Please upload {MEDIA_FORMATS_TEXT}.",
            code="media_format",
        )


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
    size = f" ({width:,} × {height:,})" if width and height else ""
    return ValidationError(
        f"This image has too many pixels{size}; the limit is {limit:,} pixels "
        f"(about {limit / 1_000_000:g} megapixels). Please upload a smaller image.",
        code="image_pixels",
    )


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
