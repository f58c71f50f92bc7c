"""Helpers of the pages of every edition model (no views of its own: each app routes its pages
and declares their access rule).

Editions are province-wide reference data, not objects of a jurisdiction, so a page names its
edition by number in a query parameter (``?v=2``), never in a URL kwarg (the jurisdiction
walk checks that every URL kwarg names an object of one county).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest

from educredit.editions.selectors import E, edition_by_number

EDITION_PARAM = "v"


def edition_from_query(
    request: HttpRequest, model: type[E], *, default: Callable[[], E | None] | None = None
) -> E:
    """The edition of ``model`` named by ``?v=<number>`` (when the parameter is absent, the
    one ``default`` gives, if given), else 404."""
    raw = request.GET.get(EDITION_PARAM, "")
    if raw.isdigit():
        edition = edition_by_number(model, int(raw))
    elif default is not None and not raw:
        edition = default()
    else:
        edition = None
    if edition is None:
        raise Http404
    return edition
