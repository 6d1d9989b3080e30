import struct
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stories.validators import (
    media_kind,
    parse_webvtt_cues,
    validate_image,
    validate_media,
    validate_webvtt,
)


def _image_upload(name: str, *, format: str, size=(40, 30), mode="RGB") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new(mode, size, "teal").save(buffer, format)
    return SimpleUploadedFile(name, buffer.getvalue())


def _png_header_only(width: int, height: int) -> SimpleUploadedFile:
    """A PNG that claims width x height but carries no pixel data: decoding it would fail."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    return SimpleUploadedFile("huge.png", data)


def _messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# Images


@pytest.mark.parametrize(
    ("name", "format"), [("p.png", "PNG"), ("p.jpg", "JPEG"), ("p.webp", "WEBP"), ("p.gif", "GIF")]
)
def test_real_images_in_accepted_formats_pass_and_are_rewound(name, format):
    upload = _image_upload(name, format=format)

    validate_image(upload)

    assert upload.tell() == 0


def test_text_file_named_jpg_is_not_an_image():
    upload = SimpleUploadedFile("portrait.jpg", b"Just some notes about my career.\n")

    with pytest.raises(ValidationError, match="not an image we can read"):
        validate_image(upload)
    assert upload.tell() == 0


def test_svg_is_refused_with_its_own_message():
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    with pytest.raises(ValidationError, match="SVG images are not accepted"):
        validate_image(SimpleUploadedFile("portrait.svg", svg))


def test_svg_without_xml_declaration_is_refused():
    with pytest.raises(ValidationError, match="SVG images are not accepted"):
        validate_image(SimpleUploadedFile("portrait.png", b"  <svg width='10' height='10'></svg>"))


def test_image_in_another_format_is_refused_naming_the_accepted_ones():
    with pytest.raises(ValidationError, match="JPEG, PNG, WebP or GIF") as excinfo:
        validate_image(_image_upload("portrait.bmp", format="BMP"))
    assert "BMP" in _messages(excinfo)


def test_image_over_the_byte_limit_is_refused_with_the_limit(settings):
    settings.PORTAL_MAX_IMAGE_BYTES = 100
    upload = _image_upload("p.jpg", format="JPEG")  # JPEG headers alone are several hundred bytes
    assert upload.size > 100

    with pytest.raises(ValidationError, match="the limit is 100") as excinfo:
        validate_image(upload)
    assert excinfo.value.code == "file_size"


def test_image_over_the_pixel_limit_is_refused_before_decoding(settings):
    settings.PORTAL_MAX_IMAGE_PIXELS = 1_000_000

    with pytest.raises(ValidationError, match="too many pixels") as excinfo:
        validate_image(_png_header_only(2000, 1000))
    assert "2,000 × 1,000" in _messages(excinfo)
    assert "1,000,000 pixels" in _messages(excinfo)


def test_decompression_bomb_is_a_validation_error_not_a_crash():
    upload = _png_header_only(50_000, 50_000)  # far beyond Pillow's own guard

    with pytest.raises(ValidationError, match="too many pixels"):
        validate_image(upload)
    assert upload.tell() == 0


# Media

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(64)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
M4A = b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + b"\x00\x00\x00\x08free"
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00\x00\x00\x08wide"
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm\x42\x87\x81\x04" + bytes(16)
OGG = b"OggS\x00\x02" + bytes(22) + b"\x01\x13OpusHead" + bytes(16)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("story.mp3", MP3, "audio"),
        ("story.m4a", M4A, "audio"),
        ("story.ogg", OGG, "audio"),
        ("story.mp4", MP4, "video"),
        ("story.mov", MOV, "video"),
        ("story.webm", WEBM, "video"),
    ],
)
def test_media_in_accepted_formats_pass_and_are_recognised_by_content(name, data, kind):
    upload = SimpleUploadedFile(name, data)

    validate_media(upload)

    assert media_kind(upload) == kind
    assert upload.tell() == 0


def test_media_kind_ignores_a_misleading_name():
    assert media_kind(SimpleUploadedFile("story.mp4", MP3)) == "audio"


def test_text_renamed_mp4_is_refused_naming_the_accepted_formats():
    upload = SimpleUploadedFile("story.mp4", b"This is not really a video.\n" * 20)

    with pytest.raises(ValidationError, match="MP4, WebM or MOV video, or MP3, M4A"):
        validate_media(upload)
    assert media_kind(upload) is None


def test_image_is_not_media():
    assert media_kind(_image_upload("story.mp4", format="PNG")) is None


def test_media_over_the_byte_limit_is_refused(settings):
    settings.PORTAL_MAX_MEDIA_BYTES = 10

    with pytest.raises(ValidationError, match="the limit is 10"):
        validate_media(SimpleUploadedFile("story.mp4", MP4))


# WebVTT

VALID_VTT = """WEBVTT - Amara's story

