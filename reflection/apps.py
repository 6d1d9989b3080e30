from django.apps import AppConfig


class ReflectionConfig(AppConfig):
    name = "reflection"
    verbose_name = "Reflection toolkit"

    def ready(self) -> None:
        from reflection import services
        from stories.signals import story_viewed

        story_viewed.connect(services.on_story_viewed, dispatch_uid="reflection.story_viewed")
