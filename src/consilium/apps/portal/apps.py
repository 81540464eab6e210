from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "consilium.apps.portal"
    label = "portal"
    verbose_name = "Member and physician portals"
