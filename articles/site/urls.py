from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from articles.cache.page_cache import public_page
from articles.cache.surrogate_keys import SITEMAP
from articles.site import feeds, sitemaps, views

app_name = "articles"


class FourDigitYear:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:04d}"


class TwoDigits:
    regex = "[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:02d}"


register_converter(FourDigitYear, "yyyy")
register_converter(TwoDigits, "dd")

archive = public_page(views.ArchiveView.as_view())

urlpatterns = [
    path("", public_page(views.HomeView.as_view()), name="home"),
    path("articles/<slug:slug>/", public_page(views.ArticleDetailView.as_view()), name="detail"),
    path("articles/<slug:slug>/share.svg", public_page(views.share_code), name="share-code"),
    path("category/<path:path>/rss.xml", public_page(feeds.CategoryRss()), name="category-rss"),
    path("category/<path:path>/atom.xml", public_page(feeds.CategoryAtom()), name="category-atom"),
    path("category/<path:path>/", public_page(views.CategoryView.as_view()), name="category"),
    path("tag/<slug:slug>/rss.xml", public_page(feeds.TagRss()), name="tag-rss"),
    path("tag/<slug:slug>/atom.xml", public_page(feeds.TagAtom()), name="tag-atom"),
    path("tag/<slug:slug>/", public_page(views.TagView.as_view()), name="tag"),
    path("author/<slug:slug>/rss.xml", public_page(feeds.AuthorRss()), name="author-rss"),
    path("author/<slug:slug>/atom.xml", public_page(feeds.AuthorAtom()), name="author-atom"),
    path("author/<slug:slug>/", public_page(views.AuthorView.as_view()), name="author"),
    path("editor/<slug:slug>/", public_page(views.EditorView.as_view()), name="editor"),
    path("archive/", public_page(views.ArchiveIndexView.as_view()), name="archive"),
    path("archive/<yyyy:year>/", archive, name="archive-year"),
    path("archive/<yyyy:year>/<dd:month>/", archive, name="archive-month"),
    path("archive/<yyyy:year>/<dd:month>/<dd:day>/", archive, name="archive-day"),
    path("search/", public_page(views.SearchView.as_view()), name="search"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("rss.xml", public_page(feeds.LatestRss()), name="rss"),
    path("atom.xml", public_page(feeds.LatestAtom()), name="atom"),
]

# Outside the namespace: robots.txt and the sitemaps live at the site root by convention.
root_urlpatterns = [
    path("robots.txt", public_page(views.robots_txt), name="robots"),
    path(
        "sitemap.xml",
        public_page(sitemap_views.index, keys=[SITEMAP]),
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", public_page(sitemaps.section, keys=[SITEMAP]), name="sitemap-section"),
]
