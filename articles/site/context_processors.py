"""What every page's template gets: the site's name and address, and the section navigation."""

from django.conf import settings
from django.utils.translation import gettext

from articles.cache import surrogate_keys
from articles.cache.invalidation import Remembered
from articles.models import Category


def _read_sections() -> tuple[tuple[str, str], ...]:
    return tuple(
        (category.name, category.get_absolute_url())
        for category in Category.objects.roots().order_by("sort_order", "path")
    )


# Read once per process, and again after a change to a top-level category.
_sections = Remembered(_read_sections, [surrogate_keys.NAVIGATION])


def navigation() -> tuple[tuple[str, str], ...]:
    """Return the top-level categories ``[(name, url)]`` for the navigation, and say the page shows them."""
    surrogate_keys.show(surrogate_keys.NAVIGATION)
    return _sections.get()


def site(request):
    """Return the site name, the base address and a callable giving the top-level categories."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME or gettext("Newsroom"),
        "site_url": settings.NEWSROOM_SITE_URL or request.build_absolute_uri("/").rstrip("/"),
        # Read when a template shows it.
        "navigation": navigation,
    }
