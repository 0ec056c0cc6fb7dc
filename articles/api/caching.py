"""Cache rules of the Content API: the reader pages' rules for anonymous clients, none for staff.

A request without credentials goes through ``public_page`` (``articles.cache.page_cache``), like every
public page: ``ETag`` and ``Last-Modified``, 304 for a conditional GET, and the answer shared
through the page cache (and any HTTP cache in front) until a change purges one of the surrogate
keys it names (``show_pages``) or a scheduled article it would show appears. A request with credentials (a session cookie or an ``Authorization`` header) may be staff's,
who can see drafts: its answer is made afresh, marked ``private, no-store``, and never offered to
the page cache.
"""

from __future__ import annotations

import functools

from django.utils.cache import patch_cache_control, patch_vary_headers

from articles.cache import surrogate_keys as keys
from articles.cache.page_cache import carries_credentials, public_page


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


def show_pages(pages, *lists: str) -> None:
    """Say that the answer shows the articles of ``pages`` (with their category, people and tags) and
    the lists named by ``lists`` (e.g. ``surrogate_keys.LIST``): what a change must purge it for."""
    shown = set(lists)
    for page in pages:
        item = page.article
        shown.add(keys.article(item.pk))
        if item.category_id:
            shown.add(keys.category(item.category_id))
        if item.editor_id:
            shown.add(keys.author(item.editor_id))
        shown.update(keys.author(byline.author_id) for byline in page.bylines)
        shown.update(keys.tag(tag.pk) for tag in page.tags)
    keys.show(*shown)
