import errno
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from careerportal.roles import CURATORS_GROUP, curator_set
from skills.models import Skill
from stories import services
from stories.models import Collection, CollectionItem, Story, StoryEvent, Storyteller
from tests.conftest import image_bytes
from tests.factories import (
    VTT,
    FunctionFactory,
    LevelFactory,
    SkillFactory,
    StoryFactory,
    StorytellerFactory,
    UserFactory,
)
from tests.stories.test_validators import MP3, OGG, WEBM

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def story_form(storyteller, **overrides) -> dict:
    data = {
        "title": "From sales to finance",
        "slug": "from-sales-to-finance",
        "storyteller": storyteller.pk,
        "format": "text",
        "summary": "How I moved.",
        "body": "I moved.",
        "transcript": "",
        "duration_seconds": "",
        "moves-TOTAL_FORMS": "1",
        "moves-INITIAL_FORMS": "0",
        "moves-MIN_NUM_FORMS": "0",
        "moves-MAX_NUM_FORMS": "1000",
        "moves-0-position": "0",
        "moves-0-kind": "lateral",
        "moves-0-from_role": "Account Manager",
        "moves-0-to_role": "Financial Analyst",
        "moves-0-year": "2024",
    }
    data.update(overrides)
    return data


def storyteller_form(**overrides) -> dict:
    data = {
        "name": "Amara Okafor",
        "slug": "amara-okafor",
        "role_title": "Analyst",
        "function": FunctionFactory().pk,
        "level": LevelFactory().pk,
        "bio": "",
        "consent_given_on": "2026-01-10",
        "consent_withdrawn_on": "",
    }
    data.update(overrides)
    return data


