"""A database that cannot be reached: readers get a styled 503 that asks them to come back, not a 500.

Pages already cached are still served (``articles.cache.page_cache`` answers them before any query);
this middleware answers the rest while PostgreSQL is down, refusing connections or too busy.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Answer a view that failed to reach the database with ``503.html`` and ``Retry-After``."""

    # Seconds a reader (or a crawler) is asked to wait before trying again.
    retry_after_seconds = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("The database cannot be reached (%s): %s answered 503.", exception, request.path)
        # No request context: its processors (the navigation) would ask the database again.
        content = render_to_string(
            "503.html", {"site_name": settings.NEWSROOM_SITE_NAME or gettext("Newsroom")}
        )
        response = HttpResponse(content, status=503)
        response["Retry-After"] = str(self.retry_after_seconds)
        response["Cache-Control"] = "no-store"
        return response
