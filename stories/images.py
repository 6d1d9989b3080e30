"""Resized WebP renditions of portraits and posters, for srcset."""

import hashlib
from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

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


def _flat_rgb(image: Image.Image) -> Image.Image:
    """The image in RGB, with any transparency flattened onto white."""
    if not image.has_transparency_data:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat
