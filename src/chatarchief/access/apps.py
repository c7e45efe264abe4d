from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "chatarchief.access"
    label = "access"

    def ready(self) -> None:
        from chatarchief.access import authn  # noqa: F401  (connects the login signal receivers)
