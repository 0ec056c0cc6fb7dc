"""The pieces of the page cache that need no request: key vocabulary, schedule, stored form, memory."""

import datetime as dt
from types import SimpleNamespace

import pytest

from articles.cache import surrogate_keys
from articles.cache.invalidation import Freshness, Schedule
from articles.cache.store import CachedPage, MemoryPages

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(year, month, day, hour=12) -> SimpleNamespace:
    return SimpleNamespace(
        pk=hash((year, month, day, hour)) % 1000,
        published_at=dt.datetime(year, month, day, hour, tzinfo=SHANGHAI),
    )


def date_keys(keys) -> set[str]:
    return {key for key in keys if key.startswith(("day-", "month-", "year-"))}


class TestNeighbours:
    def test_close_neighbours_name_each_day_between_them(self):
        keys = surrogate_keys.neighbours(at(2024, 3, 2), at(2024, 3, 1), at(2024, 3, 3))
        assert date_keys(keys) == {"day-2024-03-01", "day-2024-03-02", "day-2024-03-03"}

    def test_neighbours_weeks_apart_name_months_then_years(self):
        assert date_keys(surrogate_keys.neighbours(at(2024, 3, 20), at(2024, 2, 25), at(2024, 4, 2))) == {
            "month-2024-02",
            "month-2024-03",
            "month-2024-04",
        }
        assert date_keys(surrogate_keys.neighbours(at(2023, 6, 1), at(2022, 12, 30), at(2024, 1, 2))) == {
            "year-2022",
            "year-2023",
            "year-2024",
        }

    def test_a_publication_between_two_articles_purges_a_key_both_pages_name(self):
        previous, item, following = at(2024, 3, 1), at(2024, 3, 9), at(2024, 5, 1)
        page = surrogate_keys.neighbours(item, previous, following)
        for between in (at(2024, 3, 1, 18), at(2024, 4, 15), at(2024, 4, 30, 23)):
            assert page & set(surrogate_keys.dates(between.published_at)), between.published_at

    def test_the_newest_and_the_oldest_article_change_with_any_publication(self):
        assert "list" in surrogate_keys.neighbours(at(2024, 3, 2), at(2024, 3, 1), None)
        assert "list" in surrogate_keys.neighbours(at(2024, 3, 2), None, at(2024, 3, 3))

    def test_dates_are_shanghai_days(self):
        late_utc = dt.datetime(2024, 3, 1, 20, tzinfo=dt.UTC)  # already 2 March in Shanghai
        assert surrogate_keys.dates(late_utc) == ("day-2024-03-02", "month-2024-03", "year-2024")


class TestSchedule:
    def test_a_page_expires_at_the_first_publication_that_changes_it(self):
        schedule = Schedule(((100.0, frozenset({"list-tag-1"})), (200.0, frozenset({"list-tag-2", "list"}))))
        assert schedule.expiry({"list"}, now=50, limit=650) == 200
        assert schedule.expiry({"list-tag-1", "list"}, now=50, limit=650) == 100
        assert schedule.expiry({"list-tag-9"}, now=50, limit=650) == 650
        assert schedule.expiry({"list-tag-1"}, now=150, limit=750) == 750  # that one has appeared

    def test_an_incomplete_schedule_keeps_pages_no_longer_than_its_last_entry(self):
        schedule = Schedule(((100.0, frozenset({"a"})), (300.0, frozenset({"b"}))), complete=False)
        assert schedule.expiry({"c"}, now=50, limit=650) == 300


class TestFreshness:
    def test_a_page_is_stale_once_a_later_purge_names_one_of_its_keys(self):
        freshness = Freshness()
        freshness.started = True
        freshness.learn(5, {"article-1"})
        assert freshness.is_fresh(5, {"article-1", "list"})
        assert freshness.is_fresh(4, {"article-2"})
        assert not freshness.is_fresh(4, {"article-1"})


class TestStoredPages:
    def test_a_page_reads_back_as_stored(self):
        page = CachedPage(
            7, frozenset({"list", "article-3"}), 1234.5, "正文".encode(), (("Content-Type", "text/html"),)
        )
        assert CachedPage.from_bytes(page.to_bytes()) == page

    @pytest.mark.parametrize(
        "data", [b"", b"garbage", b"newsroom-page-1\n\x00\x00\x00\x09{not json", b"\x80\x04pickle"]
    )
    def test_anything_else_reads_as_nothing(self, data):
        assert CachedPage.from_bytes(data) is None

    def test_memory_keeps_the_most_recently_used_pages_within_its_size(self):
        memory = MemoryPages(max_bytes=3000)
        pages = {name: CachedPage(1, frozenset(), 0.0, b"x" * 1000, ()) for name in "abcd"}
        for name in "abc":
            memory.set(name, pages[name])
        memory.get("a")
        memory.set("d", pages["d"])
        assert [name for name in "abcd" if memory.get(name)] == ["a", "c", "d"]
        assert memory.size == 3000
