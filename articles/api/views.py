"""The Content API's endpoints. Each reads its parameters, picks a queryset, and answers; the URLconf
adds the cache rules (``articles.api.caching``)."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import search
from articles.api import pagination
from articles.api.caching import show_pages
from articles.api.errors import error_responses
from articles.api.filters import ARTICLE_FILTERS, FIELDS, check_named_values, filter_articles, load_pages
from articles.api.links import Links
from articles.api.parameters import Parameter, choice, enum_schema, query_text, read_parameters
from articles.api.serializers import (
    LIST_FIELD_NAMES,
    ArticleSerializer,
    AuthorSerializer,
    CategoryTreeSerializer,
    SearchResultSerializer,
    TagSerializer,
    category_tree_data,
)
from articles.api.visibility import (
    DEFAULT_STATUS,
    articles_for,
    is_staff_reader,
    openable_articles,
    visible_authors,
    visible_tags,
)
from articles.cache import surrogate_keys as keys
from articles.models import Article, Author, Category, SlugRedirect
from articles.site import article_page

MAX_ARTICLE_ID = 2**63 - 1
SEARCH_MAX_CHARACTERS = 100
SEARCH_QUERY = Parameter(
    "q",
    query_text(SEARCH_MAX_CHARACTERS),
    {"type": "string", "minLength": 1, "maxLength": SEARCH_MAX_CHARACTERS},
    gettext_lazy(
        "The words to find. Chinese words of any length match, such as 张勇; every word must appear."
    ),
    required=True,
)
AUTHOR_KIND = Parameter(
    "kind",
    choice(tuple(Author.Kind.values)),
    enum_schema(tuple(Author.Kind.values)),
    gettext_lazy("Only people or only organisations."),
)
LIST_ERRORS = error_responses(400, 401, 403, 406, 429)
ITEM_ERRORS = error_responses(400, 401, 404, 406, 429)


def parameters_of(*parameters: Parameter) -> list:
    """Return the schema's descriptions of ``parameters``."""
    return [parameter.openapi() for parameter in parameters]


class ContentView(APIView):
    """An endpoint of the Content API: read-only, with the context its serializers need."""

    http_method_names = ["get", "head", "options"]

    def serializer_context(self, **more) -> dict:
        return {"request": self.request, "links": Links.for_request(self.request), **more}


class ArticleListView(ContentView):
    @extend_schema(
        operation_id="articles_list",
        description=gettext_lazy(
            "Published articles whose time has come, as readers see them, with filters. Signed-in staff may ask for other statuses."
        ),
        summary=gettext_lazy("Articles, newest first"),
        parameters=parameters_of(*ARTICLE_FILTERS),
        responses={200: pagination.paginated(ArticleSerializer, "ArticlePage"), **LIST_ERRORS},
    )
    def get(self, request):
        values = read_parameters(request.query_params, ARTICLE_FILTERS)
        articles = filter_articles(articles_for(request.user, values.get("status", DEFAULT_STATUS)), values)
        window = pagination.Window.from_values(values)
        count = articles.count()
        if not count:
            check_named_values(values)
        window.check(count)
        fields = values.get("fields") or LIST_FIELD_NAMES
        pages = load_pages(articles, window, fields) if count else []
        # Any article joining, leaving or moving in a list purges LIST (articles.cache.surrogate_keys).
        show_pages(pages, keys.LIST)
        results = ArticleSerializer(pages, many=True, context=self.serializer_context(fields=fields)).data
        return Response(pagination.page_body(request, window, count, results))


