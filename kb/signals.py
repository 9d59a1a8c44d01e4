"""Any content change bumps one version number; caches key on it, so they go stale at once."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from .content_version import bump_content_version
from .models import CONTENT_MODELS, FaqEntry, Fault


def _content_changed(sender, **kwargs):
    bump_content_version()


for model in CONTENT_MODELS:
    post_save.connect(_content_changed, sender=model, dispatch_uid=f"kb-save-{model.__name__}")
    post_delete.connect(_content_changed, sender=model, dispatch_uid=f"kb-del-{model.__name__}")
for through in (Fault.procedures.through, FaqEntry.procedures.through):
    m2m_changed.connect(_content_changed, sender=through, dispatch_uid=f"kb-m2m-{through.__name__}")
