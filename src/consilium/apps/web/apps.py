from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "consilium.apps.web"
    label = "web"
    verbose_name = "Web"
