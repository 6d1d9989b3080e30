from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save


class ReflectionConfig(AppConfig):
    name = "reflection"
    verbose_name = "Reflection toolkit"

    def ready(self) -> None:
        from reflection import cache, services
        from reflection.models import Objective
        from stories.signals import story_viewed

        story_viewed.connect(services.on_story_viewed, dispatch_uid="reflection.story_viewed")
        # Every row of the toolkit belongs to someone: any change moves their toolkit version on (reflection.cache).
        for model in self.get_models():
            label = model._meta.label
            post_save.connect(cache.on_toolkit_row_changed, sender=model, dispatch_uid=f"reflection.cache.save.{label}")
            post_delete.connect(
                cache.on_toolkit_row_changed, sender=model, dispatch_uid=f"reflection.cache.delete.{label}"
            )
        post_save.connect(
            cache.on_person_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="reflection.cache.user"
        )
        for relation in (Objective.skills, Objective.stories):
            m2m_changed.connect(
                cache.on_objective_relations_changed,
                sender=relation.through,
                dispatch_uid=f"reflection.cache.{relation.field.name}",
            )
