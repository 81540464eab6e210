from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "consilium.apps.cases"
    label = "cases"
    verbose_name = "Cases"
