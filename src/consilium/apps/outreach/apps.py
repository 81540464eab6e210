from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "consilium.apps.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        # Register the scan task in every process, including one whose queue consumer
        # was started in-process (the demo) rather than by `run_huey`'s autodiscovery.
        from consilium.apps.outreach import tasks  # noqa: F401
