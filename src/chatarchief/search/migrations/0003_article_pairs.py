"""PostgreSQL: the tsvectors indexed before article pairs (``^de begrot``, core.search.compile.pairs)
are rebuilt from their entries' text, so that a phrase may ask GIN for its pairs on every custodian.
A document is derived data (`to_tsvector(index_forms(entry.text))`, as the indexer writes it); its
stems, positions and variants come out as before, the pairs are added. The search's word counts are
unchanged (marked lexemes are not counted). SQLite needs nothing: FTS5 keeps positions in its index.
Going back leaves the pairs in place (the code before this migration ignores them)."""

from django.db import migrations

BATCH = 5_000
READ = (
    "SELECT d.id, e.text FROM search_document d JOIN search_searchentry e ON e.id = d.id"
    " WHERE d.id > %s ORDER BY d.id LIMIT %s"
)
WRITE = (
    "UPDATE search_document d SET document = v.document::tsvector"
    " FROM unnest(%s::bigint[], %s::text[]) AS v(id, document) WHERE d.id = v.id"
)


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from chatarchief.core.search import index_forms, to_tsvector

    last = -(2**63)
    with schema_editor.connection.cursor() as cursor:
        while True:
            cursor.execute(READ, [last, BATCH])
            rows = cursor.fetchall()
            if not rows:
                return
            documents = []
            for _, text in rows:
                forms = index_forms(text or "")
                documents.append(to_tsvector(forms.stems, forms.variants))
            cursor.execute(WRITE, [[key for key, _ in rows], documents])
            last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("search", "0002_termcount")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=False)]
