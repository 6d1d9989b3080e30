from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete, pre_save


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Career stories"

    def ready(self) -> None:
        from skills.signals import skills_renamed
        from stories import signals

        # Permissions exist only after migrate has run, so the Curators group is kept in step then: after stories,
        # the last app whose permissions it holds (careerportal.roles).
        post_migrate.connect(signals.on_migrated, sender=self, dispatch_uid="stories.curators_group")
        # The search index, the skills' story counts and the facets' counts are derived data: they follow every change
        # to a story, its tags or its storyteller.
        post_save.connect(signals.on_story_saved, sender="stories.Story", dispatch_uid="stories.search.story")
        for signal in (post_save, post_delete):
            signal.connect(
                signals.on_tags_changed, sender="stories.TaggedStory", dispatch_uid=f"stories.search.{signal}"
            )
        post_save.connect(
            signals.on_storyteller_saved, sender="stories.Storyteller", dispatch_uid="stories.search.storyteller"
        )
        skills_renamed.connect(signals.on_skills_renamed, dispatch_uid="stories.search.skills")
        # The facets' counts (FacetCount) follow the stories, their storytellers and their career moves: each change
        # reads its stories' cells before and after, and moves the counts by the difference.
        for model in ("stories.Story", "stories.Storyteller", "stories.CareerMove"):
            for change, (before, after) in {"save": (pre_save, post_save), "delete": (pre_delete, post_delete)}.items():
                uid = f"stories.facets.{model}.{change}"
                before.connect(signals.on_facets_changing, sender=model, dispatch_uid=f"{uid}.before")
                after.connect(signals.on_facets_changed, sender=model, dispatch_uid=f"{uid}.after")
