"""Data filled in by the stories app's migrations, run against a database as the previous release left it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _migration_named(executor: MigrationExecutor, suffix: str) -> tuple[str, str]:
    """The stories migration whose name ends in `suffix`, whatever number it was given."""
    (key,) = [key for key in executor.loader.disk_migrations if key[0] == "stories" and key[1].endswith(suffix)]
    return key


@pytest.mark.django_db(transaction=True)
def test_existing_stories_get_a_video_or_audio_type_and_nothing_else():
    executor = MigrationExecutor(connection)
    target = _migration_named(executor, "_story_media_type")
    (before,) = executor.loader.graph.node_map[target].parents
    executor.migrate([before.key])  # as the previous release left it
    try:
        old = executor.loader.project_state([before.key]).apps
        function = old.get_model("stories", "Function").objects.create(name="Finance", slug="finance")
        level = old.get_model("stories", "Level").objects.create(name="Analyst", slug="analyst", rank=1)
        teller = old.get_model("stories", "Storyteller").objects.create(
            name="Amara", slug="amara", role_title="Analyst", function=function, level=level
        )
        media = {
            "mp4": "stories/media/a.MP4",
            "webm": "stories/media/b.webm",
            "mp3": "stories/media/c.mp3",
            "opus": "stories/media/d.opus",
            "html": "stories/media/e.html",
            "mp4-in-the-middle": "stories/media/f.mp4.html",
            "none": "",
        }
        for slug, name in media.items():
            old.get_model("stories", "Story").objects.create(
                title=slug, slug=slug, storyteller=teller, format="video", summary="S", media=name
            )

        executor = MigrationExecutor(connection)
        executor.migrate([target])
        # The previous release, still serving during the upgrade, adds a story without knowing the new column.
        old.get_model("stories", "Story").objects.create(
            title="added", slug="added", storyteller_id=teller.pk, format="text", summary="S"
        )
        new = executor.loader.project_state([target]).apps
        types = dict(new.get_model("stories", "Story").objects.values_list("slug", "media_type"))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # back to the schema the other tests expect

    assert types == {
        "mp4": "video/mp4",
        "webm": "video/webm",
        "mp3": "audio/mpeg",
        "opus": "audio/ogg",
        "html": "",
        "mp4-in-the-middle": "",
        "none": "",
        "added": "",
    }


@pytest.mark.django_db(transaction=True)
def test_existing_stories_get_their_transcript_as_the_page_shows_it():
    executor = MigrationExecutor(connection)
    target = _migration_named(executor, "_story_transcript_html")
    (before,) = executor.loader.graph.node_map[target].parents
    executor.migrate([before.key])  # as the previous release left it
    try:
        old = executor.loader.project_state([before.key]).apps
        function = old.get_model("stories", "Function").objects.create(name="Finance", slug="finance")
        level = old.get_model("stories", "Level").objects.create(name="Analyst", slug="analyst", rank=1)
        teller = old.get_model("stories", "Storyteller").objects.create(
            name="Amara", slug="amara", role_title="Analyst", function=function, level=level
        )
        Story = old.get_model("stories", "Story")
        cues = [[65.5, 70, "<v Amara>Hello & welcome."]]
        Story.objects.create(title="Timed", slug="timed", storyteller=teller, format="video", summary="S",
                             transcript="Hello.", transcript_cues=cues)  # fmt: skip
        Story.objects.create(title="Plain", slug="plain", storyteller=teller, format="podcast", summary="S",
                             transcript="One <b>\n\nTwo")  # fmt: skip
        Story.objects.create(title="Text", slug="text", storyteller=teller, format="text", summary="S")

        executor = MigrationExecutor(connection)
        executor.migrate([target])
        new = executor.loader.project_state([target]).apps
        html = dict(new.get_model("stories", "Story").objects.values_list("slug", "transcript_html"))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert html == {
        "timed": '<ol class="transcript__cues" data-transcript><li data-from="65.5"><a href="?t=65" data-seek="65.5">'
        '<span class="visually-hidden">Play from </span>1:05</a> <span><span class="cue__speaker">Amara:</span> '
        "Hello &amp; welcome.</span></li></ol>",
        "plain": '<div class="transcript__text"><p>One &lt;b&gt;</p><p>Two</p></div>',
        "text": "",
    }