class ArticleDetailView(ContentView):
    """One article by its slug or its id. An old slug redirects (301) to the article's API address."""

    def article_response(self, request, slug: str = "", pk: int | None = None):
        """Return the response for the article with id ``pk`` or, when it is None, with ``slug``."""
        values = read_parameters(request.query_params, (FIELDS,))
        if pk is not None:
            page = self.page_by_id(pk)
        else:
            page = self.page_by_slug(slug)
            if page is None:
                return self.moved(slug)
        show_pages([page])
        context = self.serializer_context(fields=values.get("fields"))
        return Response(ArticleSerializer(page, context=context).data)

    def page_by_slug(self, slug: str):
        if not is_staff_reader(self.request.user):
            try:
                return article_page.published_page(slug)
            except Article.DoesNotExist:
                return None
        found = openable_articles(self.request.user).select_related("category", "editor").filter(slug=slug)
        article = found.first()
        return article_page.page_of(article) if article is not None else None

    def page_by_id(self, pk: int):
        if pk > MAX_ARTICLE_ID:
            raise NotFound()
        articles = openable_articles(self.request.user).select_related("category", "editor")
        return article_page.page_of(get_object_or_404(articles, pk=pk))

    def moved(self, slug: str):
        redirect = SlugRedirect.objects.filter(old_slug=slug).select_related("article").first()
        if (
            redirect is None
            or not openable_articles(self.request.user).filter(pk=redirect.article_id).exists()
        ):
            raise NotFound()
        address = reverse("api:article", kwargs={"slug": redirect.article.slug})
        query = self.request.META.get("QUERY_STRING")
        return HttpResponsePermanentRedirect(address + (f"?{query}" if query else ""))


class ArticleBySlugView(ArticleDetailView):
    @extend_schema(
        operation_id="articles_retrieve",
        description=gettext_lazy(
            "One article with everything needed to show it. An old slug answers 301 with the new address."
        ),
        summary=gettext_lazy("An article by its slug"),
        parameters=parameters_of(FIELDS),
        responses={
            200: ArticleSerializer,
            301: OpenApiResponse(
                description=gettext_lazy("The slug changed: Location has the article's address.")
            ),
            **ITEM_ERRORS,
        },
    )
    def get(self, request, slug: str):
        return self.article_response(request, slug=slug)


class ArticleByIdView(ArticleDetailView):
    @extend_schema(
        operation_id="articles_retrieve_by_id",
        description=gettext_lazy("One article with everything needed to show it, by its id."),
        summary=gettext_lazy("An article by its id"),
        parameters=parameters_of(FIELDS),
        responses={200: ArticleSerializer, **ITEM_ERRORS},
    )
    def get(self, request, pk: int):
        return self.article_response(request, pk=pk)


class SearchView(ContentView):
    @extend_schema(
        operation_id="search",
        summary=gettext_lazy("Articles containing words, best first"),
        description=gettext_lazy(
            "The site's own search: title matches first, then newest. Each result has a snippet."
        ),
        parameters=parameters_of(SEARCH_QUERY, FIELDS, *pagination.PARAMETERS),
        responses={200: pagination.paginated(SearchResultSerializer, "SearchResultPage"), **LIST_ERRORS},
    )
    def get(self, request):
        values = read_parameters(request.query_params, (SEARCH_QUERY, FIELDS, *pagination.PARAMETERS))
        window = pagination.Window.from_values(values)
        found = Article.objects.published().search(values["q"])
        count = found.count()
        window.check(count)
        fields = values.get("fields") or LIST_FIELD_NAMES
        pages = []
        if count:
            # Ranked inside the search index on PostgreSQL: only the best up to this page's end are read.
            best = Article.objects.published().search(values["q"], limit=window.offset + window.size)
            pages = load_pages(best, window, (*fields, "body"), by_ids=False)
        show_pages(pages, keys.SEARCH)
        query = search.Query.parse(values["q"])
        for page in pages:
            page.article.snippet = search.article_snippet(page.article.summary, page.article.body, query)
        context = self.serializer_context(fields=(*fields, "snippet"))
        results = SearchResultSerializer(pages, many=True, context=context).data
        return Response(pagination.page_body(request, window, count, results))


