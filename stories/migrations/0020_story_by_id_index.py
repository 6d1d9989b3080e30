"""Stories looked up by id read their publication date from an index too, not from their rows: on SQLite a row holds
the story's text and transcript before that column, so For you's candidates and related stories walked 14 KB a story
to sort by date. The wider index is built before the one it replaces is dropped."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("skills", "0005_skill_framework_parent_index"),
        ("stories", "0019_story_newest_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="story",
            index=models.Index(fields=["id", "status", "published_at", "storyteller", "format"], name="story_by_id_idx"),
        ),
        migrations.RemoveIndex(model_name="story", name="story_id_facets_idx"),
    ]
