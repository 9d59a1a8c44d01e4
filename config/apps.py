from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project's shell as an app, so its deploy checks register themselves here rather
    than through an app below it (kb imported config.checks to do it)."""

    name = "config"
    verbose_name = "Project"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy checks)
        from .housekeeping import take_off_idle_receivers

        take_off_idle_receivers()
