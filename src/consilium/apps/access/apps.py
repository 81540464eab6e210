from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "consilium.apps.access"
    label = "access"
    verbose_name = "Access and audit"
