"""Reader pages. Views only pick a queryset and a template; the URLconf adds the page cache."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from articles import search
from articles import surrogate_keys as keys
from articles.images import rendition_urls
from articles.models import RELATED_TAGS, Article, ArticlePage, Author, Byline, Category, SlugRedirect, Tag
from articles.preview import link_for
from articles.safe_urls import allowed_or_empty

PAGE_SIZE = 20
FEATURED_COUNT = 3
RELATED_COUNT = 4
MAX_PAGE = 10_000
SEARCH_DEFERRED_FIELDS = ("credits", "rights_notice", "front_matter", "import_notes")


@dataclass
class Page:
    """One page of a list, fetched without counting the whole list (one query, ``size + 1`` rows)."""

    number: int
    items: list = field(default_factory=list)
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_number(request) -> int:
    """Return the page number ``?page=`` asks for; 404 for one that cannot exist."""
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Http404(_("No such page."))
    return int(raw)


def paginate(request, queryset, size: int = PAGE_SIZE, by_ids: bool = True) -> Page:
    """Return the page of ``queryset`` that ``?page=`` asks for; 404 for a page that is not there."""
    number = page_number(request)
    offset = (number - 1) * size
    rows = queryset.page(offset, size + 1) if by_ids else list(queryset[offset : offset + size + 1])
    if number > 1 and not rows:
        raise Http404(_("No such page."))
    return Page(number=number, items=rows[:size], has_next=len(rows) > size)


def absolute_url(request, path: str) -> str:
    """Return ``path`` as a full address, on NEWSROOM_SITE_URL when it is set."""
    if settings.NEWSROOM_SITE_URL:
        return settings.NEWSROOM_SITE_URL + path
    return request.build_absolute_uri(path)


def canonical_url(request, page: Page | None = None) -> str:
    """Return the page's canonical address: its path, plus ``?page=N`` after the first page."""
    path = request.path
    if page is not None and page.number > 1:
        path += f"?page={page.number}"
    return absolute_url(request, path)


