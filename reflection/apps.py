from django.apps import AppConfig


class ReflectionConfig(AppConfig):
    name = "reflection"
    verbose_name = "Reflection toolkit"

    def ready(self) -> None:
        from careerportal.directory import people_left
        from reflection import selectors, services
        from stories.signals import home_suggestions, story_viewed, storyteller_unavailable

        story_viewed.connect(services.on_story_viewed, dispatch_uid="reflection.story_viewed")
        home_suggestions.connect(selectors.on_home_suggestions, dispatch_uid="reflection.home_suggestions")
        # Requests made of a storyteller close when they can no longer be asked.
        storyteller_unavailable.connect(services.on_storyteller_unavailable, dispatch_uid="reflection.unavailable")
        people_left.connect(services.on_people_left, dispatch_uid="reflection.people_left")
