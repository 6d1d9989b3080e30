from django.contrib.admin import apps as admin_apps


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site (careerportal.admin) as admin.site."""

    # INSTALLED_APPS names this class in place of "django.contrib.admin". Not a default: Django takes the one default
    # AppConfig in careerportal/apps.py as careerportal's own config (hence also `admin_apps.AdminConfig`, not a name
    # imported into this module).
    default = False
    default_site = "careerportal.admin.PortalAdminSite"

    def ready(self) -> None:
        super().ready()  # registers every app's admin.py
        from taggit.models import Tag

        # Skills are curated in the skills admin only. taggit's own Tag admin would offer a second place to edit
        # tags, and its merge view checks no permission.
        self.module.site.unregister(Tag)
