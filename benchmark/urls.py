"""The portal's URLs plus two reference pages served by the same process:

/baseline/         the smallest page a logged-in employee can get: middleware, session and user, a line of text;
/baseline/layout/  base.html (header, footer, context processors) around an empty page: what every page pays for
                   its layout before its own content.
"""

from functools import cache

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.template.backends.django import Template
from django.urls import include, path
from django.views.decorators.http import require_safe

EMPTY_PAGE = '{% extends "base.html" %}{% block content %}<h1>Baseline</h1>{% endblock %}'


@require_safe
def baseline(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"Hello, {request.user.get_username()}.\n", content_type="text/plain; charset=utf-8")


@cache
def _empty_page() -> Template:
    """Compiled once per process, as the cached template loader does for every page's template."""
    return engines["django"].from_string(EMPTY_PAGE)


@require_safe
def baseline_layout(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_empty_page().render({}, request))


urlpatterns = [
    path("baseline/", baseline, name="baseline"),
    path("baseline/layout/", baseline_layout, name="baseline_layout"),
    path("", include("careerportal.urls")),
]
