"""Reports change the confirmed counts; learning settings change the priors. Both wait for
the COMMIT, as kb.signals does, so no request caches old priors under a new version."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from kb.content_version import bump_content_version

from .counting import recount
from .models import OwnerReport, PriorLearning, WorkshopReport


def _report_changed(sender, instance, using=None, **kwargs):
    problem_id = instance.problem_id if sender is OwnerReport else instance.fault.problem_id
    transaction.on_commit(lambda: recount(problem_id), using=using)


def _learning_changed(sender, using=None, **kwargs):
    transaction.on_commit(bump_content_version, using=using)


for model in (OwnerReport, WorkshopReport):
    post_save.connect(_report_changed, sender=model, dispatch_uid=f"reports-save-{model.__name__}")
    post_delete.connect(_report_changed, sender=model, dispatch_uid=f"reports-del-{model.__name__}")
post_save.connect(_learning_changed, sender=PriorLearning, dispatch_uid="reports-learning-save")
post_delete.connect(_learning_changed, sender=PriorLearning, dispatch_uid="reports-learning-del")
