from django.apps import AppConfig


class PreservationConfig(AppConfig):
    name = "chatarchief.preservation"
    label = "preservation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the ADR report and the dashboard show the last fixity run (compliance asks; we answer)
        from chatarchief.compliance import report
        from chatarchief.preservation import services

        report.register_fixity_source(services.last_fixity_run)
