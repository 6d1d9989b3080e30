"""Cache-Control for logged-in users: nothing they get may be kept by a shared cache, and personal pages are kept
nowhere. One middleware decides, by where a request was routed, so a new personal page is covered by its URL alone.

Static files (WhiteNoise answers them before this runs) and anonymous requests (the log-in page, /healthz) keep
what their views send.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# Every page under these URL namespaces shows one person's data (the toolkit under /me/ and its exports, the insight
# pages and their CSVs): no cache may store it.
NO_STORE_NAMESPACES = {"reflection", "insights"}
# The story page carries the employee's own toolkit bar, and is opened again and again: a browser may keep it but
# must revalidate it on every use.
NO_CACHE_VIEWS = {"stories:detail"}


class PrivateCacheControlMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            match = request.resolver_match
            if match and NO_STORE_NAMESPACES.intersection(match.namespaces):
                patch_cache_control(response, private=True, no_store=True)
            elif match and match.view_name in NO_CACHE_VIEWS:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, private=True)  # and drops "public"
        return response
