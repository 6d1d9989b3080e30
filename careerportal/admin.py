"""The curation admin's site: Django's AdminSite with the portal's names, log-in form and a "View on site" shortcut
that answers only for what the user may view in this admin."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse_lazy
from django.utils.decorators import method_decorator

from careerportal.auth import AdminLoginForm, too_many_requests_when_locked_out
from careerportal.roles import is_curator


class PortalAdminSite(admin.AdminSite):
    site_header = "Career stories: curation"
    site_title = "Career stories curation"
    index_title = "Stories, storytellers, the skills framework and the directory"
    login_form = AdminLoginForm

    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """The admin's log-in page answers 429 while log-in is paused, as the portal's own does."""
        return too_many_requests_when_locked_out(super().login)(request, extra_context)

    def has_permission(self, request: HttpRequest) -> bool:
        """Curators only (careerportal.roles), where Django's admin would let in any staff account."""
        return is_curator(request.user)

    def get_urls(self) -> list:
        # First, so that it answers /admin/r/… in place of the contenttypes shortcut that AdminSite lists there.
        view = self.admin_view(self.view_on_site)
        view.login_url = reverse_lazy("admin:login", current_app=self.name)  # for LoginRequiredMiddleware
        return [path("r/<path:content_type_id>/<path:object_id>/", view), *super().get_urls()]

    def view_on_site(self, request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponseRedirect:
        """/admin/r/<content type>/<id>/, in place of Django's contenttypes shortcut (which redirects for any object
        that exists, private or not): the object comes from its ModelAdmin's queryset, and only where that admin
        would show it to this user. Anything else is the same 404 for every id, whether it exists or not."""
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        obj = model_admin.get_object(request, object_id)
        if obj is None or not hasattr(obj, "get_absolute_url"):
            raise Http404
        if not model_admin.has_view_or_change_permission(request, obj):
            raise Http404
        return HttpResponseRedirect(obj.get_absolute_url())
