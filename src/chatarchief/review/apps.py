from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "chatarchief.review"
    label = "review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from chatarchief.compliance import private_contacts
        from chatarchief.intake import pipeline
        from chatarchief.review import contacts, ingest_hook
        from chatarchief.search import services as search

        # decided private or party conversations never show in a search, and never come back at ingest
        search.register_exclusion(ingest_hook.excluded_conversation_ids)
        pipeline.register_exclusion_hook(ingest_hook.HOOK)
        # private_contact findings: compliance matches participants against the review app's contacts
        private_contacts.register_contact_source(contacts.book_for)
