from django.apps import AppConfig


class ReflectionConfig(AppConfig):
    name = "reflection"
    verbose_name = "Reflection toolkit"

    def ready(self) -> None:
        from reflection import selectors, services
        from stories.signals import home_suggestions, story_viewed

        story_viewed.connect(services.on_story_viewed, dispatch_uid="reflection.story_viewed")
        home_suggestions.connect(selectors.on_home_suggestions, dispatch_uid="reflection.home_suggestions")
