from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "chatarchief.archive"
    label = "archive"
    verbose_name = "Archief"
