"""PostgreSQL: the search entries carry their own full-text vectors (portal.searching.PostgresEngine).

`vector` holds every word (the title's weighted A), `title_vector` the title's words alone; PostgreSQL computes
both from the folded words whenever an entry is written (generated columns), so no code path can forget them.
The table is kept narrow: its long texts and `vector` live out of line (TOAST), `title_vector` in the row, so that
counting and faceting tens of thousands of matches reads a few megabytes, and only the best candidates' full
vectors are read to rank them. SQLite and the search servers index through modelsearch and need none of it.
"""

from django.db import migrations

FORWARD = [
    """
ALTER TABLE portal_searchentry
    ADD COLUMN title_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, title_terms)) STORED,
    ADD COLUMN vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || to_tsvector('simple'::regconfig, terms)
        ) STORED,
    ALTER COLUMN title_vector SET STORAGE MAIN,
    ALTER COLUMN vector SET STORAGE EXTERNAL,
    SET (toast_tuple_target = 128)
""",
    "CREATE INDEX portal_searchentry_vector ON portal_searchentry USING gin (vector)",
    "CREATE INDEX portal_searchentry_title_vector ON portal_searchentry USING gin (title_vector)",
]

BACKWARD = [
    "DROP INDEX portal_searchentry_title_vector",
    "DROP INDEX portal_searchentry_vector",
    "ALTER TABLE portal_searchentry DROP COLUMN vector, DROP COLUMN title_vector, RESET (toast_tuple_target)",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_provenance")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
