from django.apps import AppConfig


class DecisionConfig(AppConfig):
    name = "consilium.apps.decision"
    label = "decision"
    verbose_name = "Decision support"
