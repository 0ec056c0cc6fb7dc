"""The rate limit for anonymous API clients: ``NEWSROOM_API_ANONYMOUS_RATE`` requests per address.

Counted in fixed windows (``300/minute``: at most 300 requests from one address in each clock
minute) with one atomic increment in the shared cache, so every worker and every app server counts
together, and concurrent requests cannot slip past as they can with REST framework's own throttles
(which read a list of times, then write it back). Over the limit the answer is a 429 whose
``Retry-After`` says when the window ends.

Two places count, never both for one request:

- ``AnonymousRateLimitMiddleware``, outside the page cache, counts requests that carry no
  credentials (no session cookie, no ``Authorization``), so answers served from the cache count too;
- ``AnonymousRateThrottle``, REST framework's throttle, counts requests that carried credentials
  which turned out to be nobody's (a made-up session cookie does not escape the limit).

Signed-in staff are not limited. The address is the connection's, or with
``NEWSROOM_TRUSTED_PROXIES`` = N the one N proxies in front of us saw (``X-Forwarded-For``).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from articles.api import API_PATH_PREFIX, NO_STORE

RATE_KEY_PREFIX = "newsroom:api-rate:"
RATE = re.compile(r"(?P<requests>[0-9]+)/(?P<period>s|sec|second|m|min|minute|h|hour|d|day)")
PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Marks a request the middleware has counted, for the throttle to leave alone.
COUNTED_ATTRIBUTE = "newsroom_api_rate_counted"


@dataclass(frozen=True)
class Rate:
    """At most ``requests`` requests in each window of ``seconds``."""

    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """Return the rate ``text`` describes (``300/minute``), or None for no limit (``0`` or empty)."""
        text = (text or "").strip()
        if text in {"", "0"}:
            return None
        match = RATE.fullmatch(text)
        if match is None:
            raise ImproperlyConfigured(
                f"NEWSROOM_API_ANONYMOUS_RATE must look like 300/minute (per second, minute, hour or day) "
                f"or be 0, not {text!r}."
            )
        requests = int(match["requests"])
        return cls(requests, PERIOD_SECONDS[match["period"][0]]) if requests else None


def configured_rate() -> Rate | None:
    """Return the anonymous clients' rate in force (read at each request, so tests can change it)."""
    return Rate.parse(settings.NEWSROOM_API_ANONYMOUS_RATE)


def count_request(address: str, rate: Rate, now: float | None = None) -> float:
    """Count one request from ``address``; return 0 if it is within ``rate``, else the seconds to wait."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    key = f"{RATE_KEY_PREFIX}{rate.seconds}:{window}:{address}"
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first request (or the key expired in between)
        count = 1 if cache.add(key, 1, rate.seconds + 1) else cache.incr(key)
    if count <= rate.requests:
        return 0
    return (window + 1) * rate.seconds - now


def client_address(request: HttpRequest) -> str:
    """Return the address the rate is counted for (REST framework's rule, honouring NUM_PROXIES)."""
    # get_ident() reads only request.META, which a plain HttpRequest has too.
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]


def carries_credentials(request: HttpRequest) -> bool:
    """Return whether the request brings a session cookie or an ``Authorization`` header."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META


class AnonymousRateLimitMiddleware:
    """Refuse API requests without credentials beyond the rate, before the page cache answers them."""

    def __init__(self, get_response):
        self.get_response = get_response
        # A mistyped rate stops the server from starting, rather than failing every API request.
        configured_rate()

    def __call__(self, request: HttpRequest):
        if request.path_info.startswith(API_PATH_PREFIX) and not carries_credentials(request):
            rate = configured_rate()
            if rate is not None:
                setattr(request, COUNTED_ATTRIBUTE, True)
                wait = count_request(client_address(request), rate)
                if wait:
                    return too_many_requests(request, wait)
        return self.get_response(request)


class AnonymousRateThrottle(BaseThrottle):
    """REST framework's throttle for the requests the middleware left uncounted and that are anonymous."""

    wait_seconds: float = 0

    def allow_request(self, request, view) -> bool:
        if getattr(request, COUNTED_ATTRIBUTE, False) or request.user.is_authenticated:
            return True
        rate = configured_rate()
        if rate is None:
            return True
        self.wait_seconds = count_request(self.get_ident(request), rate)
        return not self.wait_seconds

    def wait(self) -> float:
        return self.wait_seconds


def too_many_requests(request: HttpRequest, wait: float) -> JsonResponse:
    """Return the 429 answer telling the client how many seconds to wait (``Retry-After``)."""
    seconds = max(1, math.ceil(wait))
    # The locale middleware has not run yet: the client's language is chosen here.
    with translation.override(translation.get_language_from_request(request)):
        detail = _("Too many requests from your address. Try again in %(seconds)s seconds.") % {
            "seconds": seconds
        }
    response = JsonResponse({"detail": detail}, status=429, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = NO_STORE
    return response
