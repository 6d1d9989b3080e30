from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from careerportal import notifications
from careerportal.forms import EmailPreferencesForm
from careerportal.models import Notification
from careerportal.people import colleague_label, colleagues_matching, person_for_colleagues
from careerportal.roles import direct_reports

INBOX_PAGE_SIZE = 30


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


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """Everything addressed to me, newest first; unread items stand out until opened."""
    page = Paginator(Notification.objects.filter(recipient=request.user), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "careerportal/inbox.html", {"page": page})


@require_safe
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opens an item: marks it read and goes where it leads."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications.inbox_read(notification=notification)
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()}):
        return redirect("inbox")
    return redirect(notification.url)


@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications.inbox_read_all(user=request.user)
    messages.success(
        request, f"{count} item{'s' if count != 1 else ''} marked as read." if count else "Nothing unread."
    )
    return redirect("inbox")


@require_http_methods(["GET", "HEAD", "POST"])
def inbox_email(request: HttpRequest) -> HttpResponse:
    """Per kind of item: an email straight away, one a day, or none."""
    form = EmailPreferencesForm(request.POST or None, chosen=notifications.email_preferences(request.user))
    if form.is_valid():
        notifications.email_preferences_set(user=request.user, chosen=form.cleaned_data)
        messages.success(request, "Your email choices are saved.")
        return redirect("inbox")
    return render(request, "careerportal/inbox_email.html", {"form": form, "digest_hour": settings.PORTAL_DIGEST_HOUR})


@require_safe
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A colleague's page: what the directory says of them (never anything of their toolkit), their manager and the
    people who report to them."""
    found = person_for_colleagues(pk)
    reports = direct_reports(found).select_related("profile").order_by("last_name", "first_name", "username")
    return render(request, "careerportal/person.html", {"person": found, "reports": reports})
