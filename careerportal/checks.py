"""The portal's own deployment checks, run by `manage.py check --deploy` beside Django's."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def sso_half_configured(app_configs, **kwargs) -> list[checks.Warning]:
    """Single sign-on needs every one of its settings: with only some, it is off (or start-up stops)."""
    names = settings.PORTAL_OIDC_REQUIRED_SETTINGS
    missing = [name for name in names if not getattr(settings, name, "")]
    if not missing or len(missing) == len(names):
        return []
    return [
        checks.Warning(
            f"Single sign-on is half configured: {', '.join(missing)} not set, so it is off.",
            hint="Set every one of "
            + ", ".join(names)
            + ' (README, "Single sign-on and provisioning"), or none of them.',
            id="careerportal.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def client_address_behind_https_proxy(app_configs, **kwargs) -> list[checks.Warning]:
    """Behind the HTTPS proxy every request comes from the proxy: throttling by address would pause everyone at once."""
    if not settings.PORTAL_HTTPS or settings.PORTAL_CLIENT_IP_HEADER:
        return []
    return [
        checks.Warning(
            "PORTAL_HTTPS is on but PORTAL_CLIENT_IP_HEADER is not set: every request seems to come from the proxy, "
            "so the log-in throttle counts every person's failures against one address.",
            hint="Set PORTAL_CLIENT_IP_HEADER to the header where the proxy puts the client's address, "
            'e.g. HTTP_X_REAL_IP (README, "Production").',
            id="careerportal.W002",
        )
    ]
