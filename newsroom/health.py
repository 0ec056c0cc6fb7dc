"""``/health/``: whether this app server can serve, for load balancers and Varnish's probes.

Answered by ``HealthCheckMiddleware``, first in ``MIDDLEWARE``:

- before SecurityMiddleware: probes speak plain HTTP to the app server, and the redirect to
  HTTPS must not answer them;
- before host validation: probes name the server's address, not the site's host name;
- before the request log: probes every two seconds from every cache node would drown it.

The answer is JSON and never stored, ``{"status": …, "database": "ok" | "down", "cache": {…}}``:
``200`` with ``"status": "ok"`` when the database and the cache answer, ``200`` with
``"status": "degraded"`` when only the cache (Redis) does not: pages are still served, from the
database, so the server stays in rotation; ``503`` with ``"status": "down"`` when the database
does not answer: the load balancer sends readers elsewhere (Varnish serves its stored pages
while every server is down). ``"cache"`` is the page cache's own report
(``articles.cache.store.cache_health()``), at least ``{"status": "ok" | "degraded"}``.
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger("newsroom.health")


class HealthCheckMiddleware:
    """Answer ``GET /health/`` with this server's health; pass every other request on."""

    path = "/health/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != self.path:
            return self.get_response(request)
        if request.method not in {"GET", "HEAD"}:
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
        else:
            response = self.health_response()
        response["Cache-Control"] = "no-store"
        return response

    def health_response(self) -> JsonResponse:
        """Return the health report: 200 while the database answers, 503 when it does not."""
        database, cache = self.database_status(), self.cache_status()
        if database != "ok":
            status = "down"
        elif cache.get("status") != "ok":
            status = "degraded"
        else:
            status = "ok"
        return JsonResponse(
            {"status": status, "database": database, "cache": cache}, status=503 if status == "down" else 200
        )

    def database_status(self) -> str:
        """Return ``"ok"`` when the default database answers a query, ``"down"`` otherwise."""
        try:
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as error:  # any failure to answer is the same answer: down
            logger.warning("Health check: the database does not answer: %s", error)
            return "down"
        return "ok"

    def cache_status(self) -> dict:
        """Return the page cache's health, ``{"status": "ok" | "degraded", …}``
        (``articles.cache.store.cache_health``)."""
        from articles.cache.store import cache_health

        return cache_health()
