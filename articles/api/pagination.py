"""Pages of the Content API's lists: ``?page=`` and ``?page_size=``, with counts.

The count is taken first, so a page past the end is refused (400, naming ``page``) before any row is
read, and an empty list costs one query. Deep pages are read by id (``ArticleQuerySet.page``), which
the listing index answers without reading the skipped rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from articles.api.parameters import Parameter, integer_schema, whole_number

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000

PAGE = Parameter(
    "page",
    whole_number(1, MAX_PAGE),
    integer_schema(1, MAX_PAGE, default=1),
    gettext_lazy("Page number, from 1."),
)
PAGE_SIZE = Parameter(
    "page_size",
    whole_number(1, MAX_PAGE_SIZE),
    integer_schema(1, MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE),
    gettext_lazy("Items per page."),
)
PARAMETERS = (PAGE, PAGE_SIZE)


@dataclass(frozen=True)
class Window:
    """The page a request asks for: its number and size."""

    number: int
    size: int

    @classmethod
    def from_values(cls, values: dict) -> Window:
        """Return the page the read parameters ask for (the first, of the default size, by default)."""
        return cls(values.get("page", 1), values.get("page_size", DEFAULT_PAGE_SIZE))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def check(self, count: int) -> None:
        """Raise a ValidationError naming ``page`` when a list of ``count`` items has no such page."""
        pages = max(1, math.ceil(count / self.size))
        if self.number > pages:
            raise ValidationError(
                {
                    "page": [
                        _("There are only %(pages)s pages of %(size)s.") % {"pages": pages, "size": self.size}
                    ]
                }
            )


def page_body(request, window: Window, count: int, results: list) -> dict:
    """Return a page of a list as the API answers it: counts, links to the neighbours, the items."""
    pages = max(1, math.ceil(count / window.size))
    return {
        "count": count,
        "page": window.number,
        "pages": pages,
        "page_size": window.size,
        "next": _page_address(request, window.number + 1) if window.number < pages else None,
        "previous": _page_address(request, window.number - 1) if window.number > 1 else None,
        "results": results,
    }


def _page_address(request, number: int) -> str:
    """Return the request's address asking for page ``number`` instead (no ``page`` for the first)."""
    # From the parsed parameters, not the raw query string: they are decoded and encoded again alike.
    query = request.GET.copy()
    if number == 1:
        query.pop("page", None)
    else:
        query["page"] = str(number)
    address = request.build_absolute_uri(request.path)
    return f"{address}?{query.urlencode()}" if query else address


def paginated(item_serializer: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """Return the schema's serializer of a page of ``item_serializer`` items, named ``name``."""
    fields = {
        "count": serializers.IntegerField(help_text=gettext_lazy("How many items the whole list has.")),
        "page": serializers.IntegerField(help_text=gettext_lazy("This page's number.")),
        "pages": serializers.IntegerField(help_text=gettext_lazy("How many pages the list has.")),
        "page_size": serializers.IntegerField(help_text=gettext_lazy("Items per page.")),
        "next": serializers.URLField(allow_null=True, help_text=gettext_lazy("The next page, if any.")),
        "previous": serializers.URLField(
            allow_null=True, help_text=gettext_lazy("The previous page, if any.")
        ),
        "results": item_serializer(many=True),
    }
    return type(name, (serializers.Serializer,), fields)
