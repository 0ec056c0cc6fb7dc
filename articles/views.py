"""Reader pages. Views only pick a queryset and a template."""

from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from articles.models import Article, Author, Category, SlugRedirect, Tag
from articles.preview import article_pk_from_token

PAGE_SIZE = 20


class HomeView(ListView):
    template_name = "articles/home.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Article.objects.published().for_listing()


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = SlugRedirect.objects.filter(old_slug=kwargs["slug"]).select_related("article").first()
            if moved is None or not moved.article.is_published:
                raise
            return redirect(moved.article, permanent=True)


class FilteredListView(ListView):
    """A paginated list of published articles belonging to one object."""

    template_name = "articles/article_list.html"
    paginate_by = PAGE_SIZE

    def get_object(self):
        raise NotImplementedError

    def filter_articles(self, articles):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.filter_articles(Article.objects.published()).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=str(self.object), object=self.object, **kwargs)


class CategoryView(FilteredListView):
    def get_object(self):
        return get_object_or_404(Category, path=self.kwargs["path"])

    def filter_articles(self, articles):
        return articles.in_category(self.object)


class TagView(FilteredListView):
    def get_object(self):
        return get_object_or_404(Tag, slug=self.kwargs["slug"])

    def filter_articles(self, articles):
        return articles.tagged(self.object)


class AuthorView(FilteredListView):
    def get_object(self):
        return get_object_or_404(Author, slug=self.kwargs["slug"])

    def filter_articles(self, articles):
        return articles.by_author(self.object)


def render_preview(request, article: Article):
    """Return the article page exactly as readers will see it, marked private and not for search engines."""
    response = render(request, "articles/article_detail.html", {"article": article, "object": article})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def preview(request, token: str):
    """Show an unpublished article to whoever holds a valid, unexpired preview token."""
    try:
        pk = article_pk_from_token(token)
    except signing.SignatureExpired:
        return render(
            request,
            "articles/preview_refused.html",
            {"reason": _("This preview link has expired. Ask for a new one.")},
            status=403,
        )
    except signing.BadSignature as error:
        raise Http404(_("No such preview.")) from error
    return render_preview(request, get_object_or_404(Article.objects.for_listing(), pk=pk))
