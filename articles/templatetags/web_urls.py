"""``web_url``: the guard every stored address passes through on its way into a page."""

from django import template

from articles.safe_urls import allowed_or_empty

register = template.Library()


@register.filter
def web_url(value) -> str:
    """Return ``value`` when it is an allowed http or https address (``articles.safe_urls``), else ''.

    Rows written around ``save()`` (raw SQL, a restored backup) never put another address in a page.
    """
    return allowed_or_empty(value if isinstance(value, str) else "")
