"""HTML built in Python for the hottest pages (diagnosis/step_html.py, reports/form_html.py).

``escape`` writes what ``django.utils.html.escape`` writes (the standard library's
``html.escape`` of the text, quotes included), without Django's check of every argument for
a lazy translation (``keep_lazy``): a never-seen wizard step escapes about 50 values, and that
check was about a tenth of its time (issue 23, item 3). A lazy string is made text first, as
Django's does; the result is a plain ``str``, which the caller marks safe with the HTML
around it.
"""

from html import escape as _escape


def escape(text) -> str:
    return _escape(str(text))
