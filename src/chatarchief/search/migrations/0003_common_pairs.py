"""PostgreSQL: rows indexed before get the pair lexemes of adjacent stems of which one is common
(``^de minister``, see `core.search.compile.COMMON_STEMS`), worked out from the positions their
tsvectors hold, so phrases that ask for their pairs find them too. SQLite needs none: FTS5 phrases
read positions from its own index."""

from django.db import migrations

from chatarchief.core.search.compile import COMMON_STEMS, PAIR_MARK

# id -> the pair lexemes of its tsvector (the stems at positions p and p + 1, one of them common)
PAIRS = (
    "SELECT s.id, array_agg(DISTINCT %s || s.lexeme || ' ' || s.next) AS pairs FROM ("
    " SELECT x.id, w.lexeme, w.pos,"
    " lead(w.lexeme) OVER (PARTITION BY x.id ORDER BY w.pos) AS next,"
    " lead(w.pos) OVER (PARTITION BY x.id ORDER BY w.pos) AS next_pos"
    " FROM search_document x, LATERAL (SELECT u.lexeme, p AS pos FROM unnest(x.document) AS u, unnest(u.positions) AS p"
    " WHERE left(u.lexeme, 1) NOT IN ('~', '^')) AS w) AS s"
    " WHERE s.next_pos = s.pos + 1 AND (s.lexeme = ANY(%s) OR s.next = ANY(%s)) GROUP BY s.id"
)
ADD = f"UPDATE search_document d SET document = d.document || array_to_tsvector(q.pairs) FROM ({PAIRS}) AS q WHERE d.id = q.id"
REMOVE = (
    "UPDATE search_document SET document = ts_delete(document,"
    " ARRAY(SELECT u.lexeme FROM unnest(document) AS u WHERE left(u.lexeme, 1) = '^'))"
)


def params() -> list[object]:
    common = sorted(COMMON_STEMS)
    return [PAIR_MARK, common, common]


def add_pairs(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(ADD, params())


def remove_pairs(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_termcount")]

    operations = [migrations.RunPython(add_pairs, remove_pairs, elidable=False)]
