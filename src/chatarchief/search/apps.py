from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "chatarchief.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from chatarchief.search.backends import clear_fulltext_without_entries

        # `flush` (and the test runner's between transactional tests) empties the model tables and
        # then sends post_migrate: the full-text tables Django does not know follow them.
        post_migrate.connect(clear_fulltext_without_entries, sender=self, dispatch_uid="search.clear_fulltext")

        # every ingested delivery is indexed at once (idempotent: a duplicate or a repeat costs a check)
        from chatarchief.intake import pipeline
        from chatarchief.search.ingest_hook import HOOK

        pipeline.register_exclusion_hook(HOOK)
