from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Confirmed fixes")

    def ready(self):
        # The signals keep the confirmed counts and the content version current; the check
        # registers with kb.validation's registry, so kb_check and the admin's "Content check"
        # page report disagreements without kb importing this app.
        # Learned priors reach the compiled content through the diagnosis' registry, so the
        # diagnosis (the lower layer) never imports this app.
        # The wizard's result shows the form through the diagnosis' registry too.
        from diagnosis import priors, result_form

        from . import signals, validation  # noqa: F401
        from .form_html import result_form_html
        from .learning import learned_priors

        priors.register(learned_priors)
        result_form.register(result_form_html)
