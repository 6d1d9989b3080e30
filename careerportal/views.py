from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from careerportal.people import colleague_label, colleagues_matching


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers, the database accepts a write, and the shared cache keeps a value.

    A database that answers reads but refuses writes (read-only after a failover, a read-only disk) fails every
    comment, share and log-in, so the check writes a row (a session, as every log-in does) and rolls it back.
    """
    try:
        with transaction.atomic():
            Session.objects.create(session_key=get_random_string(32), session_data="", expire_date=timezone.now())
            transaction.set_rollback(True)
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "refuses writes or is unavailable"}, status=503)
    try:
        key, value = f"healthz:{get_random_string(16)}", get_random_string(16)
        cache.set(key, value, 10)
        kept = cache.get(key) == value
        cache.delete(key)
    except Exception:  # noqa: BLE001 - nor can a node without its cache serve sessions and throttling
        kept = False
    if not kept:
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


@require_safe
def colleagues(request: HttpRequest) -> JsonResponse:
    """Suggestions for a colleague picker (static/js/colleagues.js): active colleagues whose name, username or email
    starts with `q`. Each is offered by name, or by email where the suggestions hold two of one name."""
    query = request.GET.get("q", "").strip()[:100]
    found = list(colleagues_matching(query, owner=request.user)) if len(query) >= 2 else []
    names = [person.get_full_name() or person.get_username() for person in found]
    return JsonResponse(
        {
            "colleagues": [
                {
                    "value": name if names.count(name) == 1 else person.email or person.get_username(),
                    "label": colleague_label(person),
                }
                for name, person in zip(names, found, strict=True)
            ]
        }
    )
