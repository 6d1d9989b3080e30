"""Finding colleagues, for every app that lets one person share something with another."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy

SUGGESTIONS = 10  # colleagues offered as one types a name


class AmbiguousColleague(ValidationError):
    """More than one active colleague has the name typed: `matches` are theirs, for the person to choose."""

    def __init__(self, who: str, matches: list):
        self.matches = matches
        super().__init__(
            f"{len(matches)} colleagues are called “{who}”. Choose one, or type their username or email: "
            + ", ".join(colleague_label(colleague) for colleague in matches)
            + "."
        )


def colleague_label(colleague) -> str:
    """A colleague as a person picks them from several with one name: "Marcus Bell (mbell@example.com)"."""
    return f"{colleague.get_full_name() or colleague.get_username()} ({colleague.email or colleague.get_username()})"


def _active_colleagues() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(full_name=Concat("first_name", Value(" "), "last_name"))
    )


def colleagues_matching(text: str, *, owner) -> QuerySet:
    """Other active colleagues whose name, last name, username, email or job title (in the directory) starts with what
    was typed (suggestions). People who left are not active (careerportal.directory), so never offered."""
    text = " ".join(text.split())
    starts = Q(full_name__istartswith=text) | Q(last_name__istartswith=text)
    starts |= Q(username__istartswith=text) | Q(email__istartswith=text)
    starts |= Q(profile__job_title__istartswith=text)
    return (
        _active_colleagues()
        .filter(starts)
        .exclude(pk=owner.pk)
        .order_by("first_name", "last_name", "username")[:SUGGESTIONS]
    )


def colleague_find(*, owner, who: str):
    """An active colleague by username, email or full name (first and last, in any case); a clear error for nobody,
    for oneself, and for a name that several colleagues have (AmbiguousColleague, which lists them)."""
    who = " ".join(who.split())
    active = _active_colleagues()
    colleague = active.filter(username__iexact=who).first() or active.filter(email__iexact=who).first()
    if colleague is None:
        named = list(active.filter(full_name__iexact=who).order_by("username")[:SUGGESTIONS])
        others = [person for person in named if person.pk != owner.pk]
        if len(others) > 1:
            raise AmbiguousColleague(who, others)
        colleague = (others or named or [None])[0]
    if colleague is None:
        raise ValidationError(f"No colleague has the name, username or email “{who}”.")
    if colleague.pk == owner.pk:
        raise ValidationError("Choose a colleague other than yourself.")
    return colleague


class ColleagueField(forms.CharField):
    """A colleague typed as a name, username or email (colleague_find resolves it), with suggestions as one types
    (static/js/colleagues.js)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Colleague's name, username or email")
        super().__init__(max_length=254, **kwargs)

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "autocomplete": "off",
            "data-colleagues-url": reverse_lazy("colleagues"),
        }


def manager_of(user):
    """The user's manager in the directory, while they are still with the company; None otherwise. One query."""
    return (
        get_user_model()
        .objects.filter(direct_reports__user=user, is_active=True, profile__left_on__isnull=True)
        .first()
    )


def manager_suggest(form: forms.Form, manager, *, field: str = "colleague") -> None:
    """Offers the person's manager first in a form's colleague picker: the manager fills the empty field, and its help
    says who that is and that typing another name chooses someone else. A plain text field with a value, so nothing
    changes for the keyboard or a screen reader (the help is the field's description). No manager, nothing offered."""
    if manager is None:
        return
    form.initial.setdefault(field, manager.email or manager.get_username())
    form.fields[field].help_text = (
        f"Your manager, {manager.get_full_name() or manager.get_username()}, is filled in. "
        "To choose someone else, type their name, username or email instead."
    )


def colleague_offer(field: forms.Field, matches: list) -> None:
    """Turn a form's colleague field into a choice between `matches` (by username), after an ambiguous name."""
    field.widget = forms.RadioSelect(choices=[(person.get_username(), colleague_label(person)) for person in matches])


def person_for_colleagues(pk: int):
    """A colleague's entry in the directory, as every colleague may read it: their account with its profile (job
    title, function, level, location) and manager, in one query. Not found for people who left (inactive)."""
    people = get_user_model().objects.filter(is_active=True)
    return get_object_or_404(people.select_related("profile__function", "profile__level", "profile__manager"), pk=pk)
