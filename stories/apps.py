from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save

CONTENT_MODELS = [
    "stories.Story", "stories.TaggedStory", "stories.Storyteller", "stories.CareerMove", "stories.Function",
    "stories.Level", "stories.Collection", "stories.CollectionItem", "skills.Skill", "skills.Framework",
    "skills.ProficiencyLevel",
]  # fmt: skip


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Career stories"

    def ready(self) -> None:
        from skills.signals import framework_changed, skills_renamed
        from stories import signals
        from stories.cache import content_changed

        # Permissions exist only after migrate has run, so the Curators group is kept in step then.
        post_migrate.connect(signals.on_migrated, sender=self, dispatch_uid="stories.curators_group")
        # The search index is derived data: it follows every change to a story, its tags or its storyteller.
        post_save.connect(signals.on_story_saved, sender="stories.Story", dispatch_uid="stories.search.story")
        for signal in (post_save, post_delete):
            signal.connect(
                signals.on_tags_changed, sender="stories.TaggedStory", dispatch_uid=f"stories.search.{signal}"
            )
        post_save.connect(
            signals.on_storyteller_saved, sender="stories.Storyteller", dispatch_uid="stories.search.storyteller"
        )
        skills_renamed.connect(signals.on_skills_renamed, dispatch_uid="stories.search.skills")
        # Cached fragments follow a content version that any change to what pages show moves on (stories.cache).
        for model in CONTENT_MODELS:
            post_save.connect(content_changed, sender=model, dispatch_uid=f"stories.cache.save.{model}")
            post_delete.connect(content_changed, sender=model, dispatch_uid=f"stories.cache.delete.{model}")
        framework_changed.connect(content_changed, dispatch_uid="stories.cache.framework")
        post_migrate.connect(content_changed, sender=self, dispatch_uid="stories.cache.migrated")
