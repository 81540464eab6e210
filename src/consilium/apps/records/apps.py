from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "consilium.apps.records"
    label = "records"
    verbose_name = "Records"
