"""Through the whole deployment: an editor works in the admin of one app server while readers
read through Varnish, and every change reaches them within a second.

Real processes, started by deploy/cluster.py: two Varnish nodes (deploy/varnish/newsroom.vcl)
in front of two gunicorn app servers on the test database (PostgreSQL) and Redis. Marked
``cluster``; needs Debian's varnish and varnish-modules (`.ci/run` installs them),
DATABASE_URL on PostgreSQL and REDIS_URL (the PostgreSQL pass of `.ci/run` sets both), and
skips saying which is missing.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from deploy.cluster import Cluster, port_is_open
from tests import factories
from tests.admin_forms import editor
from tests.cluster import AdminSession, fetch, free_ports, wait_for

PROJECT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
VISIBLE_WITHIN_SECONDS = 1.0


def _missing() -> str | None:
    if shutil.which("varnishd") is None:
        return "varnishd is not installed (apt-get install varnish varnish-modules; .ci/run does it)"
    if subprocess.run(["dpkg-query", "-W", "varnish-modules"], capture_output=True).returncode != 0:
        return "varnish-modules is not installed (apt-get install varnish-modules)"
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        return "the cluster runs on PostgreSQL: set DATABASE_URL=postgres://…"
    if not REDIS_URL.startswith("redis://"):
        return "the app servers share Redis: set REDIS_URL=redis://…"
    return None


pytestmark = [pytest.mark.cluster, pytest.mark.skipif(_missing() is not None, reason=_missing() or "")]


@pytest.fixture
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """A running cluster on the test database, one per test: a transactional test empties the
    database afterwards, content types included, which app servers that outlived it would
    still remember by their old ids."""
    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]
    run_dir = tmp_path_factory.mktemp("cluster")
    cluster = Cluster(
        database_url=urlsplit(DATABASE_URL)._replace(path=f"/{database}").geturl(),
        redis_url=REDIS_URL,
        app_ports=free_ports(8111, 8120, 2),
        varnish_ports=free_ports(6083, 6088, 2),
        workers_per_app=2,
        run_dir=run_dir,
        import_seeds=False,
        varnish_memory="64m",
        quiet=True,
        environment={
            "DJANGO_STATIC_ROOT": str(tmp_path_factory.getbasetemp() / "cluster-static"),
            "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
            "DJANGO_LOG_LEVEL": "INFO",
        },
    )
    with cluster:
        yield cluster


def read(readers: list[str], path: str):
    """Return what each Varnish node answers for ``path``."""
    return [fetch(url, quote(path)) for url in readers]


def shows(readers: list[str], path: str, text: str) -> bool:
    return all(page.status == 200 and text in page.text for page in read(readers, path))


def hides(readers: list[str], path: str, text: str) -> bool:
    return all(text not in page.text for page in read(readers, path))


def is_gone(readers: list[str], path: str) -> bool:
    return all(page.status == 404 for page in read(readers, path))


def assert_soon(condition, what: str) -> None:
    if wait_for(condition, VISIBLE_WITHIN_SECONDS) is None:
        raise AssertionError(f"{what}: not seen through Varnish within {VISIBLE_WITHIN_SECONDS} s")


def assert_stored(readers: list[str], path: str) -> None:
    """Varnish answers ``path`` from its store (the second read of it is a hit on every node)."""
    for url in readers:
        fetch(url, quote(path))
        page = fetch(url, quote(path))
        assert page.headers.get("x-varnish-cache") == "hit", f"{url}{path} is not stored: {page.headers}"


@pytest.mark.django_db(transaction=True)
def test_editor_changes_reach_readers_through_varnish_within_a_second(site):
    editor(username="desk")
    section = factories.category_path("集群要闻")
    story = factories.article(
        "集群测试稿件甲", published=False, category=section, body="<p>第一版正文。</p>", slug="cluster-story"
    )
    readers, (app_a, app_b) = site.varnish_urls, site.app_urls
    article_path = f"/articles/{story.slug}/"
    desk_a = AdminSession(app_a, "desk", "pass-for-tests")
    desk_b = AdminSession(app_b, "desk", "pass-for-tests")

    # Readers fill the caches: the home page is stored on every node, the draft is not there.
    assert_stored(readers, "/")
    assert is_gone(readers, article_path)

    # Published through app server A.
    desk_a.change_article(story.pk, status="published")
    assert_soon(lambda: shows(readers, article_path, "集群测试稿件甲"), "the published article")
    assert_soon(lambda: shows(readers, "/", "集群测试稿件甲"), "the published article on the home page")
    assert_stored(readers, article_path)

    # Edited through app server B: the new title everywhere, the old one nowhere.
    desk_b.change_article(story.pk, title="集群测试稿件乙", body="<p>第二版正文。</p>")
    assert_soon(lambda: shows(readers, article_path, "第二版正文"), "the edited article")
    assert_soon(lambda: shows(readers, "/", "集群测试稿件乙"), "the edited title on the home page")
    assert hides(readers, "/", "集群测试稿件甲")
    assert_stored(readers, article_path)

    # Unpublished through app server A: gone, and never served again.
    desk_a.run_action("unpublish", [story.pk])
    assert_soon(lambda: is_gone(readers, article_path), "the unpublished article's removal")
    assert_soon(
        lambda: hides(readers, "/", "集群测试稿件乙"), "the home page without the unpublished article"
    )
    assert_stored(readers, "/")
    until = time.monotonic() + 2
    while time.monotonic() < until:
        assert is_gone(readers, article_path)
        assert hides(readers, "/", "集群测试稿件乙")
        assert hides(readers, section.get_absolute_url(), "集群测试稿件乙")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_article_appears_through_varnish_within_a_second_of_its_time(site):
    editor(username="desk")
    factories.category_path("集群要闻")
    readers = site.varnish_urls
    desk = AdminSession(site.app_urls[0], "desk", "pass-for-tests")
    assert_stored(readers, "/")

    due = timezone.localtime(timezone.now() + dt.timedelta(seconds=6)).replace(microsecond=0)
    desk.add_article(
        title="集群定时稿件",
        slug="cluster-scheduled",
        body="<p>定时发布的正文。</p>",
        status="published",
        published_at_0=due.strftime("%Y-%m-%d"),
        published_at_1=due.strftime("%H:%M:%S"),
    )
    article_path = "/articles/cluster-scheduled/"
    hits_before, first_seen = 0, None
    deadline = due.timestamp() + 3
    while time.time() < deadline and first_seen is None:
        pages = read(readers, "/") + read(readers, article_path)
        now = time.time()
        hits_before += sum(page.headers.get("x-varnish-cache") == "hit" for page in pages)
        if now < due.timestamp():
            assert all("集群定时稿件" not in page.text for page in pages), "the site showed it early"
        elif all(page.status == 200 and "集群定时稿件" in page.text for page in pages):
            first_seen = now
        time.sleep(0.05)
    assert first_seen is not None, "the scheduled article never appeared"
    assert first_seen >= due.timestamp(), "the scheduled article appeared before its time"
    assert first_seen <= due.timestamp() + VISIBLE_WITHIN_SECONDS, (
        f"the scheduled article appeared {first_seen - due.timestamp():.2f} s after its time"
    )
    # Until then Varnish answered from its store: the time cut the pages' lifetime short.
    assert hits_before > 0


def test_make_cluster_starts_what_is_missing_and_stops_what_it_started(tmp_path):
    """`deploy/cluster.py start` (make cluster) on a Redis port where nothing runs: it starts a
    redis-server there and the rest, serves the site through Varnish, and `stop` (make
    cluster-stop) ends all of it; the shared PostgreSQL, already running, is left running."""
    redis_port, *app_ports = free_ports(6421, 6430, 1) + free_ports(8111, 8120, 2)
    varnish_port = free_ports(6083, 6088, 1)[0]
    database = f"{urlsplit(DATABASE_URL).path.lstrip('/') or 'newsroom'}_cluster_cli"
    environment = os.environ | {
        "DATABASE_URL": urlsplit(DATABASE_URL)._replace(path=f"/{database}").geturl(),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CLUSTER_APP_PORTS": ",".join(map(str, app_ports)),
        "CLUSTER_VARNISH_PORTS": str(varnish_port),
        "CLUSTER_RUN_DIR": str(tmp_path),
        "SEED_CORPUS": "",
        "NEWSROOM_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    script = [sys.executable, "deploy/cluster.py"]
    starting = subprocess.Popen(
        [*script, "start"],
        cwd=PROJECT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = []
        for line in starting.stdout:
            output.append(line)
            if "cluster: ready" in line or starting.poll() is not None:
                break
        assert "cluster: ready" in "".join(output), "".join(output)
        assert f"starting redis-server on port {redis_port}" in "".join(output)
        assert "PostgreSQL" not in "".join(output)
        page = fetch(f"http://127.0.0.1:{varnish_port}", "/")
        assert page.status == 200 and "via" in page.headers

        stopping = subprocess.run(
            [*script, "stop"], cwd=PROJECT, env=environment, capture_output=True, timeout=120
        )
        assert stopping.returncode == 0, stopping.stderr
        assert starting.wait(timeout=60) == 0
        for port in (redis_port, varnish_port, *app_ports):
            assert not port_is_open(port), f"port {port} is still open"
        assert port_is_open(urlsplit(DATABASE_URL).port or 5432)
        assert not (tmp_path / "cluster.json").exists()
    finally:
        if starting.poll() is None:
            starting.send_signal(signal.SIGTERM)
            starting.wait(timeout=60)
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f'DROP DATABASE IF EXISTS "{database}"'],
            capture_output=True,
            timeout=60,
        )
