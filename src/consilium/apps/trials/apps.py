from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "consilium.apps.trials"
    label = "trials"
    verbose_name = "Clinical trials"
