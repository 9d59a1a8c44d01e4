from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """No models of its own: it registers the admins of the content apps below it."""

    name = "staff"
    verbose_name = _("Staff tools")
