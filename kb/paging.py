"""Paged lists of the public pages (the home page's models, a model's problems).

A list page has one address per page: the first at its bare path, the others at ``?page=N``.
``?page=1`` is sent to the bare path (301), and a page that is not a number or past the last
is not found, so each page is stored once in the page cache and search engines see no
duplicate (docs/decisions.md, "One state, one URL").
"""

from functools import wraps

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpResponsePermanentRedirect

from web.canonical import declare


class FirstPage(Exception):
    """``?page=1``: the list's first page has its bare path."""


def requested_page(request) -> int:
    """The page number a request asks for: 1 without ``?page=``; Http404 when not a number."""
    raw = request.GET.get("page")
    if raw is None:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise Http404("No such page")
    if int(raw) == 1:
        raise FirstPage
    return int(raw)


def page_query(number: int) -> str:
    """The query string of page ``number``'s address: none for the first."""
    return f"page={number}" if number > 1 else ""


def page_of(items, number: int, per_page: int) -> Page:
    """Page ``number`` of ``items`` (a list or a queryset); Http404 past the last one."""
    try:
        return Paginator(items, per_page).page(number)
    except InvalidPage as error:
        raise Http404("No such page") from error


def paged(view):
    """Decorate a list view: ``?page=1`` goes to the bare path, and a later page declares its
    ``?page=N`` the address it is canonical at (stored in the page cache under it)."""

    @wraps(view)
    def paged_view(request, *args, **kwargs):
        try:
            number = requested_page(request)
        except FirstPage:
            return HttpResponsePermanentRedirect(request.path)
        response = view(request, *args, page=number, **kwargs)
        if number > 1:
            declare(response, page_query(number))
        return response

    return paged_view
