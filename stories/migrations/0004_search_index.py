"""The full-text index of StorySearchDocument, in each database's own engine (see stories/search.py)."""

from django.db import migrations

COLUMNS = ("title", "skills", "summary", "people", "body", "transcript")
TABLE = "stories_storysearchdocument"
FTS = "stories_search_fts"

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5({', '.join(COLUMNS)}, content='{TABLE}', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, {', '.join(COLUMNS)}) VALUES (new.id, {', '.join('new.' + c for c in COLUMNS)}); END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, {', '.join(COLUMNS)}) "
    f"VALUES ('delete', old.id, {', '.join('old.' + c for c in COLUMNS)}); END",
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, {', '.join(COLUMNS)}) "
    f"VALUES ('delete', old.id, {', '.join('old.' + c for c in COLUMNS)}); "
    f"INSERT INTO {FTS}(rowid, {', '.join(COLUMNS)}) VALUES (new.id, {', '.join('new.' + c for c in COLUMNS)}); END",
]
SQLITE_DROP = [f"DROP TABLE IF EXISTS {FTS}"] + [f"DROP TRIGGER IF EXISTS {FTS}_{t}" for t in ("insert", "delete", "update")]

WEIGHTS = {"title": "A", "skills": "A", "summary": "B", "people": "B", "body": "C", "transcript": "D"}
VECTOR = " || ".join(f"setweight(to_tsvector('english', coalesce({c}, '')), '{w}')" for c, w in WEIGHTS.items())
POSTGRES_CREATE = [
    f"ALTER TABLE {TABLE} ADD COLUMN vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED",
    # /search/ matches on this column.
    f"CREATE INDEX stories_search_vector_idx ON {TABLE} USING GIN (vector)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS stories_search_vector_idx", f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS vector"]


def create(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, []):
        schema_editor.execute(statement)


def drop(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("stories", "0003_search")]
    operations = [migrations.RunPython(create, drop)]
