"""One log record per request, with its timing (``NEWSROOM_REQUEST_LOG=1``).

``RequestLogMiddleware`` sits near the top of ``MIDDLEWARE`` so that the time covers the whole
stack, page-cache hits included. Each record (logger ``newsroom.request``, level INFO) carries
``method``, ``path``, ``status``, ``duration_ms``, ``bytes``, ``page_cache`` (hit/miss when the
page cache answered or stored the page), ``remote_addr``, ``forwarded_for`` and ``request_id``
(the ``X-Request-ID`` a proxy sent, or Varnish's transaction id ``X-Varnish``) as fields: with
``DJANGO_LOG_FORMAT=json`` each is a JSON line a log collector can query. The time of a streamed
response counts until its first byte.
"""

from __future__ import annotations

import logging
import time

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("newsroom.request")


class RequestLogMiddleware:
    """Log each request once it is answered: what was asked, what came back, how long it took."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        meta = request.META
        path = request.get_full_path()
        logger.info(
            "%s %s %s %.1fms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "bytes": None if response.streaming else len(response.content),
                "page_cache": response.get("X-Cache"),
                "remote_addr": meta.get("REMOTE_ADDR"),
                "forwarded_for": meta.get("HTTP_X_FORWARDED_FOR"),
                "request_id": meta.get("HTTP_X_REQUEST_ID") or meta.get("HTTP_X_VARNISH"),
            },
        )
        return response
