"""What every page's template gets: the site's name and address, and the section navigation."""

from django.conf import settings
from django.utils.translation import gettext

from articles.caching import cached_for_epoch


def site(request):
    """Return the site name, the base address and a callable giving the top-level categories."""

    def navigation():
        from articles.models import Category

        return cached_for_epoch(
            "sections",
            request,
            lambda: [
                (c.name, c.get_absolute_url())
                for c in Category.objects.roots().order_by("sort_order", "path")
            ],
        )

    return {
        "site_name": settings.NEWSROOM_SITE_NAME or gettext("Newsroom"),
        "site_url": settings.NEWSROOM_SITE_URL or request.build_absolute_uri("/").rstrip("/"),
        "navigation": navigation,
    }
