from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Confirmed fixes")

    def ready(self):
        # The signals keep the confirmed counts and the content version current; the check
        # registers with kb.validation's registry, so kb_check and the admin's "Content check"
        # page report disagreements without kb importing this app.
        from . import signals, validation  # noqa: F401
