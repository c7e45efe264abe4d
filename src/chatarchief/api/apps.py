from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chatarchief.api"
    label = "api"
    verbose_name = "Koppelvlak (API)"
    default_auto_field = "django.db.models.BigAutoField"
