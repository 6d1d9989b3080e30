from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


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
        # The facets' counts (FacetCount) follow the stories, their storytellers (above) and their career moves.
        post_delete.connect(signals.on_facets_changed, sender="stories.Story", dispatch_uid="stories.facets.story")
        for signal in (post_save, post_delete):
            signal.connect(
                signals.on_facets_changed, sender="stories.CareerMove", dispatch_uid=f"stories.facets.{signal}"
            )
