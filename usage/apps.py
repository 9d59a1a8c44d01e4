from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    name = "usage"
    verbose_name = _("Usage")

    def ready(self):
        # The wizard tells its steps through a signal the diagnosis owns, so the diagnosis
        # (the lower layer) never imports this app.
        from diagnosis.signals import step_rendered

        from .events import attach_step_events

        step_rendered.connect(attach_step_events, dispatch_uid="usage-step-events")
