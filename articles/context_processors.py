"""What every page's template gets: the site's name and address, and the section navigation."""

from django.conf import settings
from django.utils.translation import gettext

from articles.caching import request_epoch


def site(request):
    """Return the site name, the base address and a callable giving the top-level categories."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME or gettext("Newsroom"),
        "site_url": settings.NEWSROOM_SITE_URL or request.build_absolute_uri("/").rstrip("/"),
        # Read when a template shows it: the sections live in the publication epoch (articles/caching.py).
        "navigation": lambda: request_epoch(request).sections,
    }
