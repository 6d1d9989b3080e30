import struct
import warnings
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stories.validators import (
    parse_webvtt_cues,
    sniff_media_type,
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


def test_image_over_the_pixel_limit_is_refused_before_decoding_with_its_size(settings):
    settings.PORTAL_MAX_IMAGE_PIXELS = 1_000_000

    with pytest.raises(ValidationError) as excinfo:
        validate_image(_png_header_only(2000, 1000))
    assert excinfo.value.messages == [
        "This image is 2,000 × 1,000 pixels; the limit is 1 million pixels. Please upload a smaller image."
    ]


def test_a_limit_in_odd_pixels_is_written_out(settings):
    settings.PORTAL_MAX_IMAGE_PIXELS = 1_500_000

    with pytest.raises(ValidationError, match="the limit is 1,500,000 pixels"):
        validate_image(_png_header_only(2000, 1000))


@pytest.mark.parametrize(
    "size",
    [
        (10_000, 10_000),  # beyond Pillow's DecompressionBombWarning (an error under pytest's warning filters)
        (50_000, 50_000),  # beyond Pillow's DecompressionBombError
    ],
)
def test_decompression_bomb_gets_the_portals_own_message(size):
    upload = _png_header_only(*size)

    with pytest.raises(ValidationError) as excinfo:
        validate_image(upload)

    assert excinfo.value.code == "image_pixels"
    assert excinfo.value.messages == [
        "This image has far more pixels than the limit of 40 million. Please upload a smaller image."
    ]
    assert upload.tell() == 0


def test_pillows_bomb_warning_outside_pytest_still_meets_the_portals_limit(recwarn):
    """Production does not turn warnings into errors: the portal's own check then names the size."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        with pytest.raises(ValidationError) as excinfo:
            validate_image(_png_header_only(10_000, 10_000))

    assert "This image is 10,000 × 10,000 pixels; the limit is 40 million pixels." in _messages(excinfo)
    assert recwarn.pop(Image.DecompressionBombWarning)


def _jpeg_cut_in_half() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.effect_noise((400, 300), 64).convert("RGB").save(buffer, "JPEG")
    return SimpleUploadedFile("portrait.jpg", buffer.getvalue()[: len(buffer.getvalue()) // 2])


def _png_with_broken_pixel_data() -> SimpleUploadedFile:
    """A PNG whose compressed pixels are garbage under a correct checksum, so that verify() passes it."""
    buffer = BytesIO()
    Image.effect_noise((200, 100), 64).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    start = data.find(b"IDAT")
    (length,) = struct.unpack(">I", data[start - 4 : start])
    broken = bytes(data[start + 4 : start + 14]) + bytes(length - 10)
    data[start + 4 : start + 4 + length] = broken
    data[start + 4 + length : start + 8 + length] = struct.pack(">I", zlib.crc32(b"IDAT" + broken))
    return SimpleUploadedFile("portrait.png", bytes(data))


@pytest.mark.parametrize("damaged", [_jpeg_cut_in_half, _png_with_broken_pixel_data], ids=["truncated-jpeg", "png"])
def test_image_that_cannot_be_decoded_to_the_end_is_refused(damaged):
    upload = damaged()
    with Image.open(BytesIO(upload.read())) as image:
        image.verify()  # what the header check alone would let through
    upload.seek(0)

    with pytest.raises(ValidationError) as excinfo:
        validate_image(upload)

    assert excinfo.value.code == "image_damaged"
    assert "damaged or incomplete" in _messages(excinfo)
    assert upload.tell() == 0


# Media

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(64)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
M4A = b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + b"\x00\x00\x00\x08free"
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00\x00\x00\x08wide"
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm\x42\x87\x81\x04" + bytes(16)
OGG = b"OggS\x00\x02" + bytes(22) + b"\x01\x13OpusHead" + bytes(16)


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [
        ("story.mp3", MP3, "audio/mpeg"),
        ("story.m4a", M4A, "audio/mp4"),
        ("story.ogg", OGG, "audio/ogg"),
        ("story.opus", OGG, "audio/ogg"),
        ("story.mp4", MP4, "video/mp4"),
        ("story.mov", MOV, "video/quicktime"),
        ("Story.WebM", WEBM, "video/webm"),
    ],
)
def test_media_in_accepted_formats_pass_with_the_type_found_in_their_content(name, data, media_type):
    upload = SimpleUploadedFile(name, data, content_type="text/html")

    assert validate_media(upload) == media_type
    assert upload.tell() == 0


def test_sniffing_ignores_a_misleading_name():
    assert sniff_media_type(SimpleUploadedFile("story.mp4", MP3)) == "audio/mpeg"


def test_text_renamed_mp4_is_refused_naming_the_accepted_formats():
    upload = SimpleUploadedFile("story.mp4", b"This is not really a video.\n" * 20)

    with pytest.raises(ValidationError, match="MP4, WebM or MOV video, or MP3, M4A"):
        validate_media(upload)
    assert sniff_media_type(upload) is None


def test_image_is_not_media():
    assert sniff_media_type(_image_upload("story.mp4", format="PNG")) is None


def test_html_page_behind_an_mp4_box_named_html_is_refused_naming_both():
    page = b'<html><meta http-equiv="refresh" content="0; url=https://attacker.example/"></html>'
    upload = SimpleUploadedFile("welcome.html", MP4 + page)

    with pytest.raises(ValidationError) as excinfo:
        validate_media(upload)

    assert excinfo.value.messages == [
        "This file is MP4 video, but its name ends in “.html”. Rename it to end in “.mp4” and upload it again."
    ]


@pytest.mark.parametrize(
    ("name", "data", "found", "named"),
    [
        ("story.mp3", MP4, "MP4 video", "its name ends in “.mp3”"),
        ("story.mp4", MP3, "MP3 audio", "its name ends in “.mp4”"),
        ("story.webm", OGG, "Ogg audio", "its name ends in “.webm”"),
        ("story", WEBM, "WebM video", "its name has no extension"),
    ],
    ids=["mp4-as-mp3", "mp3-as-mp4", "ogg-as-webm", "webm-unnamed"],
)
def test_media_whose_name_disagrees_with_its_content_is_refused_naming_both(name, data, found, named):
    with pytest.raises(ValidationError) as excinfo:
        validate_media(SimpleUploadedFile(name, data))

    assert excinfo.value.code == "media_name"
    assert f"This file is {found}, but {named}." in _messages(excinfo)


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
