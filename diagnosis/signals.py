"""What the diagnosis tells the layers above it, without importing them.

``step_rendered``: a public wizard step was rendered with an outcome. Sent with the
``response`` (about to be stored by the page cache with what receivers attach to it),
``compiled`` (content.CompiledProblem), ``generation`` (content.GenerationInfo), ``answers``
and ``outcome`` (service.Outcome). The usage app attaches the step's usage events to the
response (usage/events.py), so a step replayed from the page cache is counted too.
"""

from django.dispatch import Signal

step_rendered = Signal()
