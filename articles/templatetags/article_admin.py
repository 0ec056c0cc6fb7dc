"""Template tags for the article admin."""

from django import template

from articles.admin import desk
from articles.admin.dates import fast_date_hierarchy

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def article_date_hierarchy(change_list):
    """Render the change list's date hierarchy with ``fast_date_hierarchy``."""
    return fast_date_hierarchy(change_list) or {}


@register.inclusion_tag("admin/articles/desk.html", takes_context=True)
def editorial_desk(context):
    """Render the desk of the admin home for the logged-in user (as Django's own ``get_admin_log`` does)."""
    user = context["request"].user
    return {
        "queues": desk.queues(user),
        "roles": desk.role_summary(user),
        "can_add": user.has_perm("articles.add_article"),
    }
