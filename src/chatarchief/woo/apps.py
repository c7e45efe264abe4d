from django.apps import AppConfig


class WooConfig(AppConfig):
    name = "chatarchief.woo"
    label = "woo"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Woo"
