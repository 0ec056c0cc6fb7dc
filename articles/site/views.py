"""Reader pages. Views only pick a queryset and a template; the URLconf adds the page cache.

A little over 400 lines because there are a dozen reader pages (home, article, category, tag,
author, editor, archives, search, robots.txt, share code, preview), each a short class or
function sharing ``ListPage``; their reads live in ``listings`` and ``article_page``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from urllib.parse import urlencode

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
from articles.cache import surrogate_keys as keys
from articles.images import rendition_urls
from articles.models import Article, Author, Byline, Category, SlugRedirect, Tag
from articles.preview import link_for
from articles.safe_urls import allowed_or_empty
from articles.site import article_page, listings, share
from articles.site.article_page import RELATED_TAGS, ArticlePage
from articles.site.listings import Listing
from articles.site.pagination import PAGE_SIZE, Fetch, Page, page_number, paginate

FEATURED_COUNT = 3
RELATED_COUNT = 4
# Search results counted for the page links: past these, the last page linked is the 50th.
SEARCH_COUNT_LIMIT = 50 * PAGE_SIZE


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
    # An empty first page is a 404 (a person who edited nothing published has no editor page).
    empty_is_missing = False

    def listing(self) -> Listing:
        """Return which published articles the page lists."""
        return Listing.everything()

    def pages(self) -> Fetch:
        """Return what reads the listing's pages (its summaries, in plain SQL)."""
        return functools.partial(listings.summaries, self.listing())

    def heading(self) -> str:
        raise NotImplementedError

    def shown(self) -> set[str]:
        """Return the surrogate keys of the list itself (the summaries in it add their own)."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        shown = self.shown()
        page = paginate(
            self.request, self.pages(), key=f"{self.request.path}?{self.page_query()}", keys=shown
        )
        if self.empty_is_missing and not page.items:
            raise Http404(_("Nothing to list here."))
        keys.show(*shown, *keys.summaries(page.items))
        return super().get_context_data(
            page=page,
            page_query=self.page_query(),
            heading=self.heading(),
            canonical_url=canonical_url(self.request, page),
            **kwargs,
        )

    def page_query(self) -> str:
        """Return what the page links carry besides ``page=`` (the search words), as a query string."""
        return ""


class HomeView(ListPage):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        featured = []
        if context["page"].number == 1:
            featured, _total = listings.summaries(Listing.featured(), 0, FEATURED_COUNT)
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
            self.page = article_page.published_page(kwargs["slug"])
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
    around = article_page.around(article, [tag.pk for tag in tags], RELATED_COUNT)
    keys.show(*keys.article_page(page, around.related, around.previous, around.next, RELATED_TAGS))
    address = absolute_url(request, article.get_absolute_url())
    return {
        "article": article,
        "tags": tags,
        "bylines": bylines,
        "breadcrumbs": article.breadcrumbs(),
        "credit_lines": article.credit_lines(),
        "related": around.related,
        "previous_article": around.previous,
        "next_article": around.next,
        "lead_image_srcset": _srcset(article),
        "canonical_url": address,
        "image_url": _image_url(request, article),
        "structured_data": _structured_data(request, article, bylines, address),
        # A preview's article has no public address yet: nothing to share (its QR code would not open).
        "share": share.links(article, address) if article.is_published else None,
    }


def share_code(request, slug: str):
    """Return the QR code of the article's address as SVG, for sharing on 微信 (WeChat) by phone."""
    article = get_object_or_404(Article.objects.published().only("slug"), slug=slug)
    # The code holds the article's address: it changes with the article's slug.
    keys.show(keys.article(article.pk))
    svg = share.qr_code_svg(absolute_url(request, article.get_absolute_url()))
    return HttpResponse(svg, content_type="image/svg+xml")


class CategoryView(ListPage):
    def get(self, request, *args, **kwargs):
        self.subtree = Category.objects.subtree_at(kwargs["path"])
        if not self.subtree:
            raise Http404(_("No such category."))
        self.category = self.subtree[0]
        return super().get(request, *args, **kwargs)

    def listing(self) -> Listing:
        return Listing.in_categories(self.subtree)

    def heading(self) -> str:
        return self.category.name

    def shown(self) -> set[str]:
        # The breadcrumb and header, and the list of every category the page shows articles of.
        return {keys.category(self.category.pk), *keys.subtree_lists(self.subtree)}

    def get_context_data(self, **kwargs):
        children = sorted(
            (c for c in self.subtree if c.parent_id == self.category.pk), key=lambda c: (c.sort_order, c.name)
        )
        # The sub-sections' names and addresses.
        keys.show(*(keys.category(child.pk) for child in children))
        return super().get_context_data(
            category=self.category,
            children=children,
            description=self.category.description,
            feed_path=reverse("articles:category-rss", kwargs={"path": self.category.path}),
            **kwargs,
        )