class CategoryTreeView(ContentView):
    @extend_schema(
        operation_id="categories_tree",
        description=gettext_lazy(
            "Every category, top-level sections first, each with the categories inside it."
        ),
        summary=gettext_lazy("Every category, as a tree"),
        responses={200: CategoryTreeSerializer(many=True), **error_responses(400, 406, 429)},
    )
    def get(self, request):
        read_parameters(request.query_params, ())
        categories = list(Category.objects.all())
        return Response(category_tree_data(categories, Links.for_request(request)))


class PagedListView(ContentView):
    """A page of tags or authors, in name order."""

    serializer_class: type[serializers.Serializer]
    filters: tuple[Parameter, ...] = ()

    def items(self, values: dict):
        raise NotImplementedError

    def get(self, request):
        values = read_parameters(request.query_params, (*self.filters, *pagination.PARAMETERS))
        items = self.items(values).order_by("name", "id")
        window = pagination.Window.from_values(values)
        count = items.count()
        window.check(count)
        rows = list(items[window.offset : window.offset + window.size]) if count else []
        data = self.serializer_class(rows, many=True, context=self.serializer_context()).data
        return Response(pagination.page_body(request, window, count, data))


class TagListView(PagedListView):
    serializer_class = TagSerializer

    @extend_schema(
        operation_id="tags_list",
        description=gettext_lazy("The tags of articles readers can see, by name."),
        summary=gettext_lazy("Tags of published articles, by name"),
        parameters=parameters_of(*pagination.PARAMETERS),
        responses={200: pagination.paginated(TagSerializer, "TagPage"), **error_responses(400, 406, 429)},
    )
    def get(self, request):
        return super().get(request)

    def items(self, values: dict):
        return visible_tags(self.request.user)


class TagDetailView(ContentView):
    @extend_schema(
        operation_id="tags_retrieve",
        description=gettext_lazy("A tag of articles readers can see."),
        summary=gettext_lazy("A tag by its slug"),
        responses={200: TagSerializer, **error_responses(400, 404, 406, 429)},
    )
    def get(self, request, slug: str):
        read_parameters(request.query_params, ())
        tag = get_object_or_404(visible_tags(request.user), slug=slug)
        return Response(TagSerializer(tag, context=self.serializer_context()).data)


class AuthorListView(PagedListView):
    serializer_class = AuthorSerializer
    filters = (AUTHOR_KIND,)

    @extend_schema(
        operation_id="authors_list",
        description=gettext_lazy("The authors and editors of articles readers can see, by name."),
        summary=gettext_lazy("Authors of published articles, by name"),
        parameters=parameters_of(AUTHOR_KIND, *pagination.PARAMETERS),
        responses={
            200: pagination.paginated(AuthorSerializer, "AuthorPage"),
            **error_responses(400, 406, 429),
        },
    )
    def get(self, request):
        return super().get(request)

    def items(self, values: dict):
        authors = visible_authors(self.request.user)
        return authors.filter(kind=values["kind"]) if "kind" in values else authors


class AuthorDetailView(ContentView):
    @extend_schema(
        operation_id="authors_retrieve",
        description=gettext_lazy("An author or editor of articles readers can see."),
        summary=gettext_lazy("An author by their slug"),
        responses={200: AuthorSerializer, **error_responses(400, 404, 406, 429)},
    )
    def get(self, request, slug: str):
        read_parameters(request.query_params, ())
        author = get_object_or_404(visible_authors(request.user), slug=slug)
        return Response(AuthorSerializer(author, context=self.serializer_context()).data)


class IndexView(ContentView):
    @extend_schema(
        operation_id="index",
        description=gettext_lazy("The address of every endpoint."),
        summary=gettext_lazy("The endpoints"),
        responses={
            200: inline_serializer(
                "Index", {"endpoints": serializers.DictField(child=serializers.URLField())}
            ),
            **error_responses(400, 406, 429),
        },
    )
    def get(self, request):
        read_parameters(request.query_params, ())
        root = Links.for_request(request).root
        names = ("articles", "categories", "tags", "authors", "search", "schema", "docs")
        return Response({"endpoints": {name: root + reverse(f"api:{name}") for name in names}})
