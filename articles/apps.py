from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Newsroom")

    def ready(self) -> None:
        # Connect the receivers: the search index's first, then the page cache's purges.
        from articles import signals  # noqa: F401
        from articles.cache import http_purge  # noqa: F401
        from articles.cache import signals as purges  # noqa: F401
