"""Admin benchmark: the admin home (the editor's desk), the article change list and the edit page
with 100,000 articles.

    python benchmarks/admin_bench.py [--articles 100000] [--repeat 5]

Builds a scratch SQLite database in a temporary folder (bulk_create and the search index, a
minute or two), then renders each page ``--repeat`` times as a logged-in editor through Django's
test client and prints the median time, the number of queries, and the ratio to rendering a
trivial admin page (the articles app's index: the app list the admin home showed before it had a
desk) in the same run, so the figures can be compared across machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BATCH = 5000
EDITOR = "bench-editor"


def set_up_django(data_dir: str) -> None:
    sys.path.insert(0, str(PROJECT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "NEWSROOM_DATA_DIR": data_dir,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_DEBUG": "1",  # plain static storage: no collectstatic needed
        }
    )
    os.environ.pop("DATABASE_URL", None)
    import warnings

    import django
    from django.conf import settings

    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: collectstatic not run

    django.setup()
    settings.DEBUG = False  # no query log, like production


def build_archive(count: int) -> None:
    """Bulk-create ``count`` articles with categories, authors, bylines and tags."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from articles.models import Article, Author, Byline, Category, Tag, TaggedArticle

    call_command("migrate", verbosity=0)
    desk_owner = User.objects.create_user(EDITOR, password="bench-password-0123", is_staff=True)
    sections = []
    for site_number in range(10):
        site = Category.objects.create(name=f"站点{site_number}")
        for feed_number in range(5):
            sections.append(Category.objects.create(parent=site, name=f"栏目{site_number}-{feed_number}"))
    authors = Author.objects.bulk_create([Author(name=f"作者{n}", slug=f"zuo-zhe-{n}") for n in range(500)])
    tags = Tag.objects.bulk_create([Tag(name=f"标签{n}", slug=f"biao-qian-{n}") for n in range(300)])
    statuses = ["published"] * 7 + ["draft", "review", "archived"]
    now = timezone.now()
    # Every 100th article is scheduled (a future time), every 10th was written by the editor: the
    # desk's queues (review, my drafts, scheduled) are all long.
    for start in range(0, count, BATCH):
        articles = Article.objects.bulk_create(
            [
                Article(
                    title=f"第{n}篇：国产半固态电池完成零下30℃冷启动测试",
                    slug=f"article-{n}",
                    summary="续航衰减不到15%。",
                    body="<p>正文。</p>" * 20,
                    status=statuses[n % len(statuses)],
                    published_at=now + dt.timedelta(hours=n)
                    if n % 100 == 0
                    else now - dt.timedelta(minutes=37 * n),
                    category=sections[n % len(sections)],
                    editor=authors[n % 7],
                    created_by=desk_owner if n % 10 == 0 else None,
                )
                for n in range(start, min(start + BATCH, count))
            ]
        )
        Byline.objects.bulk_create(
            [Byline(article=article, author=authors[article.pk % len(authors)]) for article in articles]
        )
        TaggedArticle.objects.bulk_create(
            [
                TaggedArticle(content_object=article, tag=tags[(article.pk + offset) % len(tags)])
                for article in articles
                for offset in (0, 17)
            ]
        )
    # bulk_create skips the signals that keep the search index: the admin's search reads it.
    Article.objects.all().refresh_search_index()


def editor_client():
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user = User.objects.get(username=EDITOR)
    user.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(user)
    return client


def measure(client, url: str, repeat: int) -> tuple[float, int]:
    """Return (median seconds, queries) for rendering ``url``, after one warm-up render."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "render"):
                response.render()
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="admin-bench-") as data_dir:
        set_up_django(data_dir)
        started = time.perf_counter()
        build_archive(arguments.articles)
        print(f"built {arguments.articles:,} articles in {time.perf_counter() - started:.1f} s", flush=True)

        from articles.models import Article, Category

        client = editor_client()
        article = Article.objects.order_by("pk")[arguments.articles // 2]
        site = Category.objects.filter(depth=0).first()
        pages = {
            "trivial admin page (app index)": "/admin/articles/",
            "admin home (editor's desk)": "/admin/",
            "article change list": "/admin/articles/article/",
            "change list, a middle page": f"/admin/articles/article/?p={arguments.articles // 100}",
            "change list, category subtree": f"/admin/articles/article/?category={site.pk}",
            "change list, status published": "/admin/articles/article/?status=published",
            "change list, search (电池)": "/admin/articles/article/?q=%E7%94%B5%E6%B1%A0",
            "change list, search (第4242篇)": "/admin/articles/article/?q=%E7%AC%AC4242%E7%AF%87",
            "change list, scheduled": "/admin/articles/article/?status=scheduled",
            "article edit page": f"/admin/articles/article/{article.pk}/change/",
        }
        baseline = None
        print(f"{'page':38} {'median ms':>10} {'queries':>8} {'× trivial':>10}")
        for label, url in pages.items():
            seconds, queries = measure(client, url, arguments.repeat)
            baseline = baseline or seconds
            print(f"{label:38} {seconds * 1000:10.1f} {queries:8d} {seconds / baseline:10.1f}", flush=True)


if __name__ == "__main__":
    main()
