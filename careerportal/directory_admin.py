"""The company directory in the admin: the people HR loads from the HR system's export, its import page (upload,
preview, confirm) and marking people as left. Registered by PortalAdminConfig.ready (careerportal.apps): the site
itself is defined in careerportal.admin, which Django imports to create the site, before it could register anything."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path

from careerportal.directory import (
    directory_import,
    parse_people_file,
    people_mark_left,
    people_preview_discard,
    people_preview_file,
    people_preview_keep,
)
from careerportal.forms import PeopleImportForm
from careerportal.models import Profile


class LeftFilter(admin.SimpleListFilter):
    title = "left"
    parameter_name = "left"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("no", "Still here"), ("yes", "Left")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(left_on__isnull=self.value() == "no")
        return queryset


class ProfileAdmin(admin.ModelAdmin):
    """The company directory. HR loads it from the HR system's export (the import page, or `manage.py import_people`)
    and marks people as left with an action that deactivates their accounts too; `left_on` is not edited by hand,
    so that it never disagrees with whether the account can log in."""

    list_display = ["name", "job_title", "function", "level", "manager_name", "left_on"]
    list_filter = ["function", "level", LeftFilter]
    list_select_related = ["user", "function", "level", "manager"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "employee_id", "job_title"]
    raw_id_fields = ["manager"]
    readonly_fields = ["user", "left_on"]
    actions = ["mark_left"]

    @admin.display(description="name", ordering="user__last_name")
    def name(self, profile: Profile) -> str:
        return profile.user.get_full_name() or profile.user.get_username()

    @admin.display(description="manager", ordering="manager__last_name")
    def manager_name(self, profile: Profile) -> str:
        manager = profile.manager
        return (manager.get_full_name() or manager.get_username()) if manager else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people come from the HR system's export (or single sign-on), with their accounts

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # people who leave are marked as left, as an import does; nobody's place is deleted

    @admin.action(description="Mark the selected people as left", permissions=["change"])
    def mark_left(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = people_mark_left(user_ids=list(queryset.values_list("user_id", flat=True)))
        self.message_user(request, f"Marked as left; {count} account{pluralize(count)} can no longer log in.")

    def get_urls(self) -> list:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="careerportal_profile_import"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_change_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → preview of what would change (nothing written) → confirm → import, all or nothing, and only the
        plan that was previewed."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": "Import the company directory"}
        if request.method == "POST" and "cancel" in request.POST:
            people_preview_discard(token=request.POST.get("token", ""))
            messages.info(request, "Nothing was imported.")
            return redirect("admin:careerportal_profile_import")
        if request.method == "POST" and request.POST.get("token"):
            return self._import_confirm(request, context)
        form = PeopleImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            plan = directory_import(parsed=parse_people_file(upload), dry_run=True)
            context["plan"] = plan
            if plan.ok and plan.changes:
                upload.seek(0)
                context["token"] = people_preview_keep(file=upload)
                context["fingerprint"] = plan.fingerprint()
                context["filename"] = upload.name
        context["form"] = form
        return TemplateResponse(request, "admin/careerportal/profile/import.html", context)

    def _import_confirm(self, request: HttpRequest, context: dict) -> HttpResponse:
        token = request.POST["token"]
        name = people_preview_file(token)
        if name is None:
            people_preview_discard(token=token)  # an expired one that no clean-up has reached yet
            messages.error(request, "That upload has expired or was already imported. Please upload the file again.")
            return redirect("admin:careerportal_profile_import")
        with default_storage.open(name) as upload:
            plan = directory_import(parsed=parse_people_file(upload), expected=request.POST.get("fingerprint", ""))
        if plan.stale or not plan.ok:
            # The directory changed since the preview (or this confirmation came twice): show what the file would
            # change now, to confirm again; the kept file stays for that.
            context.update(plan=plan, form=PeopleImportForm(), stale=plan.stale, filename=request.POST.get("filename"))
            if plan.ok and plan.changes:
                context.update(token=token, fingerprint=plan.fingerprint())
            else:
                people_preview_discard(token=token)
            return TemplateResponse(request, "admin/careerportal/profile/import.html", context)
        people_preview_discard(token=token)
        done = "; ".join(f"{count} {label}" for label, count, _examples in plan.sections())
        messages.success(request, f"Imported the directory: {done}; {plan.unchanged} unchanged.")
        return redirect("admin:careerportal_profile_changelist")
