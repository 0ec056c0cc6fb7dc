"""The Content API: the published archive as JSON under ``/api/v1/``, on Django REST framework.

- ``parameters``: every query parameter an endpoint accepts, parsed and checked in one place, which
  also describes them to the OpenAPI schema; a bad value is a 400 naming the parameter.
- ``visibility``: which articles a client may see (``Article.objects.published()`` unless staff).
- ``filters``: the article list's filters and orderings, and how a page of it is read.
- ``pagination``: pages with counts.
- ``serializers``: what an article, a category, a tag and an author look like.
- ``links``: the absolute addresses in the answers.
- ``caching``: anonymous answers go through the page cache (``public_page``); staff answers never.
- ``throttling``: the per-address rate limit for anonymous clients.
- ``errors``: one JSON shape for every error.
- ``views`` and ``urls``: the endpoints.
"""

API_PATH_PREFIX = "/api/"
# Errors, and every answer to a request with credentials: kept by no cache.
NO_STORE = "private, no-store"
