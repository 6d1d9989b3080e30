"""Each story's transcript as its page shows it, rendered once and stored (Story.save keeps it in step from now on)."""

from django.db import migrations, models

from stories.text import render_transcript


def render_transcripts(apps, schema_editor) -> None:
    Story = apps.get_model("stories", "Story")
    stories = Story.objects.exclude(transcript="").only("transcript", "transcript_cues").order_by("pk")
    batch = []
    for story in stories.iterator(chunk_size=500):
        story.transcript_html = render_transcript(transcript=story.transcript, cues=story.transcript_cues)
        batch.append(story)
        if len(batch) == 500:
            Story.objects.bulk_update(batch, ["transcript_html"])
            batch = []
    Story.objects.bulk_update(batch, ["transcript_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0013_story_id_facets_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="transcript_html",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.RunPython(render_transcripts, migrations.RunPython.noop),
    ]
