"""The middleware of a visitor's state, run for the site's pages and the admin, not the API.

A request to the API (``/api/``) is anonymous and stateless: no view under it reads a session,
a user or messages, none logs anyone in, and its answer is the same for everyone (public, kept
by the page cache). Yet Django's session, authentication and message middleware set up their
lazy objects and looked at them again on the way out on every API request: about 0.05 ms of a
never-seen diagnosis, whose budget is 0.5 ms (issue 23, item 3). Django has no middleware per
URL, so settings.MIDDLEWARE names these subclasses in their places: an API request goes
straight to the next layer, every other request runs them as before. Subclasses, so the
checks that look for Django's own (admin.E408–E410) still find them.

The API keeps the rest of the stack: the usage count and page cache, security headers, static
files, CSP, gzip, the language, CommonMiddleware, CSRF (its views are exempt, so a POST gets
the API's JSON 405), X-Frame-Options, htmx's request details, the admin history's request and
login throttling (docs/decisions.md, "The API skips the visitor's state").
"""

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions

from web.locale import API_PREFIX


class PagesOnly:
    """A middleware that leaves the API's requests alone (mixed in before it)."""

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(PagesOnly, sessions.SessionMiddleware):
    pass


class AuthenticationMiddleware(PagesOnly, auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(PagesOnly, messages.MessageMiddleware):
    pass
