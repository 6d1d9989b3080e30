"""The GOV.UK error pattern in one place: base.html asks `{% form_problems as form_problems %}` for what went wrong in
the forms its page was given, titles the page "Error: …" and lists each problem as a link to its field."""

from django import template
from django.forms import BaseForm, BaseFormSet
from django.forms.forms import NON_FIELD_ERRORS

register = template.Library()


def field_anchor(bound_field) -> str:
    """The id a link to the field moves to: the input itself, or the first option of a group of radios or boxes."""
    return bound_field.id_for_label or f"{bound_field.auto_id}_0"


def _first_field(form) -> str:
    visible = form.visible_fields()
    return f"#{field_anchor(visible[0])}" if visible else ""


@register.simple_tag(takes_context=True)
def form_problems(context) -> list[tuple[str, str]]:
    """(message, "#id") for every error of every bound form in the page's context, in the order of the fields.

    A form-wide error (and one on a hidden field) links to the form's first visible field. A form whose invalid input
    is ignored rather than refused (the story filters: a warning, and the results without that filter) says so with
    `errors_are_warnings = True` and is left out: nothing was refused, so the page is no error page."""
    problems = []
    forms = {}
    for value in context.flatten().values():
        kind = type(value)  # not isinstance(), which would evaluate a lazy object (request.user) to answer
        if issubclass(kind, BaseFormSet) and value.is_bound:
            if value.non_form_errors() and value.forms:
                problems.extend((error, _first_field(value.forms[0])) for error in value.non_form_errors())
            forms.update((id(form), form) for form in value.forms)
        elif issubclass(kind, BaseForm):
            forms[id(value)] = value
    for form in forms.values():
        if not form.is_bound or getattr(form, "errors_are_warnings", False) or not form.errors:
            continue
        first = _first_field(form)
        for name, errors in form.errors.items():
            field = form.fields.get(name) if name != NON_FIELD_ERRORS else None
            anchor = first if field is None or field.widget.is_hidden else f"#{field_anchor(form[name])}"
            problems.extend((error, anchor) for error in errors)
    return problems
