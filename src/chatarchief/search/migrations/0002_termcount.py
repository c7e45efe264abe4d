"""PostgreSQL: how many indexed messages of each custodian hold each stem (`search_termcount`), kept
by the indexer beside the tsvectors. The total of a one-word search is then a sum over the
custodians it may see instead of a count that visits a heap page per hit (GIN has no index-only
count): 19-20 ms for a common word on a million messages before. Rows indexed before this migration
are counted here. SQLite needs none: FTS5 counts from its own index."""

from django.db import migrations

# every stem (not the marked `~` variants and `^` article pairs) of the indexed documents, counted per custodian
COUNTS = (
    "SELECT u.lexeme, d.custodian_id, count(*) FROM search_document d, unnest(d.document) AS u"
    " WHERE left(u.lexeme, 1) NOT IN ('~', '^') GROUP BY u.lexeme, d.custodian_id"
)
CREATE = (
    "CREATE TABLE search_termcount (lexeme text NOT NULL, custodian_id bigint NOT NULL,"
    " n integer NOT NULL CHECK (n > 0), PRIMARY KEY (lexeme, custodian_id) INCLUDE (n))",
    f"INSERT INTO search_termcount (lexeme, custodian_id, n) {COUNTS}",
)
DROP = ("DROP TABLE IF EXISTS search_termcount",)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
