"""Public pages: the page cache, and the HTTP caching rules for caches in front (Varnish, a CDN).

Two parts:

- ``public_page`` decorates the views of public pages and collects the surrogate keys of what
  the page shows (``articles.cache.surrogate_keys.show()``, or ``keys=`` for a view whose keys are
  fixed; a page naming none gets ``all``). For anonymous readers it marks the page as shareable:
  ``Cache-Control: public, max-age=0, s-maxage=N, must-revalidate``, where N never reaches past
  the next scheduled publication the page would show, and ``Surrogate-Key`` lists its keys for an
  HTTP cache to purge by (Varnish's xkey). For readers with a session it is ``private``. Every
  page gets an ``ETag`` (of its content) and ``Last-Modified``, and conditional GETs get a 304.
- ``PageCacheMiddleware`` sits just inside SecurityMiddleware and WhiteNoise. An anonymous GET
  or HEAD is answered from the page store (``articles.cache.store``) when it holds a page for that
  address that the purge log says is fresh (``articles.cache.invalidation``): no session,
  authentication, CSRF, locale, URL resolution or view code runs, and no query is made (but the
  log's read, at most once a second). Otherwise the request goes on, and a page marked by
  ``public_page`` comes back to be stored, with the headers the inner middleware added.

Responses that are not public pages and say nothing of caching get ``private, no-cache``: an
HTTP cache in front never keeps a not-found, a redirect, an admin or a preview page. A page with
cookies, a page that is not a 200 and a streamed page are never stored. Pages are stored per host,
address and interface language.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language_from_request

from articles.cache import surrogate_keys
from articles.cache.invalidation import freshness
from articles.cache.store import CachedPage, pages

# The page's surrogate keys, space-separated, for an HTTP cache in front to purge by; Varnish's
# configuration copies it into xkey and removes it before answering clients.
SURROGATE_KEY_HEADER = "Surrogate-Key"
PRIVATE_PAGE = "private, max-age=0, must-revalidate"
PUBLIC_PAGE_ATTRIBUTE = "newsroom_public_page"


@dataclass(frozen=True)
class Shareable:
    """What ``public_page`` says of a page anonymous readers may share: its keys, and when it expires."""

    keys: frozenset[str]
    expires: float


def shared_cache_control(seconds: float) -> str:
    """Return the Cache-Control of a shareable page that shared caches may keep ``seconds`` longer.

    Browsers check back every time (cheap, with the ETag); shared caches, which are purged by
    surrogate key, keep it until the page cache would.
    """
    return f"public, max-age=0, s-maxage={max(0, int(seconds))}, must-revalidate"


def public_page(view=None, *, keys=()):
    """Decorate ``view`` as a public page showing ``keys`` and whatever it ``show()``s.

    ``@public_page`` or ``public_page(view)``, or ``public_page(view, keys=["list"])``.
    """
    if view is None:
        return functools.partial(public_page, keys=keys)
    fixed = tuple(keys)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return view(request, *args, **kwargs)
        with surrogate_keys.collecting(fixed) as shown:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
        if response.status_code != 200 or response.streaming:
            return response
        if not response.has_header("ETag"):
            set_response_etag(response)
        now = time.time()
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(now)
        if not carries_credentials(request) and not response.cookies:
            page_keys = frozenset(shown) or frozenset({surrogate_keys.ALL})
            expires = _expiry(page_keys, now)
            response[SURROGATE_KEY_HEADER] = " ".join(sorted(page_keys))
            response["Cache-Control"] = shared_cache_control(expires - now)
            setattr(response, PUBLIC_PAGE_ATTRIBUTE, Shareable(page_keys, expires))
        else:
            response["Cache-Control"] = PRIVATE_PAGE
        # Never None when given a response; the stubs type the call without one.
        return get_conditional_response(  # type: ignore[return-value]
            request,
            etag=response["ETag"],
            last_modified=parse_http_date_safe(response["Last-Modified"]),
            response=response,
        )

    return wrapper


class PageCacheMiddleware:
    """Answer anonymous readers from the page cache; store the public pages they are given."""

    # Set on every answer of the middleware ("hit" or "miss"); never stored with a page.
    cache_status_header = "X-Cache"
    # Set per answer, so never stored with a page.
    not_stored_headers = frozenset({cache_status_header, "Cache-Control"})
    # What a response that is not a public page, and says nothing of caching, is given.
    not_a_public_page = "private, no-cache"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _may_share(request):
            return self._not_shared_unless_said(self.get_response(request))
        store, key, now = pages(), _page_key(request), time.time()
        # Read before the page is made: a change committed meanwhile is newer than the page.
        generation = freshness.generation()
        page = store.get(key, now)
        if page is not None:
            return self._answer(request, page, now)
        response = self.get_response(request)
        shareable = getattr(response, PUBLIC_PAGE_ATTRIBUTE, None)
        if (
            shareable is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and shareable.expires - now >= 1
        ):
            headers = tuple(
                (name, value) for name, value in response.items() if name not in self.not_stored_headers
            )
            store.set(
                key, CachedPage(generation, shareable.keys, shareable.expires, response.content, headers), now
            )
            response[self.cache_status_header] = "miss"
        return self._not_shared_unless_said(response)

    def _answer(self, request: HttpRequest, page: CachedPage, now: float) -> HttpResponse:
        """Return the stored page, or a 304 when the reader's copy is still this one."""
        response = HttpResponse(page.content)
        for name, value in page.headers:
            response.headers[name] = value
        response["Cache-Control"] = shared_cache_control(page.expires - now)
        if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
            # Never None when given a response; the stubs type the call without one.
            response = get_conditional_response(  # type: ignore[assignment]
                request,
                etag=response.headers.get("ETag"),
                last_modified=parse_http_date_safe(response.headers.get("Last-Modified", "")),
                response=response,
            )
        response[self.cache_status_header] = "hit"
        return response

    def _not_shared_unless_said(self, response: HttpResponse) -> HttpResponse:
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = self.not_a_public_page
        return response


def _expiry(keys: frozenset[str], now: float) -> float:
    """Return when a page showing ``keys`` made at ``now`` stops being shareable."""
    seconds = settings.NEWSROOM_PAGE_CACHE_SECONDS
    if seconds <= 0:
        return now
    try:
        return freshness.expiry(keys, now, now + seconds)
    except (DatabaseError, InterfaceError):  # the schedule cannot be read: keep nothing
        return now


def carries_credentials(request: HttpRequest) -> bool:
    """Return whether the request brings a session cookie or an ``Authorization`` header."""
    # The cookie, not request.user: the session (and its query) stays untouched.
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META


def _may_share(request: HttpRequest) -> bool:
    """Whether the request may be answered from, and fill, the page cache."""
    return (
        request.method in {"GET", "HEAD"}
        and settings.NEWSROOM_PAGE_CACHE_SECONDS > 0
        and not carries_credentials(request)
    )


def _page_key(request: HttpRequest) -> str:
    # The host too: pages hold absolute addresses (canonical, Open Graph) built from it.
    address = (request.get_host() + request.get_full_path()).encode("utf-8", "surrogateescape")
    return f"{get_language_from_request(request)}:{hashlib.sha1(address).hexdigest()}"
