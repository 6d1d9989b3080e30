"""Migrations must be safe to run while the previous release still serves (README, "Upgrading"): new migrations
only add. Dropping or renaming waits for a later release and is then listed here, reviewed, by name."""

import pytest
from django.db import migrations
from django.db.migrations.loader import MigrationLoader

# Migrations from before the first release, when no old code was running beside them.
BEFORE_FIRST_RELEASE = {
    ("reflection", "0001_initial"),
    ("skills", "0001_initial"),
    ("skills", "0002_import_framework"),
    ("stories", "0001_initial"),
    ("stories", "0002_collections"),
    ("stories", "0003_search"),
    ("stories", "0004_search_index"),
}
REVIEWED_REMOVALS = {
    # Drops indexes only after adding ones that start with the same columns: the old release's reads use the new ones.
    ("stories", "0019_story_newest_indexes"),
    ("stories", "0020_story_by_id_index"),
}
# Data steps reviewed by name: they only fill in a column the same (or the migration just before) adds, which old code
# does not read.
REVIEWED_DATA_STEPS = {
    ("stories", "0006_collection_link_sharing"),
    ("stories", "0007_story_media_type"),
    ("stories", "0009_skill_story_counts"),  # Skill.story_count, from skills 0004
    ("stories", "0014_story_transcript_html"),  # Story.transcript_html, added by the same migration
    ("stories", "0015_facet_counts"),  # FacetCount, the table the same migration creates
    # ConversationRequest.state of a pair's older requests, added by the same migration (old code reads no state)
    ("reflection", "0002_conversation_request_states"),
}
# Raw schema steps reviewed by name: they only create (a full-text table and its triggers, a generated column, a
# function) and leave everything old code reads as it was.
REVIEWED_SCHEMA_STEPS = {
    ("stories", "0012_search_ranked_on_story_text"),  # a new search index beside 0004's, which the old code reads
}
ADDITIVE = (
    migrations.CreateModel,
    migrations.AddIndex,
    migrations.AddConstraint,
    migrations.AlterModelOptions,
)
OUR_APPS = {"skills", "stories", "reflection", "careerportal"}


def unsafe_operations(migration) -> list[str]:
    problems = []
    for operation in migration.operations:
        if isinstance(operation, migrations.AddField):
            field = operation.field
            if not (field.null or field.has_default() or field.many_to_many):
                problems.append(f"{operation.describe()}: a required column without a default breaks old code")
        elif (
            isinstance(operation, migrations.RunPython)
            and (migration.app_label, migration.name) in REVIEWED_DATA_STEPS | REVIEWED_SCHEMA_STEPS
        ):
            continue
        elif not isinstance(operation, ADDITIVE):
            problems.append(f"{operation.describe()}: not additive")
    return problems


@pytest.mark.django_db
def test_new_migrations_only_add():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    problems = {
        key: unsafe_operations(migration)
        for key, migration in loader.disk_migrations.items()
        if key[0] in OUR_APPS and key not in BEFORE_FIRST_RELEASE | REVIEWED_REMOVALS
    }
    assert {key: found for key, found in problems.items() if found} == {}


def test_the_check_can_fail():
    migration = migrations.Migration("0099_drop", "stories")
    migration.operations = [migrations.RemoveField("story", "summary")]
    assert unsafe_operations(migration)
