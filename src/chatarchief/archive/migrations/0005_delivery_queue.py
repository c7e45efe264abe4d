# Background ingest (issue 20): queue fields on Delivery, one ingested delivery per original and
# custodian, the periodic-run ledger of the worker.

from django.db import migrations, models


def settle_duplicates(apps, schema_editor):
    """Before the constraint: a second `ingested` delivery of the same original (possible before
    this migration, when two arrived at once) becomes a duplicate of the first."""
    Delivery = apps.get_model("archive", "Delivery")
    seen: dict[tuple[int, str], int] = {}
    for pk, custodian_id, sha256 in (
        Delivery.objects.filter(status="ingested").order_by("id").values_list("id", "custodian_id", "sha256")
    ):
        first = seen.setdefault((custodian_id, sha256), pk)
        if first != pk:
            Delivery.objects.filter(pk=pk).update(status="duplicate", duplicate_of_id=first)
    Delivery.objects.filter(status="received").update(status="queued")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0004_delivery_original_removable"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery", name="requested_exported_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="delivery", name="secret_blob", field=models.CharField(blank=True, max_length=64)
        ),
        migrations.AddField(model_name="delivery", name="attempts", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="delivery", name="worker", field=models.CharField(blank=True, max_length=200)),
        migrations.AddField(
            model_name="delivery", name="started_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="delivery", name="finished_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AlterField(
            model_name="delivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("received", "Ontvangen"),
                    ("queued", "In de wachtrij"),
                    ("running", "Wordt verwerkt"),
                    ("ingested", "Verwerkt"),
                    ("duplicate", "Dubbel aangeleverd"),
                    ("failed", "Mislukt"),
                ],
                default="received",
                max_length=16,
            ),
        ),
        migrations.RunPython(settle_duplicates, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["status", "received_at"], name="delivery_queue"),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "ingested")),
                fields=("custodian", "sha256"),
                name="delivery_ingested_once",
            ),
        ),
        migrations.CreateModel(
            name="PeriodicRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
                ("day", models.DateField()),
                ("enqueued_at", models.DateTimeField(auto_now_add=True)),
                ("worker", models.CharField(blank=True, max_length=200)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("name", "day"), name="periodic_run_once")],
            },
        ),
    ]
