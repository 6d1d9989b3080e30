from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers, and so do the database and the shared cache."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    try:
        cache.get("healthz")
    except Exception:  # noqa: BLE001 - nor can a node without its cache serve sessions and throttling
        return JsonResponse({"status": "error", "cache": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def _when_sso_is_configured(view):
    """Single sign-on views exist only when OIDC_RP_CLIENT_ID is set; otherwise they are not found."""

    @login_not_required
    def wrapper(request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_RP_CLIENT_ID:
            raise Http404("Single sign-on is not configured.")
        return view(request)

    return wrapper


oidc_authenticate = _when_sso_is_configured(OIDCAuthenticationRequestView.as_view())
oidc_callback = _when_sso_is_configured(OIDCAuthenticationCallbackView.as_view())
