"""The reader site: the public pages, their feeds and sitemaps, and their reads.

``views``, ``feeds``, ``sitemaps`` and ``urls`` answer readers; ``listings`` and ``article_page``
read what the pages show in plain SQL (``rows``), numbered by ``pagination``; ``templating`` is
the Jinja2 environment, ``context_processors`` what every page shows (the navigation), and
``share`` the share links and QR codes. It stands on the content core (``articles.models``,
``articles.querysets``, …) and the page cache (``articles.cache``), beside ``articles.admin``,
``articles.importing`` and ``articles.api``.
"""
