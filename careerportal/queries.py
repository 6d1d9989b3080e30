"""A short list read with its parent row, instead of in a query of its own."""

import json

from django.db.models import QuerySet, StringAgg, Subquery, TextField, Value
from django.db.models.functions import Cast, JSONArray


def listed(queryset: QuerySet, *fields: str, by: str) -> Subquery:
    """The rows of `queryset` (filtered on the parent through OuterRef, or not at all) grouped by `by`, each a JSON
    list of `fields`, in one text to annotate on the parent; `rows()` reads it back. In no given order (not every
    SQLite can order an aggregate): the reader sorts them."""
    as_json = Cast(JSONArray(*fields), TextField())
    return Subquery(queryset.order_by().values(by).annotate(rows=StringAgg(as_json, Value(","))).values("rows"))


def rows(text: str | None) -> list[list]:
    """The rows that `listed()` put in one text."""
    return json.loads(f"[{text}]") if text else []
