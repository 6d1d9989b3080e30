"""Response headers that Django's SecurityMiddleware does not send."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


def cross_origin_resource_policy(get_response: Callable[[HttpRequest], HttpResponse]):
    """Middleware: other sites' pages may not load the portal's responses (pages, pictures, media) into theirs."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response

    return middleware
