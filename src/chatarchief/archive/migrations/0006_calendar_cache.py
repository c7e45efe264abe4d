"""The table of the `calendars` cache (settings.CACHES): conversation calendars shared by the web
processes and the workers when no Redis is configured (archive.services.timeline)."""

from django.core.management import call_command
from django.db import migrations


def create(apps, schema_editor):
    call_command("createcachetable", "chatarchief_calendar_cache", database=schema_editor.connection.alias)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS chatarchief_calendar_cache")


class Migration(migrations.Migration):
    dependencies = [("archive", "0005_delivery_queue")]
    operations = [migrations.RunPython(create, drop)]
