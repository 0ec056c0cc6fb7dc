"""The page cache and what keeps it right: the tier between the content and the public pages.

``page_cache`` (``public_page`` and ``PageCacheMiddleware``) stores anonymous readers' pages in
``store`` (this process's memory, then Redis), tagged with the ``surrogate_keys`` of what they
show; ``signals`` writes the purge log (``invalidation``) with every change readers can see, and
``http_purge`` passes the purges on to Varnish; ``outage`` answers while the database is down. It
stands on the content core (``articles.models``) and is used by the reader site, the API and the
importer; the core imports nothing from it.
"""
