from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "consilium.apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"
