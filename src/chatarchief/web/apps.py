from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "chatarchief.web"
    label = "web"
