"""Full-text search over published stories, in each database's own engine, behind one small function.

PostgreSQL: a tsvector of each document with a GIN index matches (websearch_to_tsquery), and a small weighted one
(title, summary, storyteller) ranks, so ranking reads no large vector. SQLite: an FTS5 table over the same documents
(porter stemming), kept in sync by triggers, whose rowid is the story's id, ranked with bm25. Both read the same query
syntax: words, "quoted phrases", OR, and -minus; anything else is treated as words, so no query can raise an error.

Rank: the title above the summary above the storyteller, and on SQLite (where it costs nothing more) the story's text
and transcript below them. Skills, by name or alternative label, find a story but never rank it, and the extract
comes from the story's own text: a match through a skill is shown as that skill (`Extract.skills`).
"""

import difflib
import json
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from skills.models import Skill
from stories.models import Opportunity, Story, StorySearchDocument
from stories.text import cue_plain_text

MAX_QUERY = 200
MARK_START, MARK_END = "\x02", "\x03"
# bm25 weights, in the FTS5 table's column order (migration 0012): title, summary, people, body, transcript, skills.
BM25_WEIGHTS = "10.0, 5.0, 3.0, 2.0, 2.0, 0.0"
# ts_rank weights of the ranked vector's labels, in PostgreSQL's order: D (unused), C people, B summary, A title.
TS_RANK_WEIGHTS = "{0, 0.3, 0.5, 1.0}"
# Highlighting options of an extract (ts_headline), and the most words of one (snippet).
HEADLINE = "StartSel=\x02, StopSel=\x03, MaxWords=30, MinWords=12, ShortWord=2"
HEADLINE_CHARS = 3000  # of each text, on PostgreSQL
SNIPPET_WORDS = 24
EXTRACT_FROM = ("body", "transcript", "summary")  # the first that matched gives the extract
# A skill's line in the document: its name, then this before each alternative label and after the name even when it
# has none (documents written before it have one line of every name and label: they show no matched skill).
SKILL_SEPARATOR = "\t"
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


@dataclass(frozen=True)
class Extract:
    """Why a story was found: a highlighted extract of its own text that matched, and the skills that matched."""

    text: SafeString | None = None
    skills: list[str] = field(default_factory=list)


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


def search(query: Query) -> list[int]:
    """The ids of the stories matching the query, best first: all of them, in one query, so that the page, its facets
    and its count read them from here rather than matching again (see `story_ids`)."""
    if not query:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT m.story_id FROM websearch_to_tsquery('english', %s) q, stories_search_match(q) m "
                "ORDER BY ts_rank(%s, m.ranked, q) DESC, m.story_id",
                [_websearch(query), TS_RANK_WEIGHTS],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM stories_search_index WHERE stories_search_index MATCH %s "
                f"ORDER BY bm25(stories_search_index, {BM25_WEIGHTS}), rowid",
                [_fts5(query)],
            )
        return [row[0] for row in cursor.fetchall()]


def story_ids(ids: list[int]) -> RawSQL:
    """A subquery of these story ids, sent as one parameter (thousands of matches cost no more to send than one)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


def snippets(query: Query, ids: list[int]) -> dict[int, Extract]:
    """Why each story matched: a highlighted extract (escaped, with <mark> around matches) of the first of its text,
    transcript or summary that matched, and the names of its skills that matched by name or alternative label."""
    if not query or not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ts_headline parses every word it is given (3 ms a 2,000-word story): it reads the opening of each text.
            texts = ", ".join(
                f"ts_headline('english', left(d.{column}, {HEADLINE_CHARS}), q, %s)" for column in EXTRACT_FROM
            )
            cursor.execute(
                f"SELECT d.story_id, {texts}, ts_headline('english', d.skills, q, %s) "
                "FROM stories_storysearchdocument d, websearch_to_tsquery('english', %s) q "
                f"WHERE d.story_id IN ({placeholders})",
                [HEADLINE, HEADLINE, HEADLINE, f"{HEADLINE}, HighlightAll=true", _websearch(query), *ids],
            )
        else:
            columns = ("title", "summary", "people", "body", "transcript", "skills")  # of stories_search_index
            texts = ", ".join(
                f"snippet(stories_search_index, {columns.index(name)}, char(2), char(3), '…', {SNIPPET_WORDS})"
                for name in EXTRACT_FROM
            )
            cursor.execute(
                f"SELECT rowid, {texts}, highlight(stories_search_index, {columns.index('skills')}, char(2), char(3)) "
                f"FROM stories_search_index WHERE stories_search_index MATCH %s AND rowid IN ({placeholders})",
                [_fts5(query), *ids],
            )
        return {story_id: _extract(texts, skills) for story_id, *texts, skills in cursor.fetchall()}


def _extract(texts: list[str | None], skills: str) -> Extract:
    matched = next((text for text in texts if text and MARK_START in text), None)
    names = [
        line.split(SKILL_SEPARATOR)[0].replace(MARK_START, "").replace(MARK_END, "").strip()
        for line in skills.splitlines()
        if MARK_START in line and SKILL_SEPARATOR in line
    ]
    return Extract(_highlight(matched) if matched else None, names)


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


# Opportunities: few are open at any time (dozens, a few hundred in a large organisation), so they need no document of
# their own. The open ones not yet closed are found through their index (opportunity_state_closes_idx), then their
# titles and descriptions are matched word by word, with the same query syntax as stories (no stemming).


def _words_in_opportunity(phrase: tuple[str, ...]) -> Q:
    text = " ".join(phrase)
    return Q(title__icontains=text) | Q(description__icontains=text)


def opportunity_matching(query: Query) -> Q:
    """A filter of opportunities whose title or description holds every group of the query (a phrase of each group
    as written) and none of its excluded phrases."""
    matching = Q()
    for group in query.groups:
        alternatives = Q(pk__in=[])
        for phrase in group:
            alternatives |= _words_in_opportunity(phrase)
        matching &= alternatives
    for phrase in query.excluded:
        matching &= ~_words_in_opportunity(phrase)
    return matching


def opportunities(query: Query, *, limit: int = 3) -> list[Opportunity]:
    """Visible opportunities matching the query, the newest first, as cards (two queries)."""
    if not query:
        return []
    return list(Opportunity.cards().visible().filter(opportunity_matching(query))[:limit])


# Keeping the documents in step with the stories.


def document_update(story: Story) -> None:
    """Writes the story's search document, or removes it when the story is not published."""
    if story.status != Story.Status.PUBLISHED:
        StorySearchDocument.objects.filter(story_id=story.pk).delete()
        return
    teller = story.storyteller
    skills = [SKILL_SEPARATOR.join([skill.name, *skill.alternative_label_list, ""]) for skill in story.skills.all()]
    StorySearchDocument.objects.update_or_create(
        story=story,
        defaults={
            "title": story.title,
            "skills": "\n".join(skills),
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
