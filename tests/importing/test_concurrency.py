"""Real processes against the real test database: two imports at once, and an import killed with -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from articles.models import Article, Author, Byline, Category, Tag, TaggedArticle
from tests.documents import story_variants

PROJECT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    """Return a DATABASE_URL naming the database this test run uses (the test database)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def start_import(*paths: Path, workers: int = 1) -> subprocess.Popen:
    """Start `manage.py import_seeds` in its own process on the test database."""
    env = os.environ | {"DATABASE_URL": database_url(), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "manage.py", "import_seeds", *map(str, paths), "--no-progress"]
    command += ["--workers", str(workers)]
    return subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def assert_no_duplicates() -> None:
    for model, fields in [
        (Category, ("parent_id", "name")),
        (Author, ("kind", "name")),
        (Tag, ("name",)),
        (Article, ("import_key",)),
    ]:
        counts = Counter(model.objects.values_list(*fields))
        assert [key for key, count in counts.items() if count > 1] == [], model.__name__


def assert_consistent() -> None:
    """Every stored article is whole: it has its bylines and its hash, and nothing dangles."""
    assert not Article.objects.filter(import_hash="").exists()
    assert not Article.objects.exclude(pk__in=Byline.objects.values("article_id")).exists()
    assert not TaggedArticle.objects.exclude(content_object__in=Article.objects.all()).exists()


def test_two_imports_at_once_create_no_duplicates(tmp_path):
    total = story_variants(tmp_path, copies=3)
    first, second = start_import(tmp_path), start_import(tmp_path)
    outputs = [process.communicate(timeout=300) for process in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert Article.objects.count() == total
    assert_no_duplicates()
    assert_consistent()
    summaries = [stdout.strip().splitlines()[-1] for stdout, _ in outputs]
    created = sum(int(summary.split(" created")[0].split()[-1]) for summary in summaries)
    assert created == total, summaries


def test_an_import_killed_part_way_leaves_a_consistent_database_and_a_rerun_completes(tmp_path):
    total = story_variants(tmp_path, copies=10)
    process = start_import(tmp_path)
    deadline = time.monotonic() + 120
    while Article.objects.count() < 20 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    stored = Article.objects.count()
    assert 0 < stored < total, "the import was not killed part-way; make the corpus larger"
    assert_consistent()

    rerun = start_import(tmp_path)
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert f"{total - stored} created, 0 updated, {stored} unchanged" in stdout
    assert Article.objects.count() == total
    assert_no_duplicates()
    assert_consistent()
