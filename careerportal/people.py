"""Finding colleagues, for every app that lets one person share something with another."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError


def colleague_find(*, owner, who: str):
    """An active colleague by username or email; a clear error for nobody, or for oneself."""
    User = get_user_model()
    who = who.strip()
    colleague = (
        User.objects.filter(is_active=True, username__iexact=who).first()
        or User.objects.filter(is_active=True, email__iexact=who).first()
    )
    if colleague is None:
        raise ValidationError(f"No colleague has the username or email “{who}”.")
    if colleague.pk == owner.pk:
        raise ValidationError("Choose a colleague other than yourself.")
    return colleague
