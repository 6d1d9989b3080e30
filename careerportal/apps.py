from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CareerPortalConfig(AppConfig):
    name = "careerportal"
    verbose_name = "Career stories portal"

    def ready(self) -> None:
        from careerportal import checks  # noqa: F401  (registers the portal's own deployment checks)


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site (careerportal.admin) as admin.site."""

    # INSTALLED_APPS names this class in place of "django.contrib.admin". Not a default: CareerPortalConfig above is
    # careerportal's own config (hence also `admin_apps.AdminConfig`, not a name imported into this module).
    default = False
    default_site = "careerportal.admin.PortalAdminSite"

    def ready(self) -> None:
        super().ready()  # registers every app's admin.py
        from django_tasks_db.models import DBTaskResult
        from taggit.models import Tag

        from careerportal.directory_admin import ProfileAdmin
        from careerportal.models import Profile

        # Skills are curated in the skills admin only. taggit's own Tag admin would offer a second place to edit
        # tags, and its merge view checks no permission.
        self.module.site.unregister(Tag)
        # Queued emails quote private comments and plans: no one reads them in the admin (DESIGN.md, "Privacy").
        self.module.site.unregister(DBTaskResult)
        # Here, not in careerportal/admin.py: importing that module is what creates the site it would register with.
        self.module.site.register(Profile, ProfileAdmin)
