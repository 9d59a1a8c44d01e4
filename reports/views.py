"""“Did this fix it?”: the owner's POST, and the thank-you after it.

Without JavaScript the form posts, gets a 303 to the thank-you page (so a reload does not post
again); with htmx the same POST answers the thank-you partial of the same template. Neither
sets a cookie nor is stored in a cache (guards.guarded)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from diagnosis import content
from diagnosis.query import parse
from diagnosis.service import wizard_url

from .forms import FixReportForm
from .guards import guarded
from .service import form_view, record_owner_report, thanks_url

EXPIRED = gettext_lazy("This form was open too long to be sent. Please check it and send it again.")


@guarded
def report(request, compiled, token_expired=False):
    form = FixReportForm(compiled, request.POST)
    if token_expired:
        form.is_valid()
        form.add_error(None, EXPIRED)
    if not form.is_valid():
        context = {"compiled": compiled, "report": form_view(compiled, form=form)}
        name = "reports/report.html#form" if request.htmx else "reports/report.html"
        return render(request, name, context, status=400)
    if not form.is_bot:  # the honeypot: a bot is thanked like anyone, and nothing is kept
        record_owner_report(compiled, form.cleaned_data)
    if request.htmx:
        context = {**_thanks(compiled, form.cleaned_data), "has_result": False}  # it is above
        return render(request, "reports/report.html#thanks", context)
    response = redirect(thanks_url(compiled, form.cleaned_data))
    response.status_code = 303  # See Other: the thank-you is fetched with a GET
    return response


@require_safe
def thanks(request, model, problem):
    compiled = content.compiled_problem(model, problem)
    if compiled is None or not compiled.is_public:
        raise Http404(gettext_lazy("No such model or problem"))
    query = parse(compiled, request.GET)
    data = {"generation_info": query.generation, "answer_map": query.answers}
    response = render(request, "reports/report.html", _thanks(compiled, data))
    patch_cache_control(response, private=True, no_store=True)
    response.shared_cache = False
    return response


def _thanks(compiled, data) -> dict:
    generation = data.get("generation_info")
    return {
        "compiled": compiled,
        "thanked": True,
        "back_url": wizard_url(compiled, generation, data.get("answer_map") or {}),
        "has_result": generation is not None,
    }
