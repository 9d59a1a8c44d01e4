from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "diagnosis"

    def ready(self):
        # The engine's content checks register with kb.validation's registry, so kb_check, the
        # admin's "Content check" page and the message after a save report them without kb
        # importing this app (kb is the lower layer).
        from . import validation  # noqa: F401
