from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "chatarchief.access"
    label = "access"