class ListPage(TemplateView):
    """A paginated list of published articles; subclasses say which and what to call it."""

    template_name = "articles/article_list.html"
    # Deep pages by id first (ArticleQuerySet.page); search orders by relevance, so not there.
    pages_by_ids = True

    def articles(self):
        return Article.objects.published()

    def heading(self) -> str:
        raise NotImplementedError

    def summaries(self):
        return self.articles().for_summaries()

    def shown(self) -> set[str]:
        """Return the surrogate keys of the list itself (the summaries in it add their own)."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        page = paginate(self.request, self.summaries(), by_ids=self.pages_by_ids)
        keys.show(*self.shown(), *keys.summaries(page.items))
        return super().get_context_data(
            page=page,
            heading=self.heading(),
            canonical_url=canonical_url(self.request, page),
            **kwargs,
        )


class HomeView(ListPage):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        featured = []
        if context["page"].number == 1:
            featured = list(
                Article.objects.published().featured().select_related("category")[:FEATURED_COUNT]
            )
            # Featured articles usually open the latest list too: show each once.
            shown = {article.pk for article in featured}
            context["page"].items = [a for a in context["page"].items if a.pk not in shown]
            keys.show(*keys.summaries(featured))
        context["featured"] = featured
        return context

    def heading(self) -> str:
        return _("Latest news")

    def shown(self) -> set[str]:
        return {keys.LIST}


class ArticleDetailView(TemplateView):
    template_name = "articles/article_detail.html"

    def get(self, request, *args, **kwargs):
        try:
            self.page = Article.objects.published_page(kwargs["slug"])
        except Article.DoesNotExist:
            moved = SlugRedirect.objects.filter(old_slug=kwargs["slug"]).select_related("article").first()
            if moved is None or not moved.article.is_published:
                raise Http404(_("No such article.")) from None
            return redirect(moved.article, permanent=True)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**article_page_context(self.request, self.page), **kwargs)


def article_page_context(request, page: ArticlePage) -> dict:
    """Return what the article page shows of ``page``: the reader page and the preview share it."""
    article, bylines, tags = page.article, page.bylines, page.tags
    around = Article.objects.around(article, [tag.pk for tag in tags], RELATED_COUNT)
    keys.show(*keys.article_page(page, around.related, around.previous, around.next, RELATED_TAGS))
    return {
        "article": article,
        "tags": tags,
        "bylines": bylines,
        "breadcrumbs": article.breadcrumbs(),
        "related": around.related,
        "previous_article": around.previous,
        "next_article": around.next,
        "lead_image_srcset": _srcset(article),
        "canonical_url": absolute_url(request, article.get_absolute_url()),
        "image_url": _image_url(request, article),
        "structured_data": _structured_data(request, article, bylines),
    }


class CategoryView(ListPage):
    def get(self, request, *args, **kwargs):
        self.subtree = Category.objects.subtree_at(kwargs["path"])
        if not self.subtree:
            raise Http404(_("No such category."))
        self.category = self.subtree[0]
        return super().get(request, *args, **kwargs)

    def articles(self):
        return super().articles().in_categories(self.subtree)

    def heading(self) -> str:
        return self.category.name

    def shown(self) -> set[str]:
        # The breadcrumb and header, and the list of every category the page shows articles of.
        return {keys.category(self.category.pk), *keys.subtree_lists(self.subtree)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            category=self.category,
            description=self.category.description,
            feed_path=reverse("articles:category-rss", kwargs={"path": self.category.path}),
            **kwargs,
        )


class TagView(ListPage):
    def get(self, request, *args, **kwargs):
        self.tag = get_object_or_404(Tag, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def articles(self):
        return super().articles().tagged(self.tag)

    def heading(self) -> str:
        return "#" + self.tag.name

    def shown(self) -> set[str]:
        return {keys.tag(self.tag.pk), keys.tag_list(self.tag.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            feed_path=reverse("articles:tag-rss", kwargs={"slug": self.tag.slug}), **kwargs
        )


class AuthorView(ListPage):
    def get(self, request, *args, **kwargs):
        self.author = get_object_or_404(Author, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def articles(self):
        return super().articles().by_author(self.author)

    def heading(self) -> str:
        return self.author.name

    def shown(self) -> set[str]:
        return {keys.author(self.author.pk), keys.author_list(self.author.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            description=self.author.bio,
            feed_path=reverse("articles:author-rss", kwargs={"slug": self.author.slug}),
            **kwargs,
        )


class ArchiveView(ListPage):
    """Articles of a year, a month or a day (in the site's time zone)."""

    def get(self, request, *args, **kwargs):
        self.year, self.month, self.day = kwargs["year"], kwargs.get("month"), kwargs.get("day")
        try:
            dt.date(self.year, 1 if self.month is None else self.month, 1 if self.day is None else self.day)
        except ValueError:
            raise Http404(_("No such date.")) from None
        return super().get(request, *args, **kwargs)

    def articles(self):
        return super().articles().in_archive(self.year, self.month, self.day)

    def heading(self) -> str:
        if self.day:
            return formats.date_format(dt.date(self.year, self.month, self.day), "DATE_FORMAT")
        if self.month:
            return formats.date_format(dt.date(self.year, self.month, 1), "YEAR_MONTH_FORMAT")
        return _("%(year)s archive") % {"year": self.year}

    def shown(self) -> set[str]:
        return {keys.archive(self.year, self.month, self.day)}


class SearchView(ListPage):
    template_name = "articles/search.html"
    pages_by_ids = False

    def get(self, request, *args, **kwargs):
        self.query_text = request.GET.get("q", "").strip()[:100]
        self.query = search.Query.parse(self.query_text)
        return super().get(request, *args, **kwargs)

    def articles(self):
        # Results up to the end of this page (and one more, to know whether there is a next page).
        limit = page_number(self.request) * PAGE_SIZE + 1
        return super().articles().search(self.query_text, limit=limit)

    def summaries(self):
        # The snippets come from the bodies.
        return super().summaries().defer(None).defer(*SEARCH_DEFERRED_FIELDS).select_related("category")

    def shown(self) -> set[str]:
        return {keys.SEARCH}

    def heading(self) -> str:
        if self.query_text:
            return _("Search results for “%(query)s”") % {"query": self.query_text}
        return _("Search")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(query=self.query_text, **kwargs)
        for article in context["page"].items:
            article.snippet = search.article_snippet(article.summary, article.body, self.query)
            article.title_highlighted = search.highlight(article.title, self.query, length=300)
        return context


def robots_txt(request):
    """Return robots.txt: everything may be crawled but the admin and search; where the sitemap is."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {absolute_url(request, reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _srcset(article: Article) -> str:
    if not article.lead_image:
        return ""
    return ", ".join(f"{url} {width}w" for width, url in rendition_urls(article.lead_image_renditions))


def _image_url(request, article: Article) -> str:
    if article.lead_image:
        return absolute_url(request, article.lead_image.url)
    return allowed_or_empty(article.lead_image_url)


def _structured_data(request, article: Article, bylines: list[Byline]):
    """Return the article's schema.org ``NewsArticle`` as JSON safe inside a ``<script>`` element."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        # A draft in preview has no publication time yet: its last change stands in.
        "datePublished": timezone.localtime(article.published_at or article.updated_at).isoformat(),
        "dateModified": timezone.localtime(
            max(article.updated_at, article.published_at or article.updated_at)
        ).isoformat(),
        "mainEntityOfPage": absolute_url(request, article.get_absolute_url()),
        "author": [
            {
                "@type": "Organization" if byline.author.kind == "organisation" else "Person",
                "name": byline.author.name,
                "url": absolute_url(request, byline.author.get_absolute_url()),
            }
            for byline in bylines
        ],
        "publisher": {"@type": "Organization", "name": settings.NEWSROOM_SITE_NAME or _("Newsroom")},
    }
    if article.summary:
        data["description"] = article.summary
    if image := _image_url(request, article):
        data["image"] = [image]
    if article.category:
        data["articleSection"] = article.category.name
    text = json.dumps(data, ensure_ascii=False)
    # Nothing in the data may close the script element or open a comment.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)


def render_preview(request, article: Article):
    """Return the article page exactly as readers will see it, marked private and not for search engines."""
    context = article_page_context(request, Article.objects.page_of(article))
    response = render(request, "articles/article_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def preview(request, token: str):
    """Show an unpublished article to whoever holds a live share link; an ended link answers as expired."""
    link = link_for(token)
    if link is None:
        raise Http404(_("No such preview."))
    if not link.is_live:
        return render(
            request,
            "articles/preview_refused.html",
            {"reason": _("This preview link has expired. Ask for a new one.")},
            status=403,
        )
    return render_preview(request, link.article)
