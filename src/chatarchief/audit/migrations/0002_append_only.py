"""Audit events are written once: `at` set by the writer (no UPDATE after INSERT), and triggers that
refuse UPDATE and DELETE on the table (SQLite and PostgreSQL; see audit/triggers.py)."""

import django.utils.timezone
from django.db import migrations, models


def install(apps, schema_editor):
    from chatarchief.audit import triggers

    triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    from chatarchief.audit import triggers

    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.RunPython(install, remove),
    ]
