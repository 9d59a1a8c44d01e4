"""Who may see a draft problem: logged-in staff only.

A draft problem is absent for everyone else: its pages and wizard answer 404, and lists, the
sitemap, search and the API leave it out.
"""

from django.conf import settings


def sees_drafts(request) -> bool:
    # Only a request with a session cookie can be staff. Checking that first keeps an anonymous
    # request from touching the session, which would add `Vary: Cookie` to a public page and
    # keep it out of the shared page cache.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_active and user.is_staff)
