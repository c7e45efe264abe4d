from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "chatarchief.audit"
    label = "audit"
