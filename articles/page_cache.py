"""Full-page cache for anonymous readers, answered before the rest of the middleware runs.

Two parts:

- ``public_page`` decorates the views of public pages. For every reader it gives the page
  the ``ETag`` and ``Last-Modified`` of the current publication epoch (see
  ``articles.caching``) and answers conditional GETs with 304; it marks the response as one
  that anonymous readers may share.
- ``PageCacheMiddleware`` sits just inside SecurityMiddleware and WhiteNoise. For an
  anonymous GET or HEAD (no session cookie) it reads the epoch and the page in one cache
  round trip (``get_many``). A page stored under the current epoch is answered there and then:
  no session, authentication, CSRF, locale, URL resolution or view code runs, and no query
  is made. Otherwise the request goes on as usual, and a marked response comes back to be
  stored, with the headers the inner middleware added (``Vary``, ``Content-Language``,
  ``X-Frame-Options``), until the epoch ends or the page-cache time runs out.

A page with cookies, a page that is not a 200 and a streamed page are never stored. Pages
are stored per host, address and interface language.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language, get_language_from_request

from articles.caching import STATE_KEY, Epoch, current_epoch, request_epoch

PAGE_KEY_PREFIX = "newsroom:page:"
PUBLIC_PAGE_ATTRIBUTE = "newsroom_public_page"
# Set on every answer of the middleware; never stored with a page.
CACHE_STATUS_HEADER = "X-Cache"


@dataclass(frozen=True)
class CachedPage:
    """A stored page: the epoch it belongs to, when it expires, its body and its headers."""

    token: str
    expires: float
    last_modified: int
    content: bytes
    headers: tuple[tuple[str, str], ...]

    def is_fresh(self, epoch: Epoch, now: float) -> bool:
        return self.token == epoch.token and self.expires > now

    def response(self, request: HttpRequest) -> HttpResponse:
        """Return the stored page, or a 304 when the reader's copy is still this one."""
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response.headers[name] = value
        response = get_conditional_response(
            request, etag=response.headers.get("ETag"), last_modified=self.last_modified, response=response
        )
        response[CACHE_STATUS_HEADER] = "hit"
        return response


class PageCacheMiddleware:
    """Answer anonymous readers from the page cache; store the public pages they are given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _may_share(request):
            return self.get_response(request)
        page_key = _page_key(request, get_language_from_request(request))
        found = cache.get_many([STATE_KEY, page_key])
        epoch = request.publication_epoch = current_epoch(found.get(STATE_KEY))
        entry = found.get(page_key)
        now = time.time()
        if isinstance(entry, CachedPage) and entry.is_fresh(epoch, now):
            return entry.response(request)
        response = self.get_response(request)
        timeout = epoch.seconds_left(now)
        if _may_store(response) and timeout >= 1:
            headers = tuple((k, v) for k, v in response.headers.items() if k != CACHE_STATUS_HEADER)
            page = CachedPage(
                epoch.token, now + timeout, math.floor(epoch.started), response.content, headers
            )
            cache.set(page_key, page, int(timeout))
            response[CACHE_STATUS_HEADER] = "miss"
        return response


def public_page(view):
    """Decorate ``view`` as a public page: conditional GET for every reader, shared by anonymous ones."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return view(request, *args, **kwargs)
        epoch = request_epoch(request)
        etag, last_modified = _etag(request, epoch), math.floor(epoch.started)
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return _validators(not_modified, etag, last_modified)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code == 200:
            _validators(response, etag, last_modified)
            setattr(response, PUBLIC_PAGE_ATTRIBUTE, True)
        return response

    return wrapper


def _may_share(request: HttpRequest) -> bool:
    """Whether the request may be answered from, and fill, the shared page cache."""
    return (
        request.method in {"GET", "HEAD"}
        and settings.NEWSROOM_PAGE_CACHE_SECONDS > 0
        # The cookie, not request.user: the session (and its query) stays untouched.
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        # Credentials (an API token) may see more than anonymous readers: RFC 9111, section 3.5.
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _may_store(response: HttpResponse) -> bool:
    return (
        getattr(response, PUBLIC_PAGE_ATTRIBUTE, False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
    )


def _page_key(request: HttpRequest, language: str) -> str:
    # The host too: pages hold absolute addresses (canonical, Open Graph) built from it.
    address = (request.get_host() + request.get_full_path()).encode("utf-8", "surrogateescape")
    return f"{PAGE_KEY_PREFIX}{language}:{hashlib.sha1(address).hexdigest()}"


def _etag(request: HttpRequest, epoch: Epoch) -> str:
    source = f"{epoch.token}|{get_language()}|{request.get_full_path()}".encode("utf-8", "surrogateescape")
    return '"' + hashlib.sha1(source).hexdigest()[:20] + '"'


def _validators(response: HttpResponse, etag: str, last_modified: int) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # Browsers and proxies check back each time (cheap, with the ETag): a shared cache
    # holding a page longer could show a scheduled article's neighbours out of date.
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response