NOTE Checked by the comms team.

STYLE
::cue { color: yellow; }

intro
00:00:01.000 --> 00:00:04.500 align:start
<v Amara>I joined as a graduate analyst.

01:02.250 --> 01:05.000
Then I moved into product,
and never looked back.

01:00:00.000 --> 01:00:02.000
Thank you.
"""


def _vtt(text: str, *, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("captions.vtt", text.encode(encoding))


def test_valid_webvtt_passes():
    upload = _vtt(VALID_VTT)

    validate_webvtt(upload)

    assert upload.tell() == 0


def test_webvtt_with_bom_and_crlf_passes():
    validate_webvtt(_vtt(VALID_VTT.replace("\n", "\r\n"), encoding="utf-8-sig"))


def test_parse_webvtt_cues_returns_start_end_and_text():
    assert parse_webvtt_cues(VALID_VTT) == [
        (1.0, 4.5, "<v Amara>I joined as a graduate analyst."),
        (62.25, 65.0, "Then I moved into product,\nand never looked back."),
        (3600.0, 3602.0, "Thank you."),
    ]


def test_parse_webvtt_cues_skips_malformed_cues():
    text = "WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nBackwards\n\n00:00:06.000 --> 00:00:07.000\nFine\n"

    assert parse_webvtt_cues(text) == [(6.0, 7.0, "Fine")]


def test_webvtt_without_header_is_refused_at_line_1():
    with pytest.raises(ValidationError, match="Line 1: the file must start with “WEBVTT”"):
        validate_webvtt(_vtt("1\n00:00:01,000 --> 00:00:02,000\nSubRip, not WebVTT\n"))


def test_webvtt_bad_timestamp_is_refused_with_its_line():
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFine\n\n00:00:03.000 --> 00:00:4.000\nBad\n"

    with pytest.raises(ValidationError, match="Line 6: “00:00:4.000” is not a valid timestamp"):
        validate_webvtt(_vtt(text))


def test_webvtt_seconds_of_60_or_more_are_refused():
    with pytest.raises(ValidationError, match="Line 3: “00:00:75.000” is not a valid timestamp"):
        validate_webvtt(_vtt("WEBVTT\n\n00:00:70.000 --> 00:00:75.000\nToo many seconds\n"))


def test_webvtt_cue_ending_before_it_starts_is_refused_with_its_line():
    text = "WEBVTT\n\nNOTE fine so far\n\nfirst\n00:00:05.000 --> 00:00:04.000\nBackwards\n"

    with pytest.raises(ValidationError) as excinfo:
        validate_webvtt(_vtt(text))
    assert excinfo.value.messages == ["Line 6: the cue ends before it starts (00:00:05.000 --> 00:00:04.000)."]


def test_webvtt_without_cues_is_refused():
    with pytest.raises(ValidationError, match="no cues"):
        validate_webvtt(_vtt("WEBVTT\n\nNOTE nothing here yet\n"))


def test_webvtt_cue_without_text_is_refused():
    with pytest.raises(ValidationError, match="Line 3: the cue has no text"):
        validate_webvtt(_vtt("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"))


def test_webvtt_cues_without_a_blank_line_between_them_are_refused():
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nOne\n00:00:02.000 --> 00:00:03.000\nTwo\n"

    with pytest.raises(ValidationError, match="Line 5: cue text cannot contain"):
        validate_webvtt(_vtt(text))


def test_webvtt_lists_at_most_five_problems():
    bad_cues = "".join(f"00:00:0{i}.000 --> 00:00:00.500\nCue {i}\n\n" for i in range(1, 9))

    with pytest.raises(ValidationError) as excinfo:
        validate_webvtt(_vtt("WEBVTT\n\n" + bad_cues))
    messages = excinfo.value.messages
    assert len(messages) == 6
    assert messages[0].startswith("Line 3:")
    assert messages[-1] == "…and 3 more problems."


def test_webvtt_that_is_not_utf8_is_refused():
    with pytest.raises(ValidationError, match="UTF-8"):
        validate_webvtt(
            SimpleUploadedFile("captions.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nCafé\n".encode("latin-1"))
        )


def test_webvtt_over_the_byte_limit_is_refused(settings):
    settings.PORTAL_MAX_CAPTION_BYTES = 20

    with pytest.raises(ValidationError, match="the limit is 20"):
        validate_webvtt(_vtt(VALID_VTT))
