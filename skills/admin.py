from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from skills.models import Framework, ProficiencyLevel, Skill


class ProficiencyLevelInline(admin.TabularInline):
    model = ProficiencyLevel
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_builtin", "updated_at"]
    search_fields = ["name", "code"]
    inlines = [ProficiencyLevelInline]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "framework", "is_retired"]
    list_filter = ["framework", "kind", "is_retired"]
    list_select_related = ["parent", "framework"]
    search_fields = ["name", "code", "alternative_labels"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["slug"]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/") and request.GET.get("model_name") == "story":
            # The story form's skill picker offers live skills and strengths only, never categories.
            queryset = queryset.filter(kind__in=Skill.TAGGABLE_KINDS, is_retired=False)
        return queryset, may_have_duplicates
