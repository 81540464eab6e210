from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "consilium.apps.people"
    label = "people"
    verbose_name = "People"
