"""Template tags for the article admin."""

from django import template

from articles.admin.dates import fast_date_hierarchy

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def article_date_hierarchy(change_list):
    """Render the change list's date hierarchy with ``fast_date_hierarchy``."""
    return fast_date_hierarchy(change_list) or {}
