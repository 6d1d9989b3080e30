"""Full-text search over published stories, in each database's own engine, behind one small function.

PostgreSQL: a weighted, generated tsvector column with a GIN index, queried with websearch_to_tsquery.
SQLite: an FTS5 table over the same documents (porter stemming), kept in sync by triggers, ranked with bm25.
Both read the same query syntax: words, "quoted phrases", OR, and -minus; anything else is treated as words, so
no query can raise an error. Weights: title and skills above summary and people above body above transcript.
"""

import difflib
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from skills.models import Skill
from stories.models import Story, StorySearchDocument
from stories.text import cue_plain_text

MAX_QUERY = 200
MARK_START, MARK_END = "\x02", "\x03"
# bm25 weights, in the FTS5 table's column order: title, skills, summary, people, body, transcript.
BM25_WEIGHTS = "10.0, 10.0, 4.0, 4.0, 2.0, 1.0"
TOKENS = re.compile(r'-?"[^"]*"?|\S+')
WORDS = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Query:
    """A parsed query: groups joined by AND, each a list of alternatives (OR), each a phrase of words."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...]
    text: str

    @property
    def terms(self) -> list[str]:
        return [word for group in self.groups for phrase in group for word in phrase]

    def __bool__(self) -> bool:
        return bool(self.groups)


def parse(text: str) -> Query:
    text = (text or "").strip()[:MAX_QUERY]
    groups: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    join_next = False
    for token in TOKENS.findall(text):
        if token == "OR":
            join_next = bool(groups)
            continue
        negative = token.startswith("-") and len(token) > 1
        phrase = tuple(word.lower() for word in WORDS.findall(token))
        if not phrase:
            continue
        if negative:
            excluded.append(phrase)
        elif join_next:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        join_next = False
    return Query(tuple(tuple(group) for group in groups), tuple(excluded), text)


def _fts5(query: Query) -> str:
    def phrase(words: tuple[str, ...]) -> str:
        return '"' + " ".join(words) + '"'

    positive = " AND ".join("(" + " OR ".join(phrase(p) for p in group) + ")" for group in query.groups)
    return positive + "".join(f" NOT {phrase(p)}" for p in query.excluded)


def _websearch(query: Query) -> str:
    groups = " ".join(" OR ".join('"' + " ".join(p) + '"' for p in group) for group in query.groups)
    return groups + "".join(' -"' + " ".join(p) + '"' for p in query.excluded)


def matching(query: Query) -> list[int]:
    """The ids of the published stories matching the query, unranked (cheaper than ranking them all): for filters,
    facets and counts."""
    if connection.vendor == "postgresql":
        hit = RawSQL("vector @@ websearch_to_tsquery('english', %s)", [_websearch(query)], output_field=BooleanField())
        documents = StorySearchDocument.objects.filter(hit)
    else:
        documents = StorySearchDocument.objects.filter(
            pk__in=RawSQL("SELECT rowid FROM stories_search_fts WHERE stories_search_fts MATCH %s", [_fts5(query)])
        )
    return list(documents.values_list("story_id", flat=True))


def search(query: Query, *, among: QuerySet | None = None, limit: int = 1000, offset: int = 0) -> list[int]:
    """Ids of published stories matching the query (and in `among`, a query of story ids), best first: only the
    `limit` from `offset` are read, so a results page ranks every match but extracts only its own."""
    if not query:
        return []
    narrow, narrow_params = "", []
    if among is not None:
        sql, narrow_params = among.values("pk").query.sql_with_params()
        narrow = f"AND d.story_id IN ({sql}) "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT d.story_id FROM stories_storysearchdocument d, websearch_to_tsquery('english', %s) q "
                f"WHERE d.vector @@ q {narrow}ORDER BY ts_rank_cd(d.vector, q) DESC, d.story_id LIMIT %s OFFSET %s",
                [_websearch(query), *narrow_params, limit, offset],
            )
        else:
            cursor.execute(
                f"SELECT d.story_id FROM stories_search_fts f JOIN stories_storysearchdocument d ON d.id = f.rowid "
                f"WHERE stories_search_fts MATCH %s {narrow}"
                f"ORDER BY bm25(stories_search_fts, {BM25_WEIGHTS}), d.story_id LIMIT %s OFFSET %s",
                [_fts5(query), *narrow_params, limit, offset],
            )
        return [row[0] for row in cursor.fetchall()]


def snippets(query: Query, story_ids: list[int]) -> dict[int, SafeString]:
    """A highlighted extract of each story's best matching text (escaped, with <mark> around matches)."""
    if not query or not story_ids:
        return {}
    placeholders = ", ".join(["%s"] * len(story_ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT d.story_id, ts_headline('english', concat_ws(' … ', d.summary, d.body, d.transcript), "
                "websearch_to_tsquery('english', %s), "
                "'StartSel=\x02, StopSel=\x03, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2') "
                f"FROM stories_storysearchdocument d WHERE d.story_id IN ({placeholders})",
                [_websearch(query), *story_ids],
            )
        else:
            cursor.execute(
                "SELECT d.story_id, snippet(stories_search_fts, -1, char(2), char(3), '…', 24) "
                "FROM stories_search_fts f JOIN stories_storysearchdocument d ON d.id = f.rowid "
                f"WHERE stories_search_fts MATCH %s AND d.story_id IN ({placeholders})",
                [_fts5(query), *story_ids],
            )
        return {story_id: _highlight(text) for story_id, text in cursor.fetchall()}


def _highlight(text: str) -> SafeString:
    return mark_safe(escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S308


def moment(story: Story, query: Query) -> tuple[int, str] | None:
    """The first caption (second, text) of a video or podcast where the query's words are spoken."""
    if not story.transcript_cues:
        return None
    stems = [word[: max(4, len(word) - 2)] for word in query.terms]
    phrases = [" ".join(p) for group in query.groups for p in group if len(p) > 1]
    for start, _end, cue in story.transcript_cues:
        text = cue_plain_text(cue)  # the words said, without the captions' markup
        lowered = text.lower()
        words = WORDS.findall(lowered)
        if any(p in lowered for p in phrases) or any(w.startswith(s) for s in stems for w in words):
            return int(start), text
    return None


def suggest_skills(text: str, *, limit: int = 5) -> list[Skill]:
    """Skills whose names or alternative labels are close to what was typed, for a search with no result."""
    text = text.strip().lower()[:MAX_QUERY]
    if not text:
        return []
    labels: dict[str, int] = {}
    for pk, name, alternatives in Skill.objects.taggable().values_list("pk", "name", "alternative_labels"):
        for label in [name, *alternatives.splitlines()]:
            labels.setdefault(label.strip().lower(), pk)
    close = difflib.get_close_matches(text, labels, n=limit * 2, cutoff=0.6)
    close += [label for label in labels if text in label and label not in close]
    ids = list(dict.fromkeys(labels[label] for label in close))[:limit]
    found = Skill.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


# Keeping the documents in step with the stories.


def document_update(story: Story) -> None:
    """Writes the story's search document, or removes it when the story is not published."""
    if story.status != Story.Status.PUBLISHED:
        StorySearchDocument.objects.filter(story_id=story.pk).delete()
        return
    teller = story.storyteller
    skills = [f"{skill.name} {' '.join(skill.alternative_label_list)}" for skill in story.skills.all()]
    StorySearchDocument.objects.update_or_create(
        story=story,
        defaults={
            "title": story.title,
            "skills": " ".join(skills),
            "summary": story.summary,
            "people": f"{teller.name} {teller.role_title} {teller.function} {teller.level}",
            "body": story.body,
            "transcript": story.transcript,
        },
    )


def documents_rebuild(stories: QuerySet | None = None) -> int:
    """Rewrites the documents of `stories` (default: all; after a bulk change, or to fill a restored database's index).

    Returns how many published stories now have a document.
    """
    stories = Story.objects.all() if stories is None else stories
    StorySearchDocument.objects.filter(story__in=stories.exclude(status=Story.Status.PUBLISHED).values("pk")).delete()
    published = stories.filter(status=Story.Status.PUBLISHED).select_related(
        "storyteller__function", "storyteller__level"
    )
    count = 0
    for story in published.prefetch_related("skills").iterator(chunk_size=500):
        document_update(story)
        count += 1
    return count
