from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """The ingest pipeline above the archive's storage: receive, parse, load, findings, cadence, receipt."""

    name = "chatarchief.intake"
    label = "intake"
