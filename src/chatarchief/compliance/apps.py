from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "chatarchief.compliance"
    label = "compliance"
