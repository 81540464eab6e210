from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "consilium.apps.reports"
    label = "reports"
    verbose_name = "Reports"
