from django.apps import AppConfig


class CareerPortalConfig(AppConfig):
    name = "careerportal"
    verbose_name = "Career stories portal"

    def ready(self) -> None:
        from careerportal import checks  # noqa: F401  (registers the portal's own deployment checks)
