"""Generate the demo media for the Career Stories portal.

This script is run once, by a developer, to (re)create the small media files
that are committed next to ``content.json``:

* ``portraits/<storyteller>.jpg``  illustrated 480x480 avatars drawn with Pillow
* ``media/<story>.vtt``            WebVTT captions, one cue per spoken sentence
* ``media/<story>.mp3``            podcast audio (mono, 24 kbit/s)
* ``media/<story>.mp4``            video (H.264 + AAC, 480x270, 10 fps, faststart)
* ``posters/<story>.jpg``          640x360 poster frame for each video

Speech is synthesised with espeak-ng, one sentence at a time, so that each
sentence's length can be measured with ffprobe and the caption cues line up
with the audio. The script also writes the measured ``duration_seconds`` back
into ``content.json``.

The demo itself never needs ffmpeg or espeak-ng: it only serves the committed
files. To regenerate them you need ffmpeg, ffprobe, espeak-ng, fc-match
(fontconfig, with DejaVu fonts) and Pillow:

    python stories/demo/make_media.py              # everything
    python stories/demo/make_media.py --only SLUG  # one story or storyteller
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import tempfile
import wave
from array import array
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
CONTENT = HERE / "content.json"

SPEED_WPM = 165
LEAD_IN = 0.20  # silence before the first sentence (seconds)
SENTENCE_GAP = 0.25  # silence between sentences in a paragraph
PARAGRAPH_GAP = 0.45  # silence between paragraphs
TAIL = 0.40  # silence after the last sentence
CUE_LINE = 42  # max characters per caption line
CUE_MAX = 2 * CUE_LINE
BARS = 90  # audiogram bars in the video frame
BARS_X0, BARS_X1 = 48, 592  # audiogram extent on the 640x360 frame

# espeak-ng voice for each storyteller who appears in a video or podcast.
VOICES = {
    "amara-okafor": "en-gb+f3",
    "tom-whitaker": "en-gb-x-gbclan+m3",
    "priya-raman": "en-gb+f4",
    "gareth-llewellyn": "en-gb-x-gbcwmd+m1",
    "sofia-marques": "en-gb-x-rp+f2",
    "kwame-asante": "en-gb-x-rp+m2",
    "ellie-nash": "en-gb-x-gbclan+f1",
    "fiona-mcallister": "en-gb-scotland+f3",
    "ravi-chandran": "en-gb+m4",
    "chloe-bennett": "en-gb+f1",
    "joseph-adeyemi": "en-gb-x-rp+m3",
    "wei-chen": "en-us+m3",
    "aisling-doyle": "en-gb+f5",
    "sam-hughes": "en-gb-x-gbcwmd+m7",
    "nadia-haddad": "en-us+f3",
    "david-ferguson": "en-gb-scotland+m2",
    "ines-carvalho": "en-gb-x-rp+f4",
}

# Portrait design for each storyteller.
PORTRAITS = {
    "amara-okafor": {
        "skin": "#8d5524",
        "hair": "afro",
        "hair_col": "#1c1410",
        "clothes": "#1f8a89",
        "bg": "#f6d5be",
        "collar": "vneck",
    },
    "tom-whitaker": {
        "skin": "#f1c8a8",
        "hair": "short",
        "hair_col": "#b5562b",
        "clothes": "#2b3a67",
        "bg": "#cfe8cf",
        "beard": True,
        "glasses": True,
        "collar": "crew",
    },
    "priya-raman": {
        "skin": "#b97a4f",
        "hair": "long",
        "hair_col": "#17110e",
        "clothes": "#8c2f47",
        "bg": "#ddd5f2",
        "collar": "vneck",
    },
    "gareth-llewellyn": {
        "skin": "#e8b896",
        "hair": "receding",
        "hair_col": "#9a9a96",
        "clothes": "#d9772b",
        "bg": "#cde1f2",
        "beard": True,
        "collar": "zip",
    },
    "sofia-marques": {
        "skin": "#d9a77f",
        "hair": "bob",
        "hair_col": "#3b2417",
        "clothes": "#d3a326",
        "bg": "#cdeee0",
        "collar": "crew",
    },
    "helen-brooke": {
        "skin": "#f3cfb3",
        "hair": "ponytail",
        "hair_col": "#d8b36a",
        "clothes": "#4f79c9",
        "bg": "#f8eebc",
        "collar": "vneck",
    },
    "kwame-asante": {
        "skin": "#5c3a21",
        "hair": "crop",
        "hair_col": "#120d0a",
        "clothes": "#34383f",
        "bg": "#f7d9b8",
        "collar": "shirt",
        "tie": True,
    },
    "ellie-nash": {
        "skin": "#f5d3bb",
        "hair": "long",
        "hair_col": "#6b4226",
        "clothes": "#e56b5d",
        "bg": "#c8ebea",
        "collar": "crew",
    },
    "marek-nowak": {
        "skin": "#edc3a2",
        "hair": "sidepart",
        "hair_col": "#5a3b23",
        "clothes": "#2f5d46",
        "bg": "#d4dde8",
        "stubble": True,
        "collar": "hood",
    },
    "fiona-mcallister": {
        "skin": "#f0c7a6",
        "hair": "bob",
        "hair_col": "#a04a2a",
        "clothes": "#6e3a6b",
        "bg": "#f4d4dc",
        "glasses": True,
        "collar": "blazer",
    },
    "ravi-chandran": {
        "skin": "#a86b43",
        "hair": "sidepart",
        "hair_col": "#15100d",
        "clothes": "#8fb3d9",
        "bg": "#eadcc2",
        "glasses": True,
        "collar": "shirt",
    },
    "chloe-bennett": {
        "skin": "#e9bd98",
        "hair": "bun",
        "hair_col": "#e0c07a",
        "clothes": "#7a4fb0",
        "bg": "#d6efd0",
        "collar": "crew",
    },
    "joseph-adeyemi": {
        "skin": "#4a2e1b",
        "hair": "bald",
        "hair_col": "#120d0a",
        "clothes": "#233659",
        "bg": "#f2e3b3",
        "glasses": True,
        "beard": True,
        "collar": "shirt",
    },
    "megan-price": {
        "skin": "#f6d6c1",
        "hair": "wavy",
        "hair_col": "#b0442b",
        "clothes": "#2d2d34",
        "bg": "#f7cfc4",
        "collar": "vneck",
    },
    "wei-chen": {
        "skin": "#eac9a5",
        "hair": "fringe",
        "hair_col": "#121212",
        "clothes": "#6f7680",
        "bg": "#cfe3f7",
        "collar": "crew",
    },
    "aisling-doyle": {
        "skin": "#f7dccb",
        "hair": "curly",
        "hair_col": "#4a2c1c",
        "clothes": "#3f8a4f",
        "bg": "#e3d8f0",
        "collar": "vneck",
    },
    "sam-hughes": {
        "skin": "#c48a62",
        "hair": "curlyshort",
        "hair_col": "#231a14",
        "clothes": "#d9a441",
        "bg": "#d2f0e4",
        "collar": "crew",
    },
    "nadia-haddad": {
        "skin": "#c99570",
        "hair": "hijab",
        "hair_col": "#c77d8a",
        "clothes": "#27385e",
        "bg": "#f6ecd9",
        "collar": "crew",
    },
    "david-ferguson": {
        "skin": "#efc6a4",
        "hair": "short",
        "hair_col": "#6b5a4a",
        "clothes": "#7c2636",
        "bg": "#cbe7e6",
        "beard": True,
        "collar": "crew",
    },
    "ines-carvalho": {
        "skin": "#d7a57c",
        "hair": "ponytail",
        "hair_col": "#1d1411",
        "clothes": "#16707a",
        "bg": "#f7eab0",
        "collar": "blazer",
    },
}

# Deep background colours for video frames and posters, by function.
FUNCTION_COLOURS = {
    "finance": "#1d4e63",
    "sales": "#7a3420",
    "marketing": "#7b2d5b",
    "customer-service": "#24585a",
    "operations": "#2e4a2a",
    "product": "#3d3a7a",
    "technology": "#20304f",
    "people": "#6a3d1f",
    "legal": "#3b3f46",
}


# --------------------------------------------------------------------------
# helpers


def run(cmd: list[str]) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def probe_duration(path: Path) -> float:
    out = run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "default=noprint_wrappers=1:nokey=1",
            str(path),
        ]
    )
    return float(out.strip())


def font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    pattern = "DejaVu Sans:bold" if bold else "DejaVu Sans"
    path = run(["fc-match", "-f", "%{file}", pattern]).strip()
    return ImageFont.truetype(path, size)


def hex_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def shade(colour, factor: float):
    """factor < 1 darkens, > 1 lightens towards white."""
    r, g, b = hex_rgb(colour) if isinstance(colour, str) else colour
    if factor <= 1:
        return tuple(int(c * factor) for c in (r, g, b))
    t = factor - 1
    return tuple(int(c + (255 - c) * t) for c in (r, g, b))


def mix(a, b, t: float):
    a = hex_rgb(a) if isinstance(a, str) else a
    b = hex_rgb(b) if isinstance(b, str) else b
    return tuple(int(x + (y - x) * t) for x, y in zip(a, b, strict=True))


# --------------------------------------------------------------------------
# portraits

S = 4  # supersampling factor; portraits are drawn at 4x then reduced


def _box(box):
    return [v * S for v in box]


def _pts(points):
    return [(x * S, y * S) for x, y in points]


def _arc_points(cx, cy, rx, ry, start, end, steps=40):
    return [
        (cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
        for a in (start + (end - start) * i / steps for i in range(steps + 1))
    ]


def draw_portrait(spec: dict) -> Image.Image:
    size = 480
    bg = spec["bg"]
    skin = hex_rgb(spec["skin"])
    hair = hex_rgb(spec["hair_col"])
    clothes = hex_rgb(spec["clothes"])
    style = spec["hair"]
    img = Image.new("RGB", (size * S, size * S), hex_rgb(bg))
    d = ImageDraw.Draw(img)

    def ell(box, fill):
        d.ellipse(_box(box), fill=fill)

    def poly(points, fill):
        d.polygon(_pts(points), fill=fill)

    # soft halo behind the head
    ell((48, 48, 432, 432), shade(bg, 1.35))

    # shoulders
    d.rounded_rectangle(_box((78, 332, 402, 560)), radius=95 * S, fill=clothes)
    if spec.get("collar") == "hood":
        ell((168, 300, 312, 372), shade(clothes, 0.78))

    # hair that sits behind the head and falls over the shoulders
    if style == "long":
        d.rounded_rectangle(_box((150, 98, 330, 405)), radius=70 * S, fill=hair)
    elif style == "wavy":
        d.rounded_rectangle(_box((152, 98, 328, 395)), radius=70 * S, fill=hair)
        for y in range(140, 400, 28):
            ell((134, y - 22, 178, y + 22), hair)
            ell((302, y - 22, 346, y + 22), hair)
    elif style == "bob":
        d.rounded_rectangle(_box((146, 92, 334, 292)), radius=62 * S, fill=hair)
    elif style == "afro":
        cx, cy, rx, ry = 240, 165, 122, 112
        ell((cx - rx, cy - ry, cx + rx, cy + ry), hair)
        for a in range(0, 360, 18):
            x = cx + rx * math.cos(math.radians(a))
            y = cy + ry * math.sin(math.radians(a))
            ell((x - 16, y - 16, x + 16, y + 16), hair)
    elif style == "curly":
        for a in range(150, 395, 14):
            x = 240 + 98 * math.cos(math.radians(a))
            y = 190 + 112 * math.sin(math.radians(a))
            ell((x - 30, y - 30, x + 30, y + 30), hair)
        d.rounded_rectangle(_box((150, 120, 330, 360)), radius=60 * S, fill=hair)
        for y in range(250, 380, 30):
            ell((138, y - 26, 190, y + 26), hair)
            ell((290, y - 26, 342, y + 26), hair)
    elif style == "bun":
        ell((206, 52, 274, 116), hair)
    elif style == "ponytail":
        poly([(300, 150), (338, 190), (344, 300), (318, 340), (306, 250)], hair)
    elif style == "hijab":
        scarf = hair
        ell((140, 78, 340, 330), scarf)
        poly([(150, 240), (330, 240), (392, 420), (88, 420)], scarf)
        d.line(_pts([(160, 300), (120, 410)]), fill=shade(scarf, 0.85), width=4 * S)
        d.line(_pts([(322, 300), (362, 410)]), fill=shade(scarf, 0.85), width=4 * S)

    # neck
    neck = shade(skin, 0.88)
    if style != "hijab":
        d.rounded_rectangle(_box((211, 255, 269, 350)), radius=18 * S, fill=neck)

    # necklines
    collar = spec.get("collar", "crew")
    if style == "hijab":
        pass
    elif collar == "vneck":
        poly([(206, 334), (274, 334), (240, 392)], neck)
    elif collar == "crew":
        d.chord(_box((204, 312, 276, 362)), 0, 180, fill=neck)
        d.arc(_box((200, 310, 280, 366)), 0, 180, fill=shade(clothes, 0.8), width=5 * S)
    elif collar == "shirt":
        poly([(198, 334), (282, 334), (240, 430)], (246, 246, 242))
        poly([(214, 334), (266, 334), (240, 372)], neck)
        poly([(204, 330), (238, 372), (214, 382), (192, 342)], (255, 255, 255))
        poly([(276, 330), (242, 372), (266, 382), (288, 342)], (255, 255, 255))
        if spec.get("tie"):
            poly([(234, 376), (246, 376), (252, 440), (240, 452), (228, 440)], (176, 58, 46))
    elif collar == "blazer":
        poly([(196, 334), (284, 334), (240, 440)], shade(clothes, 1.75))
        poly([(212, 334), (268, 334), (240, 372)], neck)
        d.line(_pts([(196, 336), (232, 440)]), fill=shade(clothes, 0.7), width=5 * S)
        d.line(_pts([(284, 336), (248, 440)]), fill=shade(clothes, 0.7), width=5 * S)
    elif collar == "zip":
        d.rounded_rectangle(_box((200, 318, 280, 352)), radius=12 * S, fill=shade(clothes, 0.85))
        d.line(_pts([(240, 330), (240, 480)]), fill=shade(clothes, 0.6), width=4 * S)
    elif collar == "hood":
        d.line(_pts([(226, 350), (222, 420)]), fill=(235, 235, 230), width=4 * S)
        d.line(_pts([(254, 350), (258, 420)]), fill=(235, 235, 230), width=4 * S)

    # ears and face
    if style != "hijab":
        ell((156, 190, 186, 240), skin)
        ell((294, 190, 324, 240), skin)
        ell((163, 203, 177, 227), shade(skin, 0.9))
        ell((303, 203, 317, 227), shade(skin, 0.9))
    ell((165, 105, 315, 295), skin)

    # hair in front of the face
    top = _arc_points(240, 152, 83, 66, 180, 360)

    def cap(hairline):
        poly(top + hairline, hair)

    if style == "short":
        cap([(321, 178), (310, 150), (270, 134), (240, 132), (205, 136), (172, 150), (159, 178)])
    elif style == "fringe":
        cap(
            [
                (321, 180),
                (312, 160),
                (292, 168),
                (276, 156),
                (258, 166),
                (240, 154),
                (222, 166),
                (204, 156),
                (188, 168),
                (168, 160),
                (159, 180),
            ]
        )
    elif style == "sidepart":
        cap([(321, 176), (314, 146), (290, 134), (258, 132), (226, 140), (196, 156), (172, 176), (160, 188)])
        d.line(_pts([(214, 96), (208, 138)]), fill=shade(hair, 1.25), width=2 * S)
    elif style == "crop":
        poly(
            _arc_points(240, 152, 78, 60, 180, 360) + [(316, 166), (300, 140), (240, 128), (180, 140), (164, 166)],
            hair,
        )
    elif style == "receding":
        poly(
            _arc_points(240, 152, 81, 64, 180, 360)
            + [
                (321, 192),
                (313, 150),
                (294, 122),
                (262, 116),
                (240, 120),
                (218, 116),
                (186, 122),
                (167, 150),
                (159, 192),
            ],
            hair,
        )
    elif style == "bald":
        highlight = Image.new("RGBA", img.size, (0, 0, 0, 0))
        ImageDraw.Draw(highlight).ellipse(_box((205, 114, 250, 134)), fill=(255, 255, 255, 40))
        img.paste(Image.alpha_composite(img.convert("RGBA"), highlight).convert("RGB"))
    elif style in ("long", "wavy"):
        cap(
            [
                (322, 200),
                (306, 152),
                (276, 134),
                (244, 126),
                (240, 132),
                (236, 126),
                (204, 134),
                (174, 152),
                (158, 200),
            ]
        )
    elif style == "bob":
        cap([(324, 190), (318, 162), (164, 162), (156, 190)])
    elif style in ("ponytail", "bun"):
        cap([(318, 172), (300, 140), (268, 126), (240, 124), (212, 126), (180, 140), (162, 172)])
    elif style == "afro":
        cap([(322, 190), (306, 150), (272, 138), (240, 136), (208, 138), (174, 150), (158, 190)])
    elif style == "curly":
        cap([(322, 200), (300, 150), (240, 136), (180, 150), (158, 200)])
        for x in range(178, 310, 26):
            ell((x - 18, 128, x + 18, 160), hair)
    elif style == "curlyshort":
        for a in range(190, 355, 16):
            x = 240 + 80 * math.cos(math.radians(a))
            y = 158 + 66 * math.sin(math.radians(a))
            ell((x - 20, y - 20, x + 20, y + 20), hair)
        cap([(318, 172), (300, 146), (240, 136), (180, 146), (162, 172)])
    elif style == "hijab":
        d.chord(_box((150, 88, 330, 250)), 180, 360, fill=hair)
        d.arc(_box((160, 98, 320, 300)), 150, 390, fill=shade(hair, 0.85), width=5 * S)

    # face details
    dark = (43, 29, 22)
    brow = hair if sum(hair) < 330 and style not in ("bald", "hijab") else shade(skin, 0.45)
    if style == "receding":
        brow = shade(hair, 0.7)
    d.line(_pts([(197, 182), (210, 176), (226, 178)]), fill=brow, width=5 * S, joint="curve")
    d.line(_pts([(254, 178), (270, 176), (283, 182)]), fill=brow, width=5 * S, joint="curve")

    bearded = spec.get("beard") or spec.get("stubble")
    if bearded:
        beard = hair if spec.get("beard") else mix(skin, hair, 0.3)
        d.chord(_box((165, 105, 315, 295)), 18, 162, fill=beard)
        poly([(166, 205), (178, 205), (190, 250), (172, 246)], beard)
        poly([(314, 205), (302, 205), (290, 250), (308, 246)], beard)

    for x in (212, 268):
        ell((x - 7, 194, x + 7, 209), dark)
        ell((x - 1, 196, x + 3, 200), (255, 255, 255))
    d.arc(_box((229, 206, 251, 234)), 30, 150, fill=shade(skin, 0.72), width=3 * S)
    mouth = mix(shade(skin, 0.55), (150, 40, 50), 0.35)
    if bearded:
        # open smile framed by a moustache
        d.chord(_box((220, 230, 260, 258)), 0, 180, fill=mix(mouth, (90, 30, 35), 0.4))
        d.chord(_box((224, 236, 256, 250)), 0, 180, fill=(250, 248, 244))
        d.rounded_rectangle(_box((216, 232, 264, 245)), radius=6 * S, fill=beard)
        d.chord(_box((220, 236, 260, 258)), 0, 180, fill=mix(mouth, (90, 30, 35), 0.4))
        d.chord(_box((226, 238, 254, 250)), 10, 170, fill=(250, 248, 244))
    else:
        d.arc(_box((214, 226, 266, 260)), 25, 155, fill=mouth, width=5 * S)

    cheeks = Image.new("RGBA", img.size, (0, 0, 0, 0))
    cd = ImageDraw.Draw(cheeks)
    if not bearded:
        cd.ellipse(_box((184, 222, 212, 240)), fill=(235, 110, 110, 45))
        cd.ellipse(_box((268, 222, 296, 240)), fill=(235, 110, 110, 45))
    img = Image.alpha_composite(img.convert("RGBA"), cheeks).convert("RGB")
    d = ImageDraw.Draw(img)

    if spec.get("glasses"):
        frame = (40, 40, 46) if sum(skin) > 330 else (201, 162, 74)
        d.ellipse(_box((193, 184, 231, 219)), outline=frame, width=4 * S)
        d.ellipse(_box((249, 184, 287, 219)), outline=frame, width=4 * S)
        d.line(_pts([(231, 198), (249, 198)]), fill=frame, width=4 * S)
        d.line(_pts([(193, 196), (170, 192)]), fill=frame, width=3 * S)
        d.line(_pts([(287, 196), (310, 192)]), fill=frame, width=3 * S)

    return img.resize((size, size), Image.LANCZOS)


def make_portraits(content: dict, only: str | None) -> None:
    out_dir = HERE / "portraits"
    out_dir.mkdir(exist_ok=True)
    for person in content["storytellers"]:
        if only and only != person["slug"]:
            continue
        img = draw_portrait(PORTRAITS[person["slug"]])
        path = HERE / person["portrait"]
        img.save(path, "JPEG", quality=84, optimize=True, progressive=True)
        print(f"portrait  {path.relative_to(HERE)}  {path.stat().st_size // 1024} KB")


# --------------------------------------------------------------------------
# speech and captions


def sentences(transcript: str) -> list[tuple[str, bool]]:
    """Return (sentence, ends_paragraph) pairs."""
    result = []
    paragraphs = [p.strip() for p in transcript.split("\n\n") if p.strip()]
    for p in paragraphs:
        parts = [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(p.split())) if s.strip()]
        for i, s in enumerate(parts):
            result.append((s, i == len(parts) - 1))
    return result


def vtt_time(t: float) -> str:
    ms = int(round(t * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def balanced_split(text: str, parts: int, limit: int | None = None) -> list[str]:
    """Split text at word boundaries into roughly equal parts, preferring
    to break after punctuation and avoiding parts longer than `limit`."""
    words = text.split()
    if parts <= 1 or len(words) < 2:
        return [text]
    # character offset at the end of each word
    ends, pos = [], 0
    for w in words:
        pos += len(w) + (1 if pos else 0)
        ends.append(pos)
    total = ends[-1]
    cuts, last = [], 0
    for k in range(1, parts):
        ideal = total * k / parts
        best, best_score = None, None
        for i in range(last, len(words) - (parts - k)):
            score = abs(ends[i] - ideal)
            if words[i][-1] in ",;:":
                score -= 8
            if limit:
                begin = ends[last - 1] + 1 if last else 0
                score += 50 * max(0, ends[i] - begin - limit)
                if k == parts - 1:
                    score += 50 * max(0, total - ends[i] - 1 - limit)
            if best_score is None or score < best_score:
                best, best_score = i, score
        cuts.append(best + 1)
        last = best + 1
    bounds = [0] + cuts + [len(words)]
    return [" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:], strict=True)]


def split_cue(text: str) -> list[str]:
    """Split a sentence into cues of at most two caption lines."""
    n = math.ceil(len(text) / CUE_MAX)
    while True:
        parts = balanced_split(text, n)
        if all(len(line) <= CUE_LINE for p in parts for line in cue_lines(p)) or n >= len(text.split()):
            return parts
        n += 1


def cue_lines(text: str) -> list[str]:
    """Lay out one cue on one or two balanced lines."""
    return balanced_split(text, 1 if len(text) <= CUE_LINE else 2, CUE_LINE)


def synthesise(story: dict, voice: str, work: Path) -> tuple[Path, list[tuple[float, float, str]]]:
    """Speak the transcript sentence by sentence; return the WAV and caption cues."""
    frames, params, cues = [], None, []
    t = 0.0

    def silence(seconds: float):
        nonlocal t
        n = int(round(seconds * params.framerate))
        frames.append(b"\x00" * n * params.sampwidth * params.nchannels)
        t += n / params.framerate

    parts = sentences(story["transcript"])
    for i, (text, para_end) in enumerate(parts):
        wav = work / f"s{i:02d}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(SPEED_WPM), "-w", str(wav), text], check=True)
        duration = probe_duration(wav)
        with wave.open(str(wav)) as w:
            if params is None:
                params = w.getparams()
                silence(LEAD_IN)
            data = w.readframes(w.getnframes())
        start = t
        frames.append(data)
        t += len(data) / (params.sampwidth * params.nchannels) / params.framerate
        # ffprobe and the frame count should agree; trust ffprobe for the cue
        end = start + duration
        chunks = split_cue(text)
        total = sum(len(c) for c in chunks)
        cursor = start
        for c in chunks:
            span = duration * len(c) / total
            cues.append((cursor, cursor + span, c))
            cursor += span
        if i < len(parts) - 1:
            silence(PARAGRAPH_GAP if para_end else SENTENCE_GAP)
        else:
            silence(TAIL)
        assert abs(end - t) < 1.0
    out = work / "speech.wav"
    with wave.open(str(out), "wb") as w:
        w.setparams(params)
        for f in frames:
            w.writeframes(f)
    return out, cues


def write_vtt(path: Path, story: dict, cues) -> None:
    lines = [
        "WEBVTT",
        "",
        f"NOTE Captions for \u201c{story['title']}\u201d, timed to the synthesised speech.",
        "",
    ]
    for n, (start, end, text) in enumerate(cues, 1):
        lines.append(str(n))
        lines.append(f"{vtt_time(start)} --> {vtt_time(end)}")
        lines.extend(cue_lines(text))
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------
# video frames


def circle_portrait(path: Path, diameter: int, ring) -> Image.Image:
    img = Image.open(path).convert("RGB").resize((diameter, diameter), Image.LANCZOS)
    mask = Image.new("L", (diameter * 4, diameter * 4), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, diameter * 4 - 1, diameter * 4 - 1), fill=255)
    mask = mask.resize((diameter, diameter), Image.LANCZOS)
    out = Image.new("RGBA", (diameter + 12, diameter + 12), (0, 0, 0, 0))
    ring_mask = Image.new("L", ((diameter + 12) * 4,) * 2, 0)
    ImageDraw.Draw(ring_mask).ellipse((0, 0, (diameter + 12) * 4 - 1, (diameter + 12) * 4 - 1), fill=255)
    out.paste(ring + (255,), (0, 0), ring_mask.resize((diameter + 12,) * 2, Image.LANCZOS))
    out.paste(img, (6, 6), mask)
    return out


def wrap_to_width(draw, text, fnt, width):
    words, lines, current = text.split(), [], ""
    for w in words:
        trial = f"{current} {w}".strip()
        if draw.textlength(trial, font=fnt) <= width:
            current = trial
        else:
            lines.append(current)
            current = w
    lines.append(current)
    return lines


def draw_frame(story: dict, person: dict, function_name: str, levels: list[float]):
    """A 640x360 title card: portrait, title, storyteller and audiogram.

    Returns two versions: bars dimmed (the poster) and bars lit (played).
    """
    base = hex_rgb(FUNCTION_COLOURS.get(person["function"], "#20304f"))
    w, h = 640, 360
    img = Image.new("RGB", (w, h), base)
    d = ImageDraw.Draw(img)
    # gentle diagonal gradient
    for y in range(h):
        d.line([(0, y), (w, y)], fill=mix(shade(base, 1.12), shade(base, 0.78), y / h))
    deco = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    dd = ImageDraw.Draw(deco)
    dd.ellipse((-120, 150, 260, 530), fill=(255, 255, 255, 14))
    dd.ellipse((470, -140, 760, 150), fill=(255, 255, 255, 10))
    img = Image.alpha_composite(img.convert("RGBA"), deco.filter(ImageFilter.GaussianBlur(2)))
    d = ImageDraw.Draw(img)

    accent = shade(base, 1.6)
    portrait = circle_portrait(HERE / person["portrait"], 176, accent)
    img.alpha_composite(portrait, (34, 58))

    x0, maxw = 248, 360
    title_font = font(True, 30)
    lines = wrap_to_width(d, story["title"], title_font, maxw)
    if len(lines) > 3:
        title_font = font(True, 25)
        lines = wrap_to_width(d, story["title"], title_font, maxw)
    role_lines = wrap_to_width(d, person["role_title"], font(False, 15), maxw)
    # centre the text block on the portrait (whose centre is at y=146)
    block = 26 + len(lines) * (title_font.size + 8) + 12 + 14 + 27 + len(role_lines) * 21 + 18
    top = max(30, int(146 - block / 2))
    d.text((x0, top), "CAREER STORIES \u00b7 VIDEO", font=font(True, 13), fill=accent)
    y = top + 26
    for line in lines:
        d.text((x0, y), line, font=title_font, fill=(255, 255, 255))
        y += title_font.size + 8
    y += 12
    d.line([(x0, y), (x0 + 48, y)], fill=accent, width=3)
    y += 14
    d.text((x0, y), person["name"], font=font(True, 19), fill=(255, 255, 255))
    y += 27
    for line in role_lines:
        d.text((x0, y), line, font=font(False, 15), fill=shade(base, 1.75))
        y += 21
    d.text((x0, y + 2), function_name, font=font(False, 13), fill=accent)
    # band holding the "audiogram": one bar per slice of the speech
    band = shade(base, 0.7)
    d.rounded_rectangle((34, 292, 606, 338), radius=10, fill=band)
    dim = img.convert("RGB")
    bright = dim.copy()
    pitch = (BARS_X1 - BARS_X0) / len(levels)
    for image, colour in ((dim, mix(band, (255, 255, 255), 0.32)), (bright, (255, 255, 255))):
        dd = ImageDraw.Draw(image)
        for i, level in enumerate(levels):
            x = BARS_X0 + i * pitch + pitch * 0.2
            half = max(1.0, level * 15)
            dd.rounded_rectangle((x, 315 - half, x + pitch * 0.6, 315 + half), radius=1.5, fill=colour)
    return dim, bright


def envelope(wav: Path, bars: int) -> list[float]:
    """Loudness of the speech in `bars` equal slices, scaled to 0..1."""
    with wave.open(str(wav)) as w:
        raw = w.readframes(w.getnframes())
    samples = array("h", raw)
    step = max(1, len(samples) // bars)
    levels = []
    for i in range(bars):
        chunk = samples[i * step : (i + 1) * step] or array("h", [0])
        levels.append(math.sqrt(sum(v * v for v in chunk[::4]) / len(chunk[::4])))
    peak = max(levels) or 1
    return [(v / peak) ** 1.2 for v in levels]


# --------------------------------------------------------------------------
# encoding


def encode_podcast(wav: Path, out: Path) -> None:
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(wav),
            "-ac",
            "1",
            "-ar",
            "22050",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "24k",
            "-map_metadata",
            "-1",
            str(out),
        ],
        check=True,
    )


def encode_video(wav: Path, dim: Path, bright: Path, out: Path, duration: float) -> None:
    """480x270 H.264/AAC at 10 fps. The lit audiogram is revealed from left to
    right as the speech plays: a strip of the dimmed frame slides off to the
    right, and the static right-hand margin is pasted back on top."""
    k = 480 / 640
    bx, bw = int(BARS_X0 * k), int(round((BARS_X1 - BARS_X0) * k))  # 36, 408
    by, bh = 222, 28
    graph = (
        f"[0:v]scale=480:270:flags=lanczos,crop={bw}:{bh}:{bx}:{by}[dimstrip];"
        f"[1:v]scale=480:270:flags=lanczos,split=2[lit][lit2];"
        f"[lit2]crop={480 - bx - bw}:{bh}:{bx + bw}:{by}[margin];"
        f"[lit][dimstrip]overlay=x='{bx}+{bw}*t/{duration:.3f}':y={by}:eval=frame[moving];"
        f"[moving][margin]overlay=x={bx + bw}:y={by},format=yuv420p[v]"
    )
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-loop",
            "1",
            "-framerate",
            "10",
            "-i",
            str(dim),
            "-loop",
            "1",
            "-framerate",
            "10",
            "-i",
            str(bright),
            "-i",
            str(wav),
            "-filter_complex",
            graph,
            "-map",
            "[v]",
            "-map",
            "2:a",
            "-c:v",
            "libx264",
            "-profile:v",
            "main",
            "-preset",
            "veryslow",
            "-crf",
            "28",
            "-tune",
            "stillimage",
            "-g",
            "100",
            "-r",
            "10",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "16k",
            "-ac",
            "1",
            "-ar",
            "22050",
            "-t",
            f"{duration:.3f}",
            "-movflags",
            "+faststart",
            "-map_metadata",
            "-1",
            str(out),
        ],
        check=True,
    )


def make_story_media(content: dict, only: str | None) -> None:
    people = {p["slug"]: p for p in content["storytellers"]}
    functions = {f["slug"]: f["name"] for f in content["functions"]}
    (HERE / "media").mkdir(exist_ok=True)
    (HERE / "posters").mkdir(exist_ok=True)
    for story in content["stories"]:
        if story["format"] not in ("video", "podcast"):
            continue
        if only and only not in (story["slug"], story["storyteller"]):
            continue
        person = people[story["storyteller"]]
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            wav, cues = synthesise(story, VOICES[person["slug"]], work)
            write_vtt(HERE / story["captions"], story, cues)
            media = HERE / story["media"]
            if story["format"] == "podcast":
                encode_podcast(wav, media)
            else:
                dim, bright = draw_frame(story, person, functions[person["function"]], envelope(wav, BARS))
                dim.save(work / "dim.png")
                bright.save(work / "bright.png")
                encode_video(wav, work / "dim.png", work / "bright.png", media, probe_duration(wav))
                dim.save(HERE / story["poster"], "JPEG", quality=82, optimize=True, progressive=True)
            story["duration_seconds"] = int(round(probe_duration(media)))
        print(
            f"{story['format']:8s}  {story['slug']}  {story['duration_seconds']} s  {media.stat().st_size // 1024} KB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="slug of one story or storyteller")
    parser.add_argument("--skip-portraits", action="store_true")
    args = parser.parse_args()
    content = json.loads(CONTENT.read_text(encoding="utf-8"))
    if not args.skip_portraits:
        make_portraits(content, args.only)
    make_story_media(content, args.only)
    CONTENT.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
