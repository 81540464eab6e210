from django.apps import AppConfig


class PreparationConfig(AppConfig):
    name = "consilium.apps.preparation"
    label = "preparation"
    verbose_name = "Case preparation"
