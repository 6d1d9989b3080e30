import errno
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models import ImageField
from django.db.models.fields.files import ImageFieldFile
from PIL import Image

from stories import images, services
from stories.images import RENDITION_WIDTHS, build_renditions, pick_rendition, srcset_widths
from tests.factories import StoryFactory


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=tmp_path)


def _stored_image(storage, *, size, format="JPEG", mode="RGB", exif=None, name="portraits/amara.jpg"):
    buffer = BytesIO()
    colour = (200, 40, 40, 0) if mode == "RGBA" else "crimson"
    Image.new(mode, size, colour).save(buffer, format, **({"exif": exif} if exif else {}))
    saved = storage.save(name, ContentFile(buffer.getvalue()))
    return ImageFieldFile(instance=None, field=ImageField(storage=storage), name=saved)


def _open(storage, rendition):
    with storage.open(rendition["name"]) as file, Image.open(file) as image:
        image.load()
        return image


def test_renditions_are_webp_at_each_width_the_original_can_fill(storage):
    original = _stored_image(storage, size=(1200, 675))

    renditions = build_renditions(original, prefix="portrait-amara-okafor")

    assert sorted(renditions, key=int) == ["160", "320", "640", "960"]
    for key, rendition in renditions.items():
        image = _open(storage, rendition)
        assert image.format == "WEBP"
        assert image.size == (rendition["width"], rendition["height"]) == (int(key), round(int(key) * 675 / 1200))
        assert rendition["name"].startswith("renditions/portrait-amara-okafor-")
        assert rendition["name"].endswith(f"-{key}.webp")
    assert renditions["320"]["height"] == 180


def test_widths_larger_than_the_original_are_skipped(storage):
    renditions = build_renditions(_stored_image(storage, size=(700, 700)), prefix="poster-x")

    assert srcset_widths(renditions) == [160, 320, 640]


def test_narrow_original_gives_one_rendition_at_its_own_width(storage):
    renditions = build_renditions(_stored_image(storage, size=(100, 50)), prefix="portrait-small")

    assert list(renditions) == ["100"]
    assert _open(storage, renditions["100"]).size == (100, 50)


def test_rebuilding_the_same_image_keeps_the_same_names(storage):
    original = _stored_image(storage, size=(400, 300))

    first = build_renditions(original, prefix="portrait-amara")
    second = build_renditions(original, prefix="portrait-amara", old=first)

    assert second == first
    assert all(storage.exists(rendition["name"]) for rendition in second.values())


def test_old_renditions_not_reused_are_deleted(storage):
    old = build_renditions(_stored_image(storage, size=(800, 600), name="portraits/old.jpg"), prefix="portrait-amara")
    replacement = _stored_image(storage, size=(400, 300), mode="RGB", format="PNG", name="portraits/new.png")

    new = build_renditions(replacement, prefix="portrait-amara", old=old)

    assert not any(storage.exists(rendition["name"]) for rendition in old.values())
    assert all(storage.exists(rendition["name"]) for rendition in new.values())


def test_exif_rotated_jpeg_comes_out_upright(storage):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    original = _stored_image(storage, size=(400, 200), exif=exif)

    renditions = build_renditions(original, prefix="portrait-rotated")

    assert list(renditions) == ["160"]
    assert _open(storage, renditions["160"]).size == (160, 320)


def test_transparency_is_flattened_onto_white(storage):
    original = _stored_image(storage, size=(200, 200), mode="RGBA", format="PNG", name="portraits/clear.png")

    image = _open(storage, build_renditions(original, prefix="portrait-clear")["160"])

    assert image.mode == "RGB"
    red, green, blue = image.getpixel((80, 80))
    assert min(red, green, blue) > 240


def test_pick_rendition_matches_exact_widths_only(storage):
    renditions = build_renditions(_stored_image(storage, size=(400, 300)), prefix="portrait-pick")

    assert pick_rendition(renditions, 320)["width"] == 320
    assert pick_rendition(renditions, 300) is None
    assert pick_rendition({}, RENDITION_WIDTHS[0]) is None


class FillsUpAtTheSecondRendition(FileSystemStorage):
    """A disk that fills up part-way through writing the second rendition."""

    renditions_saved = 0

    def _save(self, name, content):
        if name.startswith("renditions/"):
            if self.renditions_saved:
                Path(self.path(name)).write_bytes(b"RIFF")  # what a full disk leaves of a file
                raise OSError(errno.ENOSPC, "No space left on device")
            self.renditions_saved += 1
        return super()._save(name, content)


def test_a_full_disk_part_way_leaves_no_new_rendition_and_keeps_the_old_ones(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    old = build_renditions(_stored_image(storage, size=(200, 100), name="portraits/old.jpg"), prefix="portrait-a")
    (old_name,) = [rendition["name"] for rendition in old.values()]
    full = FillsUpAtTheSecondRendition(location=tmp_path)
    replacement = _stored_image(full, size=(800, 600), format="PNG", name="portraits/new.png")

    with pytest.raises(OSError, match="No space left"):
        build_renditions(replacement, prefix="portrait-a", old=old)

    assert full.listdir("renditions")[1] == [old_name.removeprefix("renditions/")]


@pytest.mark.django_db
def test_a_story_card_is_drawn_once_and_again_only_when_what_it_shows_changes(monkeypatch):
    story = StoryFactory(title="Into finance")
    drawn = []
    draw = images._draw_card
    monkeypatch.setattr(images, "_draw_card", lambda *args: drawn.append(args) or draw(*args))

    first = images.story_card(story)
    assert images.story_card(story) == first and len(drawn) == 1  # kept on disk: not drawn again
    with story.poster.storage.open(first) as file, Image.open(file) as card:
        assert (card.format, card.size) == ("WEBP", images.CARD_SIZE)

    story.title = "Into finance, and back"
    assert images.story_card(story) != first and len(drawn) == 2


@pytest.mark.django_db
def test_a_story_card_shows_the_storytellers_portrait(monkeypatch):
    story = StoryFactory()
    story.storyteller.portrait.save("amara.jpg", ContentFile(_jpeg((400, 400))), save=True)
    services.storyteller_update_portrait(storyteller=story.storyteller)
    portraits = []
    monkeypatch.setattr(images, "_draw_card", lambda title, teller, portrait: portraits.append(portrait) or b"")
    images.story_card(story)
    assert portraits[0] is not None and portraits[0].getpixel((200, 200)) == pytest.approx((220, 20, 60), abs=12)


def _jpeg(size) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, "crimson").save(buffer, "JPEG")
    return buffer.getvalue()
