from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "consilium.apps.demo"
    label = "demo"
    verbose_name = "Demo"
