"""Real processes against the real test database: two imports at once, an import killed with -9, and
its worker processes, which must not outlive it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
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


@contextmanager
def held_at_the_end(tmp_path: Path):
    """Yield a document path that holds the importer when it comes to read it: a named pipe.

    Opening a pipe for reading blocks until someone opens it for writing, and the other way
    round, so ``wait()`` returns exactly when the importer has reached it, having imported every
    document before it but the few read ahead; no sleeping, however fast the machine is.
    """
    fifo = tmp_path / "held.md"
    os.mkfifo(fifo)
    writers: list = []
    opener = threading.Thread(target=lambda: writers.append(open(fifo, "wb")), daemon=True)  # noqa: SIM115

    def wait(process: subprocess.Popen) -> None:
        opener.start()
        opener.join(timeout=120)
        if opener.is_alive():
            process.kill()
            open(fifo, "rb").close()  # unblock the opener
            pytest.fail(f"the import never reached the held document: {process.communicate()}")

    try:
        yield fifo, wait
    finally:
        for writer in writers:
            writer.close()


def children_of(pid: int) -> list[int]:
    """Return the ids of the live processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            state = process_state(int(entry.name))
            if state is not None and state[1] == pid:
                found.append(int(entry.name))
    return found


def process_state(pid: int) -> tuple[str, int] | None:
    """Return (state letter, parent id) of process ``pid``, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    state = process_state(pid)
    return state is not None and state[0] not in {"Z", "X"}


def test_an_import_killed_part_way_leaves_a_consistent_database_and_a_rerun_completes(tmp_path):
    documents = tmp_path / "documents"
    total = story_variants(documents, copies=2)
    with held_at_the_end(tmp_path) as (held, wait):
        process = start_import(documents, held)
        wait(process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    stored = Article.objects.count()
    assert 0 < stored < total, f"{stored} of {total} stored when killed"
    assert_consistent()

    rerun = start_import(documents)
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert f"{total - stored} created, 0 updated, {stored} unchanged" in stdout
    assert Article.objects.count() == total
    assert_no_duplicates()
    assert_consistent()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from Linux's /proc")
def test_import_workers_exit_when_the_import_is_killed(tmp_path):
    documents = tmp_path / "documents"
    story_variants(documents, copies=2)  # past MIN_DOCUMENTS_FOR_WORKERS
    with held_at_the_end(tmp_path) as (held, wait):
        process = start_import(documents, held, workers=2)
        wait(process)
        workers = children_of(process.pid)
        assert len(workers) >= 2, f"expected worker processes, found {workers}"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in workers if alive(pid)] == [], "workers outlived the killed import"


WATCHED_WORKER = """
import os, sys, time
sys.path.insert(0, {project!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
import django
django.setup()
from articles.importing import pipeline
pipeline.sys.platform = "other"  # no prctl: the parent-watching thread alone
middle = os.fork()
if middle == 0:
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    parent = os.getpid()
    if os.fork() == 0:
        pipeline.exit_with_parent(parent)
        time.sleep(60)
        os._exit(0)
    time.sleep(60)
    os._exit(0)
print(middle, flush=True)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from Linux's /proc")
def test_without_prctl_a_worker_still_exits_when_its_parent_dies():
    script = WATCHED_WORKER.format(project=str(PROJECT))
    launcher = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=True
    )
    middle = int(launcher.stdout.split()[0])
    worker = None
    deadline = time.monotonic() + 10
    while worker is None and time.monotonic() < deadline:
        found = children_of(middle)
        worker = found[0] if found else None
    assert worker is not None and alive(worker)
    os.kill(middle, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker), "the worker outlived its parent"
