"""Pages of a listing: the page a request asks for, how many pages there are, and which to link.

A listing shows numbered links: the first and the last page, and a window around the current one
(« 1 … 4 5 [6] 7 8 … 50 »). Knowing the last page takes a count of the listing. The count is asked
in the same query as the page's rows (a scalar subquery), so a listing costs no extra round trip,
and each process remembers it (``invalidation.RememberedValues``) under the listing's surrogate
keys: until a change purges one of them (an article joining or leaving the list), the next pages
of the listing read their rows only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _

from articles.cache.invalidation import RememberedValues, freshness

PAGE_SIZE = 20
MAX_PAGE = 10_000
# Pages linked on each side of the current one.
WINDOW = 2
# Reads ``count`` rows of a listing after ``offset``; with ``with_total``, also how many it holds.
Fetch = Callable[[int, int, bool], tuple[list, "int | None"]]


@dataclass
class Page:
    """One page of a listing: its number, its items, and how many items the listing holds."""

    number: int
    items: list = field(default_factory=list)
    count: int = 0
    size: int = PAGE_SIZE

    @property
    def last(self) -> int:
        """Return the number of the last page (1 for an empty listing)."""
        return max(1, math.ceil(self.count / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.last

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    def numbers(self, window: int = WINDOW) -> list[int | None]:
        """Return the page numbers to link, in order, with None where pages are left out."""
        shown = {1, self.last, *range(self.number - window, self.number + window + 1)}
        numbers: list[int | None] = []
        for number in sorted(n for n in shown if 1 <= n <= self.last):
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def page_number(request) -> int:
    """Return the page number ``?page=`` asks for; 404 for one that cannot exist."""
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Http404(_("No such page."))
    return int(raw)


def paginate(request, fetch: Fetch, key: str, keys: Iterable[str], size: int = PAGE_SIZE) -> Page:
    """Return the page of a listing that ``?page=`` asks for; 404 for a page that is not there.

    ``fetch(offset, count, with_total)`` reads the listing's rows (``articles.site.listings.summaries``);
    ``key`` names the listing, ``keys`` are the surrogate keys of its list (what changes its size).
    """
    number = page_number(request)
    offset = (number - 1) * size
    # Taken before the read: a change committed meanwhile makes the count kept here stale.
    generation = freshness.generation()
    count = _counts.get(key)
    rows, total = fetch(offset, size, count is None)
    if number > 1 and not rows:
        raise Http404(_("No such page."))
    if count is None:
        count = total or 0
        _counts.keep(key, count, keys, generation)
    return Page(number=number, items=rows, count=max(count, offset + len(rows)), size=size)


# How many articles each listing holds, as this process last counted them.
_counts: RememberedValues[int] = RememberedValues()
