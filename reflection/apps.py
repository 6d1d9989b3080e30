from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save

# What "For you" suggestions depend on, besides the stories (reflection.cache).
SUGGESTION_INPUTS = ["reflection.SelfAssessment", "reflection.Objective", "reflection.StoryVisit"]


class ReflectionConfig(AppConfig):
    name = "reflection"
    verbose_name = "Reflection toolkit"

    def ready(self) -> None:
        from reflection import cache, services
        from reflection.models import Objective
        from stories.signals import story_viewed

        story_viewed.connect(services.on_story_viewed, dispatch_uid="reflection.story_viewed")
        for model in SUGGESTION_INPUTS:
            post_save.connect(cache.on_owned_changed, sender=model, dispatch_uid=f"reflection.cache.save.{model}")
            post_delete.connect(cache.on_owned_changed, sender=model, dispatch_uid=f"reflection.cache.delete.{model}")
        m2m_changed.connect(
            cache.on_objective_skills_changed, sender=Objective.skills.through, dispatch_uid="reflection.cache.skills"
        )
