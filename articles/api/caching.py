"""Cache rules of the Content API: the reader pages' rules for anonymous clients, none for staff.

A request without credentials goes through ``public_page`` (``articles.page_cache``), like every
public page: ``ETag`` and ``Last-Modified`` from the publication epoch, 304 for a conditional GET,
and the answer shared through the page cache until content changes or a scheduled article's time
comes. A request with credentials (a session cookie or an ``Authorization`` header) may be staff's,
who can see drafts: its answer is made afresh, marked ``private, no-store``, and never offered to
the page cache.
"""

from __future__ import annotations

import functools

from django.utils.cache import patch_cache_control, patch_vary_headers

from articles.api.throttling import carries_credentials
from articles.page_cache import public_page


def api_page(view):
    """Decorate an API view: shared by anonymous clients through the page cache, private to anyone else."""
    shared = public_page(view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if carries_credentials(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_store=True)
        else:
            response = shared(request, *args, **kwargs)
        # The answer depends on who asks: shared caches in front must keep them apart.
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return response

    return wrapper
