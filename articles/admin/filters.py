"""Change-list filters for articles: status (with scheduled), category with its subtree, author, tag."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from articles import workflow
from articles.models import Article, Author, Category, Tag, TaggedArticle

SCHEDULED = "scheduled"


def chosen_pk(list_filter: admin.SimpleListFilter) -> int | None:
    """Return the primary key chosen in ``list_filter``, or None when there is none (or it is not a number)."""
    value = list_filter.value()
    return int(value) if value and value.isdigit() else None


class StatusFilter(admin.SimpleListFilter):
    """The workflow's statuses with scheduled apart; "all" leaves out the trash, which has its own choice."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        choices = [
            (value, label) for value, label in Article.Status.choices if value != Article.Status.TRASHED
        ]
        choices.insert(3, (SCHEDULED, _("Scheduled")))
        if workflow.can_manage_trash(request.user):
            choices.append((Article.Status.TRASHED, _("Trash")))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == SCHEDULED:
            return queryset.scheduled()
        if value == Article.Status.PUBLISHED:
            return queryset.published()
        if value in Article.Status.values:
            return queryset.filter(status=value)
        return queryset.outside_trash()


class MineFilter(admin.SimpleListFilter):
    """The articles of the person looking: created by them or with their byline."""

    title = _("whose")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", _("Mine"))]

    def queryset(self, request, queryset):
        return queryset.owned_by(request.user) if self.value() == "1" else queryset


class CategoryFilter(admin.SimpleListFilter):
    """A category and everything below it."""

    title = _("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [
            (category.pk, "\u2003" * category.depth + category.name)
            for category in Category.objects.only("pk", "name", "depth", "path")
        ]

    def queryset(self, request, queryset):
        category = Category.objects.filter(pk=chosen_pk(self)).first()
        return queryset.in_category(category) if category else queryset


class AuthorFilter(admin.SimpleListFilter):
    """Lists the newsroom's own people; any author is reached from the links in the author column."""

    title = _("author")
    parameter_name = "author"

    def lookups(self, request, model_admin):
        return Author.objects.filter(Q(user__isnull=False) | Q(pk=chosen_pk(self))).values_list("pk", "name")

    def queryset(self, request, queryset):
        author = Author.objects.filter(pk=chosen_pk(self)).first()
        if author is None:
            return queryset
        return queryset.filter(pk__in=Article.objects.by_author(author).values("pk"))


class TagFilter(admin.SimpleListFilter):
    """Lists the tags used most lately; any tag is reached from the links in the tags column."""

    title = _("tag")
    parameter_name = "tag"
    listed = 30
    # Counting every tagging would scan the whole archive on each page view; the latest ones say
    # what the newsroom writes about now, at a constant cost.
    recent_taggings = 2000

    def lookups(self, request, model_admin):
        recent = TaggedArticle.objects.order_by("-pk").values("pk")[: self.recent_taggings]
        busiest = (
            TaggedArticle.objects.filter(pk__in=recent)
            .values("tag")
            .annotate(uses=Count("pk"))
            .order_by("-uses", "tag")
            .values("tag")[: self.listed]
        )
        listed = Tag.objects.filter(Q(pk__in=busiest) | Q(pk=chosen_pk(self))).order_by("name")
        return listed.values_list("pk", "name")

    def queryset(self, request, queryset):
        tag = Tag.objects.filter(pk=chosen_pk(self)).first()
        if tag is None:
            return queryset
        return queryset.filter(pk__in=Article.objects.tagged(tag).values("pk"))