class TagView(ListPage):
    def get(self, request, *args, **kwargs):
        self.tag = get_object_or_404(Tag, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def listing(self) -> Listing:
        return Listing.tagged(self.tag.pk)

    def heading(self) -> str:
        return "#" + self.tag.name

    def shown(self) -> set[str]:
        return {keys.tag(self.tag.pk), keys.tag_list(self.tag.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            feed_path=reverse("articles:tag-rss", kwargs={"slug": self.tag.slug}), **kwargs
        )


class AuthorView(ListPage):
    """The articles a person or outlet wrote (their byline)."""

    def get(self, request, *args, **kwargs):
        self.author = get_object_or_404(Author, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def listing(self) -> Listing:
        return Listing.by_author(self.author.pk)

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


class EditorView(ListPage):
    """The articles a person was the responsible editor (责任编辑) of."""

    empty_is_missing = True

    def get(self, request, *args, **kwargs):
        self.editor = get_object_or_404(Author, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def listing(self) -> Listing:
        return Listing.edited_by(self.editor.pk)

    def heading(self) -> str:
        return _("Edited by %(name)s") % {"name": self.editor.name}

    def shown(self) -> set[str]:
        # An editor's list key is the author's: an article's editor is in its author lists.
        return {keys.author(self.editor.pk), keys.author_list(self.editor.pk)}


class ArchiveIndexView(TemplateView):
    """Every year and month with published articles, newest first, with how many each holds."""

    template_name = "articles/archive_index.html"

    def get_context_data(self, **kwargs):
        # Every month's count: any article published or withdrawn anywhere changes one.
        keys.show(keys.LIST)
        return super().get_context_data(
            years=Article.objects.published().months(),
            heading=_("Archive"),
            canonical_url=canonical_url(self.request),
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

    def listing(self) -> Listing:
        return Listing.in_archive(self.year, self.month, self.day)

    def heading(self) -> str:
        if self.day:
            return formats.date_format(dt.date(self.year, self.month, self.day), "DATE_FORMAT")
        if self.month:
            return formats.date_format(dt.date(self.year, self.month, 1), "YEAR_MONTH_FORMAT")
        return _("%(year)s archive") % {"year": self.year}

    def shown(self) -> set[str]:
        return {keys.archive(self.year, self.month, self.day)}

    def get_context_data(self, **kwargs):
        trail = [(_("Archive"), reverse("articles:archive"))]
        if self.month:
            trail.append((str(self.year), reverse("articles:archive-year", kwargs={"year": self.year})))
        if self.day:
            trail.append(
                (
                    formats.date_format(dt.date(self.year, self.month, 1), "YEAR_MONTH_FORMAT"),
                    reverse("articles:archive-month", kwargs={"year": self.year, "month": self.month}),
                )
            )
        return super().get_context_data(trail=trail, **kwargs)


class SearchView(ListPage):
    template_name = "articles/search.html"

    def get(self, request, *args, **kwargs):
        self.query_text = request.GET.get("q", "").strip()[:100]
        self.query = search.Query.parse(self.query_text)
        return super().get(request, *args, **kwargs)

    def pages(self) -> Fetch:
        # The best results up to the end of this page; the openings of their bodies, for the snippets.
        best = listings.matching(self.query, page_number(self.request) * PAGE_SIZE)
        counted = listings.matching(self.query, SEARCH_COUNT_LIMIT)
        return functools.partial(
            listings.summaries, best, counted=counted, body_opening=search.SNIPPET_SOURCE
        )

    def shown(self) -> set[str]:
        return {keys.SEARCH}

    def heading(self) -> str:
        if self.query_text:
            return _("Search results for “%(query)s”") % {"query": self.query_text}
        return _("Search")

    def page_query(self) -> str:
        return urlencode({"q": self.query_text}) if self.query_text else ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(query=self.query_text, **kwargs)
        for article in context["page"].items:
            article.snippet = search.article_snippet(article.summary, article.body_opening, self.query)
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


def _person(request, author: Author, address: str) -> dict:
    return {
        "@type": "Organization" if author.kind == Author.Kind.ORGANISATION else "Person",
        "name": author.name,
        "url": absolute_url(request, address),
    }


def _structured_data(request, article: Article, bylines: list[Byline], address: str):
    """Return the article's schema.org ``NewsArticle`` as JSON safe inside a ``<script>`` element."""
    # A draft in preview has no publication time yet: its last change stands in.
    published = article.published_at or article.updated_at
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "datePublished": timezone.localtime(published).isoformat(),
        "dateModified": timezone.localtime(article.revised_at or published).isoformat(),
        "mainEntityOfPage": address,
        "author": [_person(request, byline.author, byline.author.get_absolute_url()) for byline in bylines],
        "publisher": {"@type": "Organization", "name": settings.NEWSROOM_SITE_NAME or _("Newsroom")},
    }
    if article.title_language:
        data["inLanguage"] = article.title_language
    if article.editor is not None:
        data["editor"] = _person(request, article.editor, article.editor.get_edited_url())
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
    context = article_page_context(request, article_page.page_of(article))
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
