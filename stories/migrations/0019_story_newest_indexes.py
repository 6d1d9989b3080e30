"""Stories newest first with their ids in the index, as Story's ordering has them: For you's candidates and deep list
pages are read from the index alone (on PostgreSQL the planner read every story's row, text and all, for For you), and
no query is left a sort to do. The new indexes are built before the ones they replace are dropped, so lists never go
without one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("skills", "0005_skill_framework_parent_index"),
        ("stories", "0018_opportunities"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="story",
            index=models.Index(fields=["status", "-published_at", "-id"], name="story_status_newest_idx"),
        ),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(fields=["featured", "status", "-published_at", "-id"], name="story_featured_newest_idx"),
        ),
        migrations.RemoveIndex(model_name="story", name="story_status_published_idx"),
        migrations.RemoveIndex(model_name="story", name="story_featured_idx"),
    ]
