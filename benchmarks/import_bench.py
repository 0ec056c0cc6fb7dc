"""Import benchmark: rate, queries per document and peak memory, next to a plain-ORM baseline.

    python benchmarks/import_bench.py            # SQLite, and PostgreSQL when it answers on 127.0.0.1

Each measurement runs in a fresh process on a fresh database (DEBUG off). The corpus is
$SEED_CORPUS when set, else our seeds/. "10×" is the corpus copied ten times with each
title changed, so every copy is a new story with its own import key.

A corpus of a few hundred documents imports in about a second, and on a small machine the
baseline alone moves by a third between runs. So the baseline and the first import are each
run ROUNDS times (default 3), one after the other in turn, and the medians are compared: the
ratio is of figures taken side by side, not of one lucky or unlucky second.
"""

from __future__ import annotations

import json
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432/"
ROUNDS = int(os.environ.get("IMPORT_BENCH_ROUNDS", "3"))


def bench_environment(database_url: str) -> dict[str, str]:
    return os.environ | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(PROJECT),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }


# ---------------------------------------------------------------- measuring (runs in a child process)


def measure(mode: str, root: str) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from articles.importing.pipeline import Importer, find_documents

    call_command("migrate", verbosity=0)
    documents = find_documents([Path(root)])
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        if mode == "baseline":
            elapsed = _baseline(documents)
        else:
            times = []
            started = time.perf_counter()
            for _ in Importer(workers=os.cpu_count() or 1).run(documents):
                times.append(time.perf_counter())
            elapsed = time.perf_counter() - started
    result = {
        "documents": len(documents),
        "seconds": elapsed,
        "rate": len(documents) / elapsed,
        "queries_per_document": queries / len(documents),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }
    if mode != "baseline" and len(times) >= 20:
        tenth = len(times) // 10
        first = tenth / (times[tenth - 1] - started)
        last = tenth / (times[-1] - times[-tenth - 1])
        result |= {"first_tenth_rate": first, "last_tenth_rate": last}
    return result


def _baseline(documents) -> float:  # returns seconds
    """Insert the same rows with plain ORM create() calls: no parsing, no sanitising (4 queries each)."""
    from articles.importing.pipeline import prepare
    from articles.models import Article, Author, Byline, Category, Tag, TaggedArticle

    _mute_project_signals()
    posts = [prepare(path, name, "", "published").post for path, name in documents]
    posts = [post for post in posts if post is not None]
    section = Category.objects.create(name="基准")
    outlet = Author.objects.create(name="基准来源", kind=Author.Kind.ORGANISATION)
    tag = Tag.objects.create(name="基准", slug="ji-zhun")
    started = time.perf_counter()
    for number, post in enumerate(posts):
        Article.objects.filter(import_key=post.import_key).exists()
        article = Article.objects.create(
            title=post.title,
            slug=f"baseline-{number}",
            summary=post.summary,
            body=post.body,
            status=post.status,
            published_at=post.published_at,
            category=section,
            import_key=post.import_key,
        )
        Byline.objects.create(article=article, author=outlet)
        TaggedArticle.objects.create(content_object=article, tag=tag)
    return time.perf_counter() - started


def _mute_project_signals() -> None:
    """Disconnect the project's own save signals (search index, page-cache purges): a plain ORM baseline."""
    from django.db.models import signals

    for signal in (
        signals.pre_save,
        signals.post_save,
        signals.pre_delete,
        signals.post_delete,
        signals.m2m_changed,
    ):
        signal.receivers = [
            receiver for receiver in signal.receivers if not str(receiver[0][0]).startswith("articles.")
        ]
        signal.sender_receivers_cache.clear()


# ---------------------------------------------------------------- orchestration


def copies(corpus: Path, target: Path, count: int) -> Path:
    """Write ``count`` copies of ``corpus`` into ``target``, every title changed per copy."""
    for number in range(count):
        for path in corpus.rglob("*.md"):
            if path.name in {"README.md", "MANIFEST.md"}:
                continue
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"^title: (['\"]?)", rf"title: \g<1>[{number}] ", text, count=1, flags=re.M)
            out = target / str(number) / path.relative_to(corpus)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
    return target


