from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Career stories"

    def ready(self) -> None:
        from stories.services import curators_group_ensure

        # Permissions exist only after migrate has run, so the Curators group is kept in step then.
        post_migrate.connect(_ensure_curators_group, sender=self, dispatch_uid="stories.curators_group")
        self._curators_group_ensure = curators_group_ensure


def _ensure_curators_group(sender: AppConfig, **kwargs) -> None:
    sender._curators_group_ensure()