def bomb_png() -> bytes:
    """A small file that claims a huge image: 20,000 × 20,000 pixels of one colour."""
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_curator_adds_a_story_with_skills_from_the_framework(curator_client):
    skill = SkillFactory(name="Negotiation")
    storyteller = StorytellerFactory()
    response = curator_client.post(reverse("admin:stories_story_add"), story_form(storyteller, skills=[str(skill.pk)]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    story = Story.objects.get(slug="from-sales-to-finance")
    assert list(story.skills.all()) == [skill]
    assert story.status == Story.Status.DRAFT
    assert story.moves.get().to_role == "Financial Analyst"


def test_typing_an_unknown_skill_name_creates_no_skill(curator_client):
    SkillFactory(name="Negotiation")
    response = curator_client.post(
        reverse("admin:stories_story_add"),
        story_form(StorytellerFactory(), skills=["Underwater basket weaving"]),
    )
    assert response.status_code == 200
    assert "skills" in response.context["adminform"].form.errors
    assert not Skill.objects.filter(name="Underwater basket weaving").exists()
    assert not Story.objects.exists()


def test_a_category_cannot_tag_a_story(curator_client):
    category = SkillFactory(kind=Skill.Kind.CATEGORY)
    response = curator_client.post(
        reverse("admin:stories_story_add"), story_form(StorytellerFactory(), skills=[str(category.pk)])
    )
    assert "skills" in response.context["adminform"].form.errors


def test_skill_autocomplete_finds_alternative_labels_and_skips_categories(curator_client):
    SkillFactory(name="Storytelling", alternative_labels="Narrative\nPitching")
    SkillFactory(name="Pitching practice", kind=Skill.Kind.CATEGORY)
    SkillFactory(name="Pitch decks", is_retired=True)
    response = curator_client.get(
        reverse("admin:autocomplete"),
        {"term": "pitch", "app_label": "stories", "model_name": "story", "field_name": "skills"},
    )
    assert [result["text"] for result in response.json()["results"]] == ["Storytelling"]


def test_renamed_text_file_is_refused_as_portrait(curator_client):
    portrait = SimpleUploadedFile("amara.jpg", b"just some notes, not a picture", content_type="image/jpeg")
    response = curator_client.post(reverse("admin:stories_storyteller_add"), storyteller_form(portrait=portrait))
    assert response.status_code == 200
    assert "portrait" in response.context["adminform"].form.errors
    assert not Storyteller.objects.exists()


def test_oversized_image_is_refused_with_the_limit(curator_client, settings):
    settings.PORTAL_MAX_IMAGE_BYTES = 1000
    portrait = SimpleUploadedFile("big.png", image_bytes((400, 400), "BMP"), content_type="image/png")
    response = curator_client.post(reverse("admin:stories_storyteller_add"), storyteller_form(portrait=portrait))
    errors = response.context["adminform"].form.errors["portrait"]
    assert "limit" in errors[0]
    assert not Storyteller.objects.exists()


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_decompression_bomb_is_refused_in_the_portals_words(curator_client, settings):
    portrait = SimpleUploadedFile("bomb.png", bomb_png(), content_type="image/png")
    response = curator_client.post(reverse("admin:stories_storyteller_add"), storyteller_form(portrait=portrait))
    assert response.context["adminform"].form.errors["portrait"] == [
        "This image has far more pixels than the limit of 40 million. Please upload a smaller image."
    ]
    assert not Storyteller.objects.exists()
    assert stored_files(settings) == []


def test_image_over_the_portals_pixel_limit_is_refused_with_its_size(curator_client, settings):
    settings.PORTAL_MAX_IMAGE_PIXELS = 100_000
    poster = SimpleUploadedFile("poster.png", image_bytes((500, 400)), content_type="image/png")
    response = curator_client.post(reverse("admin:stories_story_add"), story_form(StorytellerFactory(), poster=poster))
    assert response.context["adminform"].form.errors["poster"] == [
        "This image is 500 × 400 pixels; the limit is 100,000 pixels. Please upload a smaller image."
    ]


def test_svg_portrait_is_refused_in_the_portals_words(curator_client, settings):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    portrait = SimpleUploadedFile("amara.svg", svg, content_type="image/svg+xml")
    response = curator_client.post(reverse("admin:stories_storyteller_add"), storyteller_form(portrait=portrait))
    assert response.context["adminform"].form.errors["portrait"] == [
        "SVG images are not accepted because they can carry scripts. Please upload a JPEG, PNG, WebP or GIF image."
    ]
    assert stored_files(settings) == []


def test_truncated_poster_is_refused_and_nothing_is_stored(curator_client, settings):
    whole = image_bytes((800, 450), "JPEG")
    poster = SimpleUploadedFile("poster.jpg", whole[: len(whole) // 2], content_type="image/jpeg")
    response = curator_client.post(reverse("admin:stories_story_add"), story_form(StorytellerFactory(), poster=poster))
    assert response.status_code == 200
    assert "damaged or incomplete" in response.context["adminform"].form.errors["poster"][0]
    assert not Story.objects.exists()
    assert stored_files(settings) == []


def fill_the_disk_at_the_second_rendition(monkeypatch) -> None:
    """From now on, the disk fills up part-way through writing the second rendition of an image."""
    save = FileSystemStorage._save
    renditions_written = []

    def _save(storage, name, content):
        if name.startswith("renditions/"):
            if renditions_written:
                Path(storage.path(name)).write_bytes(b"RIFF")  # what a full disk leaves of a file
                raise OSError(errno.ENOSPC, "No space left on device")
            renditions_written.append(name)
        return save(storage, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", _save)


def test_full_disk_while_writing_renditions_is_a_message_and_leaves_no_file(curator_client, settings, monkeypatch):
    fill_the_disk_at_the_second_rendition(monkeypatch)
    portrait = SimpleUploadedFile("amara.jpg", image_bytes((800, 800), "JPEG"), content_type="image/jpeg")
    url = reverse("admin:stories_storyteller_add")

    response = curator_client.post(url, storyteller_form(portrait=portrait), follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "The upload could not be stored (No space left on device), so nothing was saved. "
        "Please try again later, and tell IT if it happens again."
    ]
    assert not Storyteller.objects.exists()
    assert stored_files(settings) == []


def test_full_disk_while_replacing_a_poster_keeps_the_old_one(curator_client, settings, monkeypatch):
    story = StoryFactory(poster=SimpleUploadedFile("old.png", image_bytes((800, 450))))
    services.story_update_poster(story=story)
    before = stored_files(settings)
    form = story_form(story.storyteller, title=story.title, slug=story.slug)
    fill_the_disk_at_the_second_rendition(monkeypatch)

    response = curator_client.post(
        reverse("admin:stories_story_change", args=[story.pk]),
        {**form, "poster": SimpleUploadedFile("new.png", image_bytes((640, 360), color=(0, 0, 0)))},
        follow=True,
    )

    assert "No space left on device" in str(list(response.context["messages"])[0])
    story.refresh_from_db()
    assert story.poster.name.startswith("stories/posters/old")
    assert stored_files(settings) == before


def test_valid_portrait_is_resized_into_webp_renditions(curator_client):
    portrait = SimpleUploadedFile("amara.jpg", image_bytes((800, 800), "JPEG"), content_type="image/jpeg")
    response = curator_client.post(reverse("admin:stories_storyteller_add"), storyteller_form(portrait=portrait))
    assert response.status_code == 302
    renditions = Storyteller.objects.get().portrait_renditions
    assert sorted(int(width) for width in renditions) == [160, 320, 640]
    assert all(r["name"].endswith(".webp") for r in renditions.values())


def test_invalid_caption_file_is_refused(curator_client):
    data = story_form(
        StorytellerFactory(),
        format="video",
        skills=[str(SkillFactory().pk)],
        media=SimpleUploadedFile("story.mp4", MP4, content_type="video/mp4"),
        captions=SimpleUploadedFile("story.vtt", b"1\n00:00:01,000 --> 00:00:02,000\nSRT, not VTT\n"),
        transcript="Hello.",
    )
    response = curator_client.post(reverse("admin:stories_story_add"), data)
    assert "captions" in response.context["adminform"].form.errors
    assert not Story.objects.exists()


def test_text_file_renamed_mp4_is_refused_as_media(curator_client):
    data = story_form(
        StorytellerFactory(),
        format="video",
        media=SimpleUploadedFile("story.mp4", b"this is not a video", content_type="video/mp4"),
        captions=SimpleUploadedFile("story.vtt", VTT),
    )
    response = curator_client.post(reverse("admin:stories_story_add"), data)
    assert "media" in response.context["adminform"].form.errors
    assert not Story.objects.exists()


def test_html_page_behind_an_mp4_box_is_refused_as_media(curator_client, settings):
    page = b'<html><meta http-equiv="refresh" content="0; url=https://attacker.example/"></html>'
    data = story_form(
        StorytellerFactory(),
        format="video",
        media=SimpleUploadedFile("welcome.html", MP4 + page, content_type="text/html"),
        captions=SimpleUploadedFile("story.vtt", VTT),
    )
    response = curator_client.post(reverse("admin:stories_story_add"), data)
    assert response.context["adminform"].form.errors["media"] == [
        "This file is MP4 video, but its name ends in “.html”. Rename it to end in “.mp4” and upload it again."
    ]
    assert not Story.objects.exists()
    assert stored_files(settings) == []


def test_mp4_named_mp3_is_refused_as_a_podcasts_media(curator_client):
    data = story_form(
        StorytellerFactory(), format="podcast", media=SimpleUploadedFile("story.mp3", MP4, content_type="audio/mpeg")
    )
    response = curator_client.post(reverse("admin:stories_story_add"), data)
    assert (
        "This file is MP4 video, but its name ends in “.mp3”." in response.context["adminform"].form.errors["media"][0]
    )
    assert not Story.objects.exists()


@pytest.mark.parametrize(
    ("story_format", "name", "data", "media_type"),
    [
        ("video", "story.mp4", MP4, "video/mp4"),
        ("video", "story.webm", WEBM, "video/webm"),
        ("podcast", "story.mp3", MP3, "audio/mpeg"),
        ("podcast", "story.ogg", OGG, "audio/ogg"),
    ],
)
def test_media_are_stored_and_served_as_the_type_their_content_shows(
    curator_client, story_format, name, data, media_type
):
    form = story_form(
        StorytellerFactory(),
        format=story_format,
        media=SimpleUploadedFile(name, data, content_type="text/html"),  # what the browser claims is ignored
        captions=SimpleUploadedFile("story.vtt", VTT),
        transcript="Hello.",
    )
    response = curator_client.post(reverse("admin:stories_story_add"), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    story = Story.objects.get()
    assert story.media_type == media_type

    served = curator_client.get(reverse("stories:media", args=[story.slug]))

    assert served["Content-Type"] == media_type
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == data


def test_clearing_a_storys_media_clears_its_type(curator_client):
    story = StoryFactory(video=True)
    form = story_form(story.storyteller, title=story.title, slug=story.slug, format="text", **{"media-clear": "on"})

    response = curator_client.post(reverse("admin:stories_story_change", args=[story.pk]), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    story.refresh_from_db()
    assert (story.media.name, story.media_type) == ("", "")


def test_video_story_with_real_media_and_captions_is_saved(curator_client):
    data = story_form(
        StorytellerFactory(),
        format="video",
        media=SimpleUploadedFile("story.mp4", MP4, content_type="video/mp4"),
        captions=SimpleUploadedFile("story.vtt", VTT),
        transcript="Hello.",
    )
    response = curator_client.post(reverse("admin:stories_story_add"), data)
    assert response.status_code == 302
    assert Story.objects.get().media.name.endswith(".mp4")


def test_publish_action_publishes_what_it_can_and_explains_the_rest(curator_client):
    ready = StoryFactory(status=Story.Status.IN_REVIEW, published_at=None, skills=[SkillFactory()])
    untagged = StoryFactory(status=Story.Status.IN_REVIEW, published_at=None)
    response = curator_client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "publish", "_selected_action": [ready.pk, untagged.pk]},
        follow=True,
    )
    ready.refresh_from_db()
    untagged.refresh_from_db()
    assert (ready.status, untagged.status) == (Story.Status.PUBLISHED, Story.Status.IN_REVIEW)
    messages = [str(message) for message in response.context["messages"]]
    assert any("Tag the story with at least one skill" in message for message in messages)


def withdraw_consent_in_the_admin(curator_client, storyteller, **kwargs):
    """Posts the storyteller's change form as it is, with consent withdrawn."""
    data = storyteller_form(
        name=storyteller.name,
        slug=storyteller.slug,
        function=storyteller.function_id,
        level=storyteller.level_id,
        consent_withdrawn_on="2026-11-20",
    )
    return curator_client.post(reverse("admin:stories_storyteller_change", args=[storyteller.pk]), data, **kwargs)


def test_withdrawing_consent_in_the_admin_unpublishes_stories(curator_client):
    story = StoryFactory()
    response = withdraw_consent_in_the_admin(curator_client, story.storyteller)
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT


def test_view_on_site_previews_a_draft_for_curators_only(curator_client, employee):
    draft = StoryFactory(status=Story.Status.DRAFT)
    change_page = curator_client.get(reverse("admin:stories_story_change", args=[draft.pk])).content.decode()
    assert "View on site" in change_page
    assert curator_client.get(draft.get_absolute_url()).status_code == 200
    curator_client.force_login(employee)
    assert curator_client.get(draft.get_absolute_url()).status_code == 404


def test_curator_is_not_a_user_administrator(curator_client):
    assert curator_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert curator_client.get(reverse("admin:stories_story_changelist")).status_code == 200


def test_employee_cannot_enter_the_admin(employee_client):
    response = employee_client.get(reverse("admin:stories_story_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_curator_publishes_from_the_story_page_after_saving_edits(curator_client):
    story = StoryFactory(status=Story.Status.IN_REVIEW, published_at=None, skills=[SkillFactory()])
    url = reverse("admin:stories_story_change", args=[story.pk])
    assert 'name="_transition" value="published"' in curator_client.get(url).content.decode()
    data = story_form(story.storyteller, title="A better title", slug=story.slug, skills=[str(story.skills.get().pk)])
    data.update({"_transition": "published", "moves-TOTAL_FORMS": "0"})
    response = curator_client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    story.refresh_from_db()
    assert (story.title, story.status) == ("A better title", Story.Status.PUBLISHED)


def test_workflow_button_the_user_may_not_use_is_ignored(curator_client):
    client = curator_client  # a superuser took publishing away from the Curators group (until the next migrate)
    Group.objects.get(name=CURATORS_GROUP).permissions.remove(Permission.objects.get(codename="publish_story"))
    story = StoryFactory(status=Story.Status.DRAFT, published_at=None, skills=[SkillFactory()])
    url = reverse("admin:stories_story_change", args=[story.pk])
    page = client.get(url).content.decode()
    assert 'value="in_review"' in page and 'value="published"' not in page
    data = story_form(story.storyteller, slug=story.slug, skills=[str(story.skills.get().pk)])
    data.update({"_transition": "published", "moves-TOTAL_FORMS": "0"})
    assert client.post(url, data).status_code == 302  # saved, but not published
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT


# The audit trail


def trail(story=None) -> list[tuple[str, str, list[str]]]:
    events = StoryEvent.objects.filter(story=story) if story else StoryEvent.objects.all()
    return [(e.action, e.actor_username, e.changed_fields) for e in events.order_by("at", "pk")]


def test_edits_and_workflow_moves_are_recorded_with_who_and_what(curator_client, curator):
    story = StoryFactory(status=Story.Status.IN_REVIEW, published_at=None, skills=[SkillFactory()])
    StoryEvent.objects.all().delete()
    url = reverse("admin:stories_story_change", args=[story.pk])
    data = story_form(story.storyteller, title="A better title", slug=story.slug, skills=[str(story.skills.get().pk)])
    data.update({"_transition": "published", "moves-TOTAL_FORMS": "0", "summary": story.summary})
    curator_client.post(url, data)
    curator_client.post(
        reverse("admin:stories_story_changelist"), {"action": "archive", "_selected_action": [story.pk]}
    )
    actions = trail(story)
    assert [(a, who) for a, who, _ in actions] == [("edited", "hana"), ("published", "hana"), ("archived", "hana")]
    assert "title" in actions[0][2] and "summary" not in actions[0][2]
    history = curator_client.get(url).content.decode()
    assert "Archived by hana" in history and "Edited by hana (" in history


def test_saving_without_changes_records_nothing_and_creating_records_created(curator_client):
    storyteller = StorytellerFactory()
    curator_client.post(reverse("admin:stories_story_add"), story_form(storyteller))
    story = Story.objects.get(slug="from-sales-to-finance")
    assert [a for a, _, _ in trail(story)] == ["created"]
    data = story_form(storyteller, **{"moves-TOTAL_FORMS": "0"})
    curator_client.post(reverse("admin:stories_story_change", args=[story.pk]), data)
    assert [a for a, _, _ in trail(story)] == ["created"]


def test_a_deleted_story_keeps_its_trail(curator_client):
    story = StoryFactory(title="Gone soon")
    curator_client.post(reverse("admin:stories_story_delete", args=[story.pk]), {"post": "yes"})
    assert not Story.objects.filter(pk=story.pk).exists()
    event = StoryEvent.objects.get(action="deleted")
    assert (event.story, event.story_title, event.actor_username) == (None, "Gone soon", "hana")


def test_consent_withdrawal_is_recorded_on_each_unpublished_story(curator_client):
    story = StoryFactory()
    storyteller = story.storyteller
    data = storyteller_form(
        name=storyteller.name,
        slug=storyteller.slug,
        function=storyteller.function_id,
        level=storyteller.level_id,
        consent_withdrawn_on="2026-11-20",
    )
    curator_client.post(reverse("admin:stories_storyteller_change", args=[storyteller.pk]), data)
    assert trail(story)[-1][:2] == ("consent_withdrawn", "hana")


def test_curators_read_the_trail_but_nobody_can_change_it(curator_client, client, db):
    story = StoryFactory(title="Audited")
    StoryEvent.objects.create(story=story, story_title="Audited", action="edited", actor_username="x")
    event = StoryEvent.objects.get()
    assert "Audited" in curator_client.get(reverse("admin:stories_storyevent_changelist")).content.decode()
    assert curator_client.get(reverse("admin:stories_storyevent_add")).status_code == 403
    assert (
        curator_client.post(reverse("admin:stories_storyevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.post(reverse("admin:stories_storyevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert StoryEvent.objects.filter(pk=event.pk).exists()


def test_curators_see_and_feature_only_collections_shared_by_link(curator_client, employee):
    private = Collection.objects.create(owner=employee, title="Private plans")
    CollectionItem.objects.create(collection=private, story=StoryFactory(), note="Ask about the pay cut")
    shared = services.collection_link_sharing(
        collection=Collection.objects.create(owner=employee, title="Moves into data"), on=True
    )
    content = curator_client.get(reverse("admin:stories_collection_changelist")).content.decode()
    assert "Moves into data" in content and "Private plans" not in content
    nowhere = curator_client.get(reverse("admin:stories_collection_change", args=[private.pk + 100]), follow=True)
    response = curator_client.get(reverse("admin:stories_collection_change", args=[private.pk]), follow=True)
    assert "Ask about the pay cut" not in response.content.decode()
    assert response.redirect_chain == [(reverse("admin:index"), 302)] == nowhere.redirect_chain

    response = curator_client.post(
        reverse("admin:stories_collection_change", args=[shared.pk]), {"is_featured": "on", "_save": "Save"}
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.is_featured


def test_featuring_in_the_admin_writes_only_the_featured_flag(curator_client, employee):
    """The admin reads the collection, then saves it: writing its link key back would undo a new link made between."""
    collection = services.collection_link_sharing(
        collection=Collection.objects.create(owner=employee, title="Moves into data"), on=True
    )
    with CaptureQueriesContext(connection) as queries:
        curator_client.post(
            reverse("admin:stories_collection_change", args=[collection.pk]), {"is_featured": "on", "_save": "Save"}
        )
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "stories_collection"')]
    assert len(updates) == 1 and "is_featured" in updates[0] and "link_key" not in updates[0]
    collection.refresh_from_db()
    assert collection.is_featured


# The change form: named inputs, current files at their access-checked addresses


def test_current_poster_shows_as_a_thumbnail_that_loads_for_the_curator(curator_client):
    story = StoryFactory(status=Story.Status.DRAFT, poster=SimpleUploadedFile("p.png", image_bytes((800, 450))))
    services.story_update_poster(story=story)
    page = curator_client.get(reverse("admin:stories_story_change", args=[story.pk])).content.decode()
    thumbnail = reverse("stories:poster", args=[story.slug, 160])
    assert f'<img src="{thumbnail}" alt="" width="160" height="90">' in page
    assert "/media/" not in page  # uploads have no public address: no link may point there
    assert curator_client.get(thumbnail).status_code == 200


def test_upload_inputs_and_career_move_cells_are_named_by_their_labels(curator_client):
    story = StoryFactory()
    story.moves.create(position=1, kind="lateral", from_role="Analyst", to_role="Manager", year=2024)
    page = curator_client.get(reverse("admin:stories_story_change", args=[story.pk])).content.decode()
    for upload in ("media", "captions", "poster"):
        assert f'<label for="id_{upload}">' in page
    for cell in ("Position", "Kind", "From role", "From function", "To role", "To function", "Year", "Delete"):
        assert f'aria-label="{cell}"' in page


# Publishing: the checklist, the review, the messages, the list's order


def test_change_page_lists_what_publishing_checks_each_linked_to_its_field(curator_client):
    story = StoryFactory(status=Story.Status.DRAFT, video=True, captions=None, transcript="Hello.")
    page = curator_client.get(reverse("admin:stories_story_change", args=[story.pk])).content.decode()
    consent = reverse("admin:stories_storyteller_change", args=[story.storyteller_id]) + "#id_consent_given_on"
    assert "Before publishing" in page
    assert f'alt="Done:" width="13" height="13">\n      <a href="{consent}">Consent</a>' in page
    assert 'alt="To do:" width="13" height="13">\n      <a href="#id_captions">Captions</a>: Video and podcast' in page
    assert '<a href="#id_skills">Skills</a>: Tag the story' in page
    for field in ("media", "transcript", "poster"):
        assert f'<a href="#id_{field}">' in page


def test_checklist_tells_a_curator_who_edited_last_that_another_curator_publishes(curator_client, curator):
    curator_set(user=UserFactory(username="omar"), curator=True)
    story = StoryFactory(status=Story.Status.IN_REVIEW, published_at=None, skills=[SkillFactory()])
    url = reverse("admin:stories_story_change", args=[story.pk])
    data = story_form(story.storyteller, title="A better title", slug=story.slug, skills=[str(story.skills.get().pk)])
    data.update({"_transition": "published", "moves-TOTAL_FORMS": "0"})
    response = curator_client.post(url, data, follow=True)
    story.refresh_from_db()
    assert (story.title, story.status) == ("A better title", Story.Status.IN_REVIEW)
    page = response.content.decode()
    assert "another curator reviews and publishes it" in page
    assert "Reviewed by another curator: You edited this story last" in page


def test_workflow_messages_count_stories_in_proper_plurals(curator_client):
    one, two, three = StoryFactory.create_batch(3, status=Story.Status.DRAFT, published_at=None)
    changelist = reverse("admin:stories_story_changelist")
    response = curator_client.post(
        changelist, {"action": "submit_for_review", "_selected_action": [one.pk]}, follow=True
    )
    assert "1 story is now in review." in [str(message) for message in response.context["messages"]]
    response = curator_client.post(
        changelist, {"action": "archive", "_selected_action": [one.pk, two.pk, three.pk]}, follow=True
    )
    assert "3 stories are now archived." in [str(message) for message in response.context["messages"]]


def test_withdrawing_consent_counts_one_unpublished_story_in_the_singular(curator_client):
    story = StoryFactory()
    response = withdraw_consent_in_the_admin(curator_client, story.storyteller, follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert "Consent withdrawn: 1 published story was unpublished." in messages


def test_story_list_shows_drafts_and_stories_in_review_first_the_newest_first(curator_client):
    published = StoryFactory(title="Published long ago")
    old_draft = StoryFactory(title="Old draft", status=Story.Status.DRAFT, published_at=None)
    in_review = StoryFactory(title="In review", status=Story.Status.IN_REVIEW, published_at=None)
    new_draft = StoryFactory(title="New draft", status=Story.Status.DRAFT, published_at=None)
    response = curator_client.get(reverse("admin:stories_story_changelist"))
    shown = list(response.context["cl"].result_list)
    assert shown == [new_draft, in_review, old_draft, published]


def test_changing_only_the_career_moves_is_recorded_as_an_edit(curator_client):
    story = StoryFactory(status=Story.Status.IN_REVIEW, published_at=None)
    StoryEvent.objects.all().delete()
    data = story_form(story.storyteller, title=story.title, slug=story.slug, summary=story.summary, body=story.body)
    curator_client.post(reverse("admin:stories_story_change", args=[story.pk]), data)
    assert story.moves.count() == 1
    assert trail(story) == [("edited", "hana", ["moves"])]
