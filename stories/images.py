"""Resized WebP renditions of portraits and posters, for srcset; and the link-preview card of a story without a
poster."""

import hashlib
import textwrap
from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont, ImageOps

RENDITION_WIDTHS = (160, 320, 640, 960)
WEBP_QUALITY = 80


def build_renditions(field_file, *, prefix: str, old: dict | None = None) -> dict:
    """Save WebP copies of the image at each width it can fill; delete the old ones not reused.

    If saving fails part-way (a full disk), the copies saved so far are deleted again, the old ones kept.
    Returns {"320": {"name": ..., "width": 320, "height": 180}, ...}, keyed by width as a string.
    """
    storage = field_file.storage
    with storage.open(field_file.name, "rb") as source:
        data = source.read()  # uploads are capped at PORTAL_MAX_IMAGE_BYTES
    digest = hashlib.sha256(data).hexdigest()[:8]
    with Image.open(BytesIO(data)) as original:
        image = _flat_rgb(ImageOps.exif_transpose(original))

    widths = [width for width in RENDITION_WIDTHS if width <= image.width] or [image.width]
    renditions, written = {}, []
    try:
        for width in widths:
            height = max(1, round(image.height * width / image.width))
            buffer = BytesIO()
            image.resize((width, height), Image.Resampling.LANCZOS).save(buffer, "WEBP", quality=WEBP_QUALITY)
            name = f"renditions/{prefix}-{digest}-{width}.webp"
            if storage.exists(name):
                storage.delete(name)
            written.append(name)  # listed before saving: a save that fails (a full disk) may leave part of it
            name = written[-1] = storage.save(name, ContentFile(buffer.getvalue()))
            renditions[str(width)] = {"name": name, "width": width, "height": height}
    except Exception:
        for name in written:
            storage.delete(name)
        raise

    kept = {rendition["name"] for rendition in renditions.values()}
    for rendition in (old or {}).values():
        if rendition.get("name") and rendition["name"] not in kept:
            storage.delete(rendition["name"])
    return renditions


def srcset_widths(renditions: dict) -> list[int]:
    return sorted(rendition["width"] for rendition in renditions.values())


def pick_rendition(renditions: dict, width: int) -> dict | None:
    """The rendition exactly `width` pixels wide, or None."""
    return renditions.get(str(width))


CARD_SIZE = (1200, 630)  # what chat tools show best in a link preview
CARD_DESIGN = "1"  # bump when the card's look changes, so every card is drawn again


def story_card(story) -> str:
    """The name in storage of the story's link-preview card: its storyteller's portrait beside its title.

    Drawn once, on first use, and kept under a name made of what it shows: an edited title or a new portrait gets a
    new card, and nothing needs invalidating.
    """
    teller = story.storyteller
    portrait = max(teller.portrait_renditions.values(), key=lambda rendition: rendition["width"], default=None)
    shown = [CARD_DESIGN, story.title, teller.name, teller.role_title, portrait["name"] if portrait else ""]
    digest = hashlib.sha256("\0".join(shown).encode()).hexdigest()[:12]
    name = f"renditions/card-{story.slug}-{digest}.webp"
    storage = story.poster.storage
    if storage.exists(name):
        return name
    portrait_image = None
    if portrait:
        with storage.open(portrait["name"], "rb") as source, Image.open(source) as image:
            portrait_image = _flat_rgb(image)
    return storage.save(name, ContentFile(_draw_card(story.title, teller, portrait_image)))


def _draw_card(title: str, teller, portrait: Image.Image | None) -> bytes:
    width, height = CARD_SIZE
    card = Image.new("RGB", CARD_SIZE, "#1f5f8b")
    draw = ImageDraw.Draw(card)
    side, left = 360, 80
    top = (height - side) // 2
    mask = Image.new("L", (side, side))
    ImageDraw.Draw(mask).ellipse((0, 0, side - 1, side - 1), fill=255)
    draw.ellipse((left - 8, top - 8, left + side + 8, top + side + 8), fill="#e3eef6")
    if portrait is not None:
        card.paste(ImageOps.fit(portrait, (side, side), centering=(0.5, 0.3)), (left, top), mask)
    else:
        initials = "".join(word[0] for word in teller.name.split()[:2]).upper()
        draw.text((left + side / 2, top + side / 2), initials, font=_font(140), fill="#1f5f8b", anchor="mm")

    x = left + side + 70
    draw.text((x, 90), "CAREER STORIES", font=_font(30), fill="#e3eef6")
    lines = textwrap.wrap(title, width=22, max_lines=4, placeholder=" …")
    title_font = _font(64 if len(lines) <= 2 else 52)
    y = 150
    for line in lines:
        draw.text((x, y), line, font=title_font, fill="#ffffff")
        y += title_font.size + 14
    y += 26
    for text, size in ((teller.name, 36), (teller.role_title, 30)):
        for line in textwrap.wrap(text, width=34, max_lines=1, placeholder=" …"):
            draw.text((x, y), line, font=_font(size), fill="#e3eef6")
            y += size + 12
    buffer = BytesIO()
    card.save(buffer, "WEBP", quality=WEBP_QUALITY)
    return buffer.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)  # Pillow's own font: the same card on every machine


def _flat_rgb(image: Image.Image) -> Image.Image:
    """The image in RGB, with any transparency flattened onto white."""
    if not image.has_transparency_data:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat
