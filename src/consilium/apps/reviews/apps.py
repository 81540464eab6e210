from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "consilium.apps.reviews"
    label = "reviews"
    verbose_name = "Reviews"
