from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "consilium.apps.outreach"
    label = "outreach"
    verbose_name = "Outreach"