def run_child(mode: str, root: Path, database_url: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(root)],
        env=bench_environment(database_url),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def fresh_database(kind: str, scratch: Path, name: str) -> str:
    if kind == "sqlite":
        path = scratch / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {name}"],
        check=True,
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {name}"], check=True
    )
    return POSTGRES + name


def postgres_available() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0


def bench(kind: str, corpus: Path, tenfold: Path, scratch: Path) -> list[tuple[str, str, str]]:
    name = f"newsroom_bench_{os.getpid()}"
    baselines, firsts = [], []
    for _ in range(ROUNDS):
        baselines.append(run_child("baseline", corpus, fresh_database(kind, scratch, name)))
        database = fresh_database(kind, scratch, name)
        firsts.append(run_child("import", corpus, database))
    baseline, first = _median(baselines), _median(firsts)
    again = run_child("import", corpus, database)
    large = run_child("import", tenfold, fresh_database(kind, scratch, name))
    if kind == "postgres":
        fresh_database(kind, scratch, name)
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE {name}"], check=False
        )
    share = first["rate"] / baseline["rate"]
    tail = large["last_tenth_rate"] / large["first_tenth_rate"]
    memory_growth = (large["peak_rss_mb"] + large["peak_worker_rss_mb"]) / (
        first["peak_rss_mb"] + first["peak_worker_rss_mb"]
    )
    return [
        (f"{kind}: baseline, plain ORM create()", f"{baseline['rate']:,.0f} docs/s ({_spread(baselines)}), {baseline['queries_per_document']:.1f} queries/doc", ""),
        (f"{kind}: first import ({first['documents']} docs)", f"{first['rate']:,.0f} docs/s ({_spread(firsts)}) = {share:.0%} of baseline, {first['queries_per_document']:.1f} queries/doc", _verdict(share >= 0.40 and first["queries_per_document"] <= 15, "≥ 40% of baseline, ≤ 15 queries/doc")),
        (f"{kind}: unchanged re-run", f"{again['rate']:,.0f} docs/s, {again['queries_per_document']:.2f} queries/doc", _verdict(again["rate"] >= 2000, "≥ 2,000 docs/s")),
        (f"{kind}: 10× corpus ({large['documents']} docs)", f"{large['rate']:,.0f} docs/s; last tenth {large['last_tenth_rate']:,.0f} vs first tenth {large['first_tenth_rate']:,.0f} docs/s = {tail:.0%}", _verdict(tail >= 0.90, "last tenth ≥ 90% of first")),
        (f"{kind}: peak memory 1× → 10×", f"writer {first['peak_rss_mb']:.0f} → {large['peak_rss_mb']:.0f} MB, workers {first['peak_worker_rss_mb']:.0f} → {large['peak_worker_rss_mb']:.0f} MB (×{memory_growth:.2f})", _verdict(memory_growth <= 1.15, "flat (≤ ×1.15)")),
    ]  # fmt: skip


def _median(runs: list[dict]) -> dict:
    """Return the run with the median rate (the lower middle one of an even count)."""
    ordered = sorted(runs, key=lambda run: run["rate"])
    return ordered[(len(ordered) - 1) // 2]


def _spread(runs: list[dict]) -> str:
    """Return how the rates of ``runs`` spread, to print beside their median."""
    rates = [run["rate"] for run in runs]
    return f"median of {len(rates)}: {min(rates):,.0f}–{max(rates):,.0f}"


def _verdict(passed: bool, target: str) -> str:
    return f"{'PASS' if passed else 'MISS'} (target {target})"


def main() -> int:
    corpus = Path(os.environ.get("SEED_CORPUS") or PROJECT / "seeds").resolve()
    print(
        f"Import benchmark over {corpus} ({sum(1 for _ in corpus.rglob('*.md'))} files), {os.cpu_count()} CPUs"
    )
    scratch = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    try:
        tenfold = copies(corpus, scratch / "tenfold", 10)
        rows = bench("sqlite", corpus, tenfold, scratch)
        if postgres_available():
            rows += bench("postgres", corpus, tenfold, scratch)
        else:
            rows.append(("postgres", "skipped: nothing answers on 127.0.0.1:5432", ""))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    width = max(len(row[0]) for row in rows)
    for label, figures, verdict in rows:
        print(f"  {label:<{width}}  {figures}  {verdict}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
    else:
        sys.exit(main())
