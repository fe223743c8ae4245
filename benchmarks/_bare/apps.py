from django.apps import AppConfig


class BareConfig(AppConfig):
    name = "benchmarks._bare"
    label = "benchbare"
    default_auto_field = "django.db.models.BigAutoField"
