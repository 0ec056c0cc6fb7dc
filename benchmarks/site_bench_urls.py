"""The site's URLs plus two baselines served by the same gunicorn set-up (see site_bench.py).

(a) ``/baseline/trivial/``: a 19 KB string (served with Django's default middleware by site_bench_baseline_settings).
(b) ``/baseline/template/<slug>/``: the article page rendered by the project's template from
    data loaded once per worker, so each request touches no database.
(b0) ``/baseline/floor/``: the neutral floor of ``../shared/perf-floor`` (its README): a 19 KB
    article page rendered by Django's template engine from memory, no project code.
"""

from django.http import HttpResponse
from django.template.loader import get_template
from django.urls import include, path

from benchmarks.perf_floor import floor_views

TRIVIAL_BODY = "x" * (19 * 1024)
_loaded: dict[str, dict] = {}


def trivial(request):
    return HttpResponse(TRIVIAL_BODY)


def template(request, slug):
    context = _loaded.get(slug)
    if context is None:
        context = _loaded[slug] = _article_context(request, slug)
    return HttpResponse(get_template("articles/article_detail.html").render(context, request))


def _article_context(request, slug):
    """Return what ArticleDetailView would render, evaluated once: lists, not querysets."""
    from articles.site.views import ArticleDetailView

    view = ArticleDetailView()
    view.setup(request, slug=slug)
    from articles.site import article_page

    view.page = article_page.published_page(slug)
    context = view.get_context_data(slug=slug)
    from articles.site.context_processors import site

    processed = site(request)
    context["navigation"] = processed["navigation"]()
    context.pop("view", None)
    return context


urlpatterns = [
    path("baseline/floor/", floor_views().article),
    path("baseline/trivial/", trivial),
    path("baseline/template/<slug:slug>/", template),
    path("", include("newsroom.urls")),
]
