"""Search ranks on the story's own words, cheaply (see stories.search).

SQLite: a new FTS5 table over the same documents whose rowid is the story's id, so a search reads no document row
(0004's table is keyed by the document's id: finding each match's story read every matching document, 20 ms for a
common word). PostgreSQL: a small weighted tsvector of the title, summary and storyteller to rank by, beside 0004's
vector of everything, which still matches through its GIN index; and a function that matches through that index.

Additive, so the previous release keeps searching while it runs: 0004's FTS5 table and its triggers stay, unused by
this release (only kept in step for the old code), until a later release drops them.
"""

from django.db import migrations

COLUMNS = ("title", "summary", "people", "body", "transcript", "skills")
TABLE = "stories_storysearchdocument"
FTS = "stories_search_index"


def _values(row: str) -> str:
    return ", ".join(f"{row}.{column}" for column in COLUMNS)


SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5({', '.join(COLUMNS)}, content='{TABLE}', content_rowid='story_id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, {', '.join(COLUMNS)}) VALUES (new.story_id, {_values('new')}); END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, {', '.join(COLUMNS)}) VALUES ('delete', old.story_id, {_values('old')}); END",
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, {', '.join(COLUMNS)}) VALUES ('delete', old.story_id, {_values('old')}); "
    f"INSERT INTO {FTS}(rowid, {', '.join(COLUMNS)}) VALUES (new.story_id, {_values('new')}); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",  # index the documents there are
]
SQLITE_DROP = [f"DROP TABLE IF EXISTS {FTS}"] + [f"DROP TRIGGER IF EXISTS {FTS}_{t}" for t in ("insert", "delete", "update")]

# Small enough to be stored in the row (no TOAST to read per match): the story's text only matches, through `vector`.
RANKED = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(people, '')), 'C')"
)
POSTGRES_CREATE = [
    f"ALTER TABLE {TABLE} ADD COLUMN ranked tsvector GENERATED ALWAYS AS ({RANKED}) STORED",
    # The planner prices `vector @@ query` as cheap and so reads every row for a common word (28 ms at 5,000 stories:
    # each large vector is fetched from TOAST); the GIN index answers a word without reading a vector (1.4 ms). The
    # index is never slower, so the search asks for it. Returns what ranking needs: the story and its small vector.
    "CREATE FUNCTION stories_search_match(query tsquery) RETURNS TABLE (story_id bigint, ranked tsvector) "
    "LANGUAGE sql STABLE SET enable_seqscan = off "
    f"AS $$ SELECT d.story_id, d.ranked FROM {TABLE} d WHERE d.vector @@ query $$",
]
POSTGRES_DROP = [
    "DROP FUNCTION IF EXISTS stories_search_match(tsquery)",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS ranked",
]


def create(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, []):
        schema_editor.execute(statement)


def drop(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("stories", "0011_career_move_story_kind_index")]
    operations = [migrations.RunPython(create, drop)]
