from django.contrib.admin import apps as admin_apps


# Imported as a module: an AppConfig class with `default = True` in this module's namespace (AdminConfig) would
# become careerportal's own config.
class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site (careerportal.admin) as admin.site."""

    default = False  # the config of django.contrib.admin, listed in INSTALLED_APPS by name; not careerportal's own
    default_site = "careerportal.admin.PortalAdminSite"

    def ready(self) -> None:
        super().ready()  # registers every app's admin.py
        from taggit.models import Tag

        # Skills are curated in the skills admin only. taggit's own Tag admin would offer a second place to edit
        # tags, and its merge view checks no permission.
        self.module.site.unregister(Tag)
