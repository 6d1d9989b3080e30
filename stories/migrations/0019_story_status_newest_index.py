"""Published stories by date with their ids in one index: For you's candidates, deep list pages and the newest stories
are read from it alone (on PostgreSQL the planner read every story's row, text and all, for For you). The new index is
built before the one it replaces is dropped, so lists never go without one."""

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
        migrations.RemoveIndex(model_name="story", name="story_status_published_idx"),
    ]
