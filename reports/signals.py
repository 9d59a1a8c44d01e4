"""Reports change the counts; learning settings change the priors. Both wait for the COMMIT,
as kb.signals does, so no request caches old priors under a new version.

Only staff move the priors, so only staff retire the compiled content and cached pages: an
owner's new report (a POST from the site, status NEW) is counted but bumps no content version,
and counts 0 unless staff raise the weight of unreviewed reports (then it enters the priors at
the next staff change). Verifying, marking spam, deleting a report, recording a workshop
report and changing the learning settings retire the problem's versions (kb/scopes.py: its
compiled content, its pages and the pages that list it), as an edit of its content does; no
other problem's.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from kb.scopes import problem_scopes, retire_on_commit

from .counting import recount
from .models import OwnerReport, PriorLearning, WorkshopReport


def _report_changed(sender, instance, using=None, created=False, **kwargs):
    problem_id = instance.problem_id if sender is OwnerReport else instance.fault.problem_id
    unreviewed = sender is OwnerReport and created and instance.status == OwnerReport.Status.NEW
    transaction.on_commit(lambda: recount(problem_id, bump=not unreviewed), using=using)


def _learning_changed(sender, instance, using=None, created=False, **kwargs):
    if created and not instance.enabled:
        return  # the row recount() makes for a problem's first report: no prior changes
    retire_on_commit(problem_scopes([instance.problem_id]), using=using)


for model in (OwnerReport, WorkshopReport):
    post_save.connect(_report_changed, sender=model, dispatch_uid=f"reports-save-{model.__name__}")
    post_delete.connect(_report_changed, sender=model, dispatch_uid=f"reports-del-{model.__name__}")
post_save.connect(_learning_changed, sender=PriorLearning, dispatch_uid="reports-learning-save")
post_delete.connect(_learning_changed, sender=PriorLearning, dispatch_uid="reports-learning-del")
