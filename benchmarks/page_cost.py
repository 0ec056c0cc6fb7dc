"""What an uncached reader page costs in process, next to the perf-floor page (b0) in the same run.

    SEED_CORPUS=../shared/corpus python benchmarks/page_cost.py [--articles 2000] [--renders 300]
    python benchmarks/page_cost.py --database-url postgres://…/db   (an existing database, as is)

Imports the perf-floor generator's articles (``benchmarks/perf_floor.py``) as seed documents into
a scratch database (SQLite in a temporary folder; PostgreSQL when PAGE_COST_DATABASE_URL is set,
which is dropped and re-created), or measures the database ``--database-url`` names (site_bench.py
does, on its own), then renders each page many times through Django's test
client with the page cache off and DEBUG off, and prints the median milliseconds per page, the
queries each makes, and the page's rate as a share of b0's (floor time / page time), against the
targets of issue 13: article >= 50%, listings >= 35%, search >= 25%.

In process, on a busy machine, the ratios hold up where wrk's rates do not: every figure is the
median of rounds that interleave the pages, so a burst of other load hits them all alike. The
server figures (gunicorn under wrk) come from ``site_bench.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TARGETS = {"article": 0.50, "home": 0.35, "category": 0.35, "tag": 0.35, "search": 0.25}


def set_up_django(data_dir: str, existing_database: str = "") -> None:
    sys.path.insert(0, str(PROJECT))
    from benchmarks.perf_floor import require_floor_dir

    require_floor_dir()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.site_bench_settings",
            "NEWSROOM_DATA_DIR": data_dir,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_DEBUG": "1",  # plain static storage: no collectstatic needed
            "NEWSROOM_PAGE_CACHE_SECONDS": "0",
        }
    )
    database_url = existing_database or os.environ.get("PAGE_COST_DATABASE_URL", "")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        if not existing_database:
            _recreate_postgres(database_url)
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CACHE_URL", None)
    import warnings

    import django
    from django.conf import settings

    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: collectstatic not run
    django.setup()
    settings.DEBUG = False  # no query log, production templates (cached loaders are set up already)


def _recreate_postgres(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def import_articles(count: int, data_dir: str) -> None:
    from django.core.management import call_command

    from benchmarks.perf_floor import write_seed_documents

    call_command("migrate", verbosity=0)
    documents = write_seed_documents(Path(data_dir) / "documents", count)
    started = time.monotonic()
    call_command("import_seeds", str(documents), "--no-progress", "--workers", "1", verbosity=0)
    from django.db import connection

    if connection.vendor == "postgresql":
        # As autovacuum soon would: without statistics the planner guesses the tables are empty.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"imported {count} generated articles in {time.monotonic() - started:.0f}s", flush=True)


def pages() -> dict[str, str]:
    """Return the address of each page measured (b0 first)."""
    from django.db.models import Count

    from articles.models import Article, Tag

    article = Article.objects.published().order_by("-published_at")[10]
    tag = Tag.objects.annotate(uses=Count("tagged_articles")).order_by("-uses").first()
    return {
        "b0 floor": "/baseline/floor/",
        "article": article.get_absolute_url(),
        "home": "/",
        "category": article.category.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        # A common word (one of site_bench.py's): the slow case, many matches to rank.
        "search": "/search/?q=芯片",
    }


def measure(addresses: dict[str, str], renders: int) -> dict[str, dict]:
    """Return the median seconds and the queries of each page, over interleaved rounds."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    figures = {}
    for name, address in addresses.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        if response.status_code != 200:
            raise SystemExit(f"page_cost: {address} answered {response.status_code}")
        figures[name] = {"address": address, "queries": len(queries), "bytes": len(response.content)}
    samples: dict[str, list[float]] = {name: [] for name in addresses}
    batch = 10
    for _ in range(max(1, renders // batch)):
        for name, address in addresses.items():
            started = time.perf_counter()
            for _ in range(batch):
                client.get(address)
            samples[name].append((time.perf_counter() - started) / batch)
    for name, values in samples.items():
        figures[name]["seconds"] = statistics.median(values)
    return figures


def report(figures: dict[str, dict]) -> bool:
    floor = figures["b0 floor"]["seconds"]
    print(f"\nIn process, page cache off ({len(figures)} pages, medians of interleaved rounds):")
    print(f"{'page':10} {'ms':>7} {'queries':>8} {'KB':>6} {'% of b0':>8}  target")
    met = True
    for name, figure in figures.items():
        share = floor / figure["seconds"]
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = f">= {target:.0%} {'ok' if share >= target else 'MISS'}"
            met &= share >= target
        print(
            f"{name:10} {figure['seconds'] * 1000:7.2f} {figure['queries']:8} "
            f"{figure['bytes'] / 1024:6.1f} {share:8.0%}  {verdict}"
        )
    return met


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--renders", type=int, default=300, help="renders of each page")
    parser.add_argument("--database-url", default="", help="measure this database as it is (no import)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="page-cost-") as data_dir:
        set_up_django(data_dir, arguments.database_url)
        if not arguments.database_url:
            import_articles(arguments.articles, data_dir)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
        met = report(measure(pages(), arguments.renders))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
