"""Django application configuration of the runs app."""

from django.apps import AppConfig


class RunsConfig(AppConfig):
    """The runs app: models, services, views, consumers and tasks of runs."""

    name = "dashboard.runs"
    label = "runs"
    default_auto_field = "django.db.models.BigAutoField"
