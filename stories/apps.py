from django.apps import AppConfig
from django.core.signals import request_finished, request_started
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
        from stories import cache, signals

        # Permissions exist only after migrate has run, so the Curators group is kept in step then: after stories,
        # the last app whose permissions it holds (careerportal.roles).
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
            post_save.connect(cache.content_changed, sender=model, dispatch_uid=f"stories.cache.save.{model}")
            post_delete.connect(cache.content_changed, sender=model, dispatch_uid=f"stories.cache.delete.{model}")
        framework_changed.connect(cache.content_changed, dispatch_uid="stories.cache.framework")
        post_migrate.connect(cache.content_changed, sender=self, dispatch_uid="stories.cache.migrated")
        request_started.connect(cache.request_started, dispatch_uid="stories.cache.request_started")
        request_finished.connect(cache.request_finished, dispatch_uid="stories.cache.request_finished")
