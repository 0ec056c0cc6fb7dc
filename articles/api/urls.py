"""The Content API's addresses, under /api/v1/ (newsroom/urls.py). Anonymous answers are cached as
pages are; an address that names no endpoint answers 404 in JSON."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from articles.api import views
from articles.api.caching import api_page
from articles.api.errors import not_found

app_name = "api"

urlpatterns = [
    path("", api_page(views.IndexView.as_view()), name="index"),
    path("articles/", api_page(views.ArticleListView.as_view()), name="articles"),
    path("articles/by-id/<int:pk>/", api_page(views.ArticleByIdView.as_view()), name="article-by-id"),
    path("articles/<slug:slug>/", api_page(views.ArticleBySlugView.as_view()), name="article"),
    path("categories/", api_page(views.CategoryTreeView.as_view()), name="categories"),
    path("tags/", api_page(views.TagListView.as_view()), name="tags"),
    path("tags/<slug:slug>/", api_page(views.TagDetailView.as_view()), name="tag"),
    path("authors/", api_page(views.AuthorListView.as_view()), name="authors"),
    path("authors/<slug:slug>/", api_page(views.AuthorDetailView.as_view()), name="author"),
    path("search/", api_page(views.SearchView.as_view()), name="search"),
    path(
        "schema/",
        # JSON only: one address, one representation (the page cache keys by address).
        api_page(SpectacularAPIView.as_view(renderer_classes=[OpenApiJsonRenderer, OpenApiJsonRenderer2])),
        name="schema",
    ),
    path(
        "docs/",
        # Swagger UI writes <style> elements and draws icons from data: addresses: allowed on this
        # page alone (scripts stay ours).
        csp_update({"style-src": [SELF, UNSAFE_INLINE], "img-src": [SELF, "data:", "https:", "http:"]})(
            api_page(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))
        ),
        name="docs",
    ),
    # Only addresses ending in a slash: one without is first redirected to it (APPEND_SLASH).
    re_path(r"^(?:[\s\S]*/)?\Z", not_found),
]
