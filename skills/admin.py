from pathlib import Path

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from skills import services
from skills.exporters import FORMATS as EXPORT_FORMATS
from skills.exporters import export_framework
from skills.forms import FrameworkImportForm, SkillMergeForm
from skills.importers import FORMATS as IMPORT_FORMATS
from skills.importers import parse_framework_file
from skills.models import Framework, ProficiencyLevel, Skill


class ProficiencyLevelInline(admin.TabularInline):
    model = ProficiencyLevel
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "import_format", "skill_count", "imported_at"]
    search_fields = ["name", "code"]
    readonly_fields = ["is_builtin", "format", "imported_at"]
    inlines = [ProficiencyLevelInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(skill_count=Count("skills", filter=Q(skills__is_retired=False)))

    @admin.display(description="format", ordering="format")
    def import_format(self, framework: Framework) -> str:
        return "Built-in" if framework.is_builtin else IMPORT_FORMATS.get(framework.format, framework.format)

    @admin.display(description="skills", ordering="skill_count")
    def skill_count(self, framework: Framework) -> int:
        """Live skills, strengths and categories (retired ones are hidden everywhere)."""
        return framework.skill_count

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="skills_framework_import"),
            path(
                "<int:pk>/export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="skills_framework_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": request.user.has_perm("skills.import_framework"),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "export_formats": EXPORT_FORMATS}
        return super().change_view(request, object_id, form_url, extra_context)

    def export_view(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request) or fmt not in EXPORT_FORMATS:
            raise Http404
        content, content_type, filename = export_framework(get_object_or_404(Framework, pk=pk), fmt)
        return HttpResponse(
            content,
            content_type=content_type,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → preview of what would change (nothing written) → confirm → import, all or nothing."""
        if not request.user.has_perm("skills.import_framework"):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a skills framework",
        }
        if request.method == "POST" and "cancel" in request.POST:
            services.framework_preview_discard(token=request.POST.get("token", ""))
            messages.info(request, "Nothing was imported.")
            return redirect("admin:skills_framework_import")
        if request.method == "POST" and request.POST.get("token"):
            return self._import_confirm(request, context)
        form = FrameworkImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            report = self._import(form.cleaned_data, upload, form.cleaned_data["broader_file"], upload.name)
            context["report"] = report
            if report.ok and report.changes:
                context["token"] = services.framework_preview_keep(
                    file=upload, broader_file=form.cleaned_data["broader_file"]
                )
                context["choices"] = {
                    "format": form.cleaned_data["format"],
                    "framework": form.cleaned_data["framework"].pk if form.cleaned_data["framework"] else "",
                    "code": form.cleaned_data["code"],
                    "name": form.cleaned_data["name"],
                    "filename": upload.name,
                }
        context["form"] = form
        return TemplateResponse(request, "admin/skills/framework/import.html", context)

    def _import(self, choices: dict, upload, broader, filename: str, *, dry_run: bool = True):
        parsed = parse_framework_file(
            upload,
            filename=filename,
            format=choices.get("format") or None,
            broader_file=broader,
            max_bytes=None,
        )
        framework = choices.get("framework")
        return services.framework_import(
            parsed=parsed,
            framework_code=framework.code if framework else choices.get("code") or "",
            framework_name=choices.get("name") or "",
            default_name=Path(filename).stem,
            new_only=framework is None,
            dry_run=dry_run,
        )

    def _import_confirm(self, request: HttpRequest, context: dict) -> HttpResponse:
        token = request.POST["token"]
        files = services.framework_preview_files(token)
        if files is None:
            services.framework_preview_discard(token=token)  # an expired one that no clean-up has reached yet
            messages.error(request, "That upload has expired or was already imported. Please upload the file again.")
            return redirect("admin:skills_framework_import")
        file_name, broader_name = files
        framework = Framework.objects.filter(pk=request.POST.get("framework") or None).first()
        choices = {
            "format": request.POST.get("format", ""),
            "framework": framework,
            "code": request.POST.get("code", ""),
            "name": request.POST.get("name"),
        }
        try:
            with default_storage.open(file_name) as upload:
                broader = default_storage.open(broader_name) if broader_name else None
                report = self._import(choices, upload, broader, request.POST.get("filename", ""), dry_run=False)
                if broader:
                    broader.close()
        finally:
            services.framework_preview_discard(token=token)
        if not report.ok:
            context.update(report=report, form=FrameworkImportForm())
            return TemplateResponse(request, "admin/skills/framework/import.html", context)
        messages.success(request, f"Imported {report.framework_name}: {report.summary()}.")
        imported = Framework.objects.get(code=report.framework_code)
        return redirect("admin:skills_framework_change", imported.pk)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "framework", "is_retired"]
    list_filter = ["framework", "kind", "is_retired"]
    list_select_related = ["parent", "framework"]
    search_fields = ["name", "code", "alternative_labels"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["slug"]
    actions = ["merge"]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/") and request.GET.get("model_name") == "story":
            # The story form's skill picker offers live skills and strengths only, never categories.
            queryset = queryset.filter(kind__in=Skill.TAGGABLE_KINDS, is_retired=False)
        return queryset, may_have_duplicates

    @admin.action(description="Merge two selected skills", permissions=["change"])
    def merge(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        skills = list(queryset[:3])
        if len(skills) != 2:
            self.message_user(request, "Select exactly two skills to merge.", messages.WARNING)
            return None
        form = SkillMergeForm(request.POST if "target" in request.POST else None, skills=skills)
        if form.is_valid():
            target = form.cleaned_data["target"]
            source = next(skill for skill in skills if skill.pk != target.pk)
            try:
                moved = services.skill_merge(source=source, target=target)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"Merged “{source}” into “{target}”: {moved} stories moved.")
            return None
        return TemplateResponse(
            request,
            "admin/skills/skill/merge.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Merge two skills",
                "skills": skills,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
