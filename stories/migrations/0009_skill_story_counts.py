from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_published_stories(apps, schema_editor):
    """Fills Skill.story_count, which skills 0004 adds (the same count as stories.services.skill_story_counts_update)."""
    Skill = apps.get_model("skills", "Skill")
    TaggedStory = apps.get_model("stories", "TaggedStory")
    published = (
        TaggedStory.objects.filter(tag=OuterRef("pk"), content_object__status="published")
        .order_by()
        .values("tag")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Skill.objects.update(story_count=Coalesce(Subquery(published), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("skills", "0004_skill_story_count"),
        ("stories", "0008_tagged_story_tag_story_index"),
    ]

    operations = [migrations.RunPython(count_published_stories, migrations.RunPython.noop)]
