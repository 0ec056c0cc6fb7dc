"""Page benchmark: reader pages served by gunicorn under wrk, next to baselines, in one run.

    SEED_CORPUS=../shared/corpus python benchmarks/site_bench.py [--quick]

PostgreSQL + Redis (the production set-up), on 127.0.0.1 only. The script makes its own
database (SITE_BENCH_DATABASE, default newsroom_site_bench, dropped and re-created) and uses
Redis SITE_BENCH_REDIS_URL (default redis://127.0.0.1:6379/14). The articles are the 2,000
articles of the perf-floor's generator (``../shared/perf-floor``, see benchmarks/perf_floor.py),
imported as seed documents, plus copies made in SQL for the larger sizes, each copy a new
article with its own title, slug, date, bylines, tags and search-index row.

Every case runs on gunicorn with 2 sync workers, DEBUG off, loaded by wrk over loopback
(one thread, 2 connections: one per worker, so latencies are service times rather than
queueing; WRK_CONNECTIONS=-cN changes that; WRK_SECONDS each, default 5, after a 1 s warm-up):

- a reference: a bare WSGI callable (benchmarks/bare_wsgi.py, no Django) answering 19 KB,
  which shows what gunicorn, wrk and the machine cost alone, latency tails included;
- baselines: (a) a trivial Django view returning a 19 KB string through Django's default
  middleware (benchmarks/site_bench_baseline_settings.py); (b0) the perf-floor's 19 KB article
  page rendered by Django's template engine from memory, no project code (its README); (b) the
  project's own article template rendered from in-memory data;
- article, home, category page 1 and page 50, a tag page, search; with the page cache and
  without it (NEWSROOM_PAGE_CACHE_SECONDS=0), at 2,000 and 20,000 articles;
- the Content API beside the article page, in the same runs: a list (20 articles, all but their
  bodies) and an article, anonymous (the rate limit on, at a rate the load never reaches);
- search at 100,000 articles, without the page cache;
- at 2,000 articles (the first size): the cached article and home pages with each worker's
  memory tier turned off (NEWSROOM_PAGE_MEMORY_BYTES=0, every hit read from Redis) and then on,
  back to back, printing the gain in % against the +15% that tier must earn to stay (issue 16);
  and the cached home page while an Editor saves a draft in the admin every second
  (benchmarks/draft_saver.py), printing the page cache's hit rate.

Before the server runs it prints what each uncached page costs in process against (b0), rendered
in the same process (benchmarks/page_cost.py): figures that hold on a busy machine. Then a table
and the targets of issues 5 and 13, and writes artifacts/bench/site.json.
Total run time about 7 minutes (--quick: 2 s per case and no 100,000 run, about 3 minutes).
``--sizes 300 --pages article,api-list,api-detail`` runs a small subset (to check the script).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from benchmarks.perf_floor import require_floor_dir, write_seed_documents  # noqa: E402

HOST = "127.0.0.1"  # the only host this script ever loads
PORT = int(os.environ.get("SITE_BENCH_PORT", "8765"))
POSTGRES = "postgres://postgres@127.0.0.1:5432/"
DATABASE = os.environ.get("SITE_BENCH_DATABASE", "newsroom_site_bench")
REDIS_URL = os.environ.get("SITE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SIZES = (2_000, 20_000)
HTML_PAGES = ("article", "home", "category p1", "category p50", "tag", "search")
API_PAGES = ("api list", "api detail")
SEARCH_SIZE = 100_000
SEARCH_WORDS = [
    "张勇",
    "阿里",
    "手机",
    "苹果",
    "芯片",
    "微软",
    "特斯拉",
    "用户",
    "数据",
    "游戏",
    "动画",
    "汽车",
]
# Issue 13: each uncached page's rate as a share of (b0)'s, in the same run.
FLOOR_SHARES = {"article": 0.50, "home": 0.35, "category p1": 0.35, "tag": 0.35, "search": 0.25}
LUA = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.bytes))
end
"""
# Counts the page cache's answers (X-Cache: hit or miss) across wrk's threads.
COUNT_HITS_LUA = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  hits, misses = 0, 0
end
function response(status, headers, body)
  if headers["X-Cache"] == "hit" then hits = hits + 1 else misses = misses + 1 end
end
function done(summary, latency, requests)
  local hit_total, miss_total = 0, 0
  for _, thread in ipairs(threads) do
    hit_total = hit_total + thread:get("hits")
    miss_total = miss_total + thread:get("misses")
  end
  io.write(string.format("HITS %d MISSES %d ERRORS %d\\n", hit_total, miss_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status))
end
"""
DRAFT_SAVE_SECONDS = 12
# The per-process memory tier in front of Redis (articles/cache/store.py, MemoryPages) is hand-made:
# it stays only while it makes the cached pages it serves at least this much faster (issue 16).
MEMORY_TIER_PAGES = ("article", "home")
MEMORY_TIER_MIN_GAIN = 0.15
REDIS_ONLY, MEMORY_AND_REDIS = "cached, Redis only", "cached, memory + Redis"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2 s per case, no 100,000-article run")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="comma-separated article counts (default 2000,20000)",
    )
    parser.add_argument(
        "--pages",
        default=",".join(HTML_PAGES + API_PAGES).replace(" ", "-"),
        help="comma-separated pages to load, e.g. article,api-list,api-detail (default: all)",
    )
    arguments = parser.parse_args()
    sizes = tuple(int(size) for size in arguments.sizes.split(","))
    pages = tuple(page.replace("-", " ") for page in arguments.pages.split(","))
    unknown = set(pages) - set(HTML_PAGES + API_PAGES)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    seconds = 2 if arguments.quick else int(os.environ.get("WRK_SECONDS", "5"))
    for tool in ("wrk", "psql"):
        if shutil.which(tool) is None:
            print(
                f"site_bench: {tool} is missing (apt-get install -y wrk postgresql-client)", file=sys.stderr
            )
            return 1
    if subprocess.run(["pg_isready", "-h", HOST, "-q"], check=False).returncode != 0:
        print("site_bench: PostgreSQL does not answer on 127.0.0.1:5432", file=sys.stderr)
        return 1
    started = time.monotonic()
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other processes skew the figures)"
    )
    bench = Bench(seconds, sizes, pages)
    try:
        bench.run(search_run=not arguments.quick and "search" in pages and sizes == SIZES)
    finally:
        bench.stop_server()
    bench.report(time.monotonic() - started)
    return 0


def run_wrk(script: str, seconds: int, address: str, *options: str) -> str:
    """Return what wrk (one thread, ``options``) prints after loading ``address`` for ``seconds``
    with the Lua ``script``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as file:
        file.write(script)
    try:
        return subprocess.run(
            ["wrk", "-t1", *options, f"-d{seconds}s", "-s", file.name, address],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout
    finally:
        os.unlink(file.name)


class Bench:
    def __init__(
        self, seconds: int, sizes: tuple[int, ...] = SIZES, pages: tuple[str, ...] = HTML_PAGES
    ) -> None:
        self.seconds = seconds
        self.sizes = sizes
        self.pages = pages
        self.results: list[dict] = []
        self.server: subprocess.Popen | None = None
        self.static_root = Path(tempfile.mkdtemp(prefix="site-bench-static-"))
        self.environment = os.environ | {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": str(self.static_root),
            "DATABASE_URL": POSTGRES + DATABASE,
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": "site-bench",
            "PYTHONPATH": str(PROJECT),
            "DJANGO_SETTINGS_MODULE": "benchmarks.site_bench_settings",
            # The API's rate limit stays on (its cost is part of every anonymous request), at a rate
            # the load never reaches: every request comes from 127.0.0.1.
            "NEWSROOM_API_ANONYMOUS_RATE": "1000000000/minute",
        }
        self.environment.pop("CACHE_URL", None)
        self.environment["PERF_FLOOR"] = str(require_floor_dir())

    # ------------------------------------------------------------------ the run

    def run(self, search_run: bool) -> None:
        self.prepare_database()
        self.in_process_costs()
        for size in self.sizes:
            self.grow_to(size)
            paths = self.paths()
            # Baselines at each size: the ratios then compare figures taken minutes apart,
            # not across the whole run (other load on a shared machine drifts).
            self.start_server(cache=False, app="benchmarks.bare_wsgi")
            self.case("reference: bare WSGI 19 KB", ["/"], size, "reference")
            self.start_server(cache=False, settings="benchmarks.site_bench_baseline_settings")
            self.case("baseline (a) trivial 19 KB", ["/baseline/trivial/"], size, "baseline")
            self.start_server(cache=False)
            self.case("baseline (b0) perf floor", ["/baseline/floor/"], size, "baseline")
            self.case("baseline (b) template only", paths["template"], size, "baseline")
            for cache in (True, False):
                self.start_server(cache=cache)
                for page in self.pages:
                    self.case(page, paths[page], size, "cached" if cache else "uncached")
            if size == self.sizes[0]:
                self.memory_tier(size, paths)
                self.start_server(cache=True)
                self.hit_rate_under_draft_saves(size)
        if search_run:
            self.grow_to(SEARCH_SIZE)
            self.start_server(cache=False)
            self.case("search", self.paths()["search"], SEARCH_SIZE, "uncached")

    def memory_tier(self, size: int, paths: dict[str, list[str]]) -> None:
        """Load the cached article and home pages with each worker's memory tier off, then on.

        Back to back, so that the gain the report prints compares figures taken seconds apart.
        """
        pages = [page for page in MEMORY_TIER_PAGES if page in self.pages]
        if not pages:
            return
        for mode, memory in ((REDIS_ONLY, {"NEWSROOM_PAGE_MEMORY_BYTES": "0"}), (MEMORY_AND_REDIS, {})):
            self.start_server(cache=True, extra=memory)
            for page in pages:
                self.case(page, paths[page], size, mode)

    def case(self, name: str, paths: list[str], size: int, mode: str) -> None:
        for path in paths:  # every page once: the page cache fills, a broken page stops the run
            status = self.fetch_status(path)
            if status != 200:
                raise SystemExit(f"site_bench: {path} answered {status}")
        self.wrk(paths, 1)  # warm-up: workers load code, caches fill
        figures = self.wrk(paths, self.seconds)
        figures.update(name=name, articles=size, mode=mode, worker_rss_mb=self.worker_memory())
        self.results.append(figures)
        print(
            f"{name:28} {mode:9} {size:>7,} articles  {figures['rps']:8.0f} req/s  "
            f"p50 {figures['p50_ms']:6.2f} ms  p95 {figures['p95_ms']:6.2f}  p99 {figures['p99_ms']:6.2f}  "
            f"rss {figures['worker_rss_mb']:.0f} MB"
            + (f"  ERRORS {figures['errors']}" if figures["errors"] else ""),
            flush=True,
        )

    def hit_rate_under_draft_saves(self, size: int) -> None:
        """Load the cached home page while an Editor saves a draft every second; record the hit rate."""
        self.fetch_status("/")
        saver = subprocess.Popen(
            [sys.executable, str(PROJECT / "benchmarks" / "draft_saver.py"), str(DRAFT_SAVE_SECONDS + 2)],
            cwd=PROJECT,
            env=self.environment,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            time.sleep(1)  # the saver's first save is under way
            output = run_wrk(COUNT_HITS_LUA, DRAFT_SAVE_SECONDS, f"http://{HOST}:{PORT}/", "-c2")
        finally:
            saved = saver.communicate(timeout=60)[0]
        hits, misses, errors = map(int, re.search(r"HITS (\d+) MISSES (\d+) ERRORS (\d+)", output).groups())
        saves = re.search(r"SAVED (\d+) FAILED (\d+)", saved or "")
        saved_count, failed_count = map(int, saves.groups()) if saves else (0, -1)
        rate = hits / max(1, hits + misses)
        self.results.append(
            {
                "name": "home under draft saves",
                "articles": size,
                "mode": "cached",
                "hit_rate": rate,
                "hits": hits,
                "misses": misses,
                "errors": errors,
                "drafts_saved": saved_count,
                "draft_saves_failed": failed_count,
            }
        )
        print(
            f"{'home under draft saves':28} {'cached':9} {size:>7,} articles  hit rate {rate:.2%} "
            f"({hits} hits, {misses} misses) while {saved_count} drafts were saved"
            + (f", {failed_count} saves FAILED" if failed_count else "")
            + (f"  ERRORS {errors}" if errors else ""),
            flush=True,
        )

    def wrk(self, paths: list[str], seconds: int) -> dict:
        quoted = ",".join(json.dumps(quote(path, safe="/?=&")) for path in paths)
        output = run_wrk(
            LUA % quoted,
            seconds,
            f"http://{HOST}:{PORT}",
            os.environ.get("WRK_CONNECTIONS", "-c2"),
            "--timeout",
            "5s",
        )
        match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", output)
        requests, duration, p50, p95, p99, errors, bad_status, _bytes = map(int, match.groups())
        return {
            "rps": requests / (duration / 1e6),
            "p50_ms": p50 / 1000,
            "p95_ms": p95 / 1000,
            "p99_ms": p99 / 1000,
            "errors": errors + bad_status,
            "requests": requests,
        }

    # ------------------------------------------------------------------ the server

    def start_server(
        self,
        cache: bool,
        settings: str = "benchmarks.site_bench_settings",
        app: str = "newsroom.wsgi",
        extra: dict | None = None,
    ) -> None:
        self.stop_server()
        environment = self.environment | {
            "NEWSROOM_PAGE_CACHE_SECONDS": "600" if cache else "0",
            "DJANGO_SETTINGS_MODULE": settings,
            **(extra or {}),
        }
        subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=False, capture_output=True)
        self.server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                app,
                "--bind",
                f"{HOST}:{PORT}",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            cwd=PROJECT,
            env=environment,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, PORT), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("site_bench: gunicorn did not start")

    def stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        self.server = None

    def worker_memory(self) -> float:
        """Return the largest resident memory of a gunicorn worker, in MB."""
        if self.server is None:
            return 0.0
        largest = 0
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if f"PPid:\t{self.server.pid}\n" in text:
                match = re.search(r"VmRSS:\s+(\d+) kB", text)
                largest = max(largest, int(match.group(1)) if match else 0)
        return largest / 1024

    def fetch_status(self, path: str) -> int:
        import http.client

        connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
        connection.request("GET", quote(path, safe="/?=&%"))
        status = connection.getresponse().status
        connection.close()
        return status

    # ------------------------------------------------------------------ the data

    def manage(self, *arguments: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=PROJECT,
            env=self.environment,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def sql(self, statement: str) -> str:
        command = ["psql", "-h", HOST, "-U", "postgres", "-d", DATABASE, "-qAtX", "-v", "ON_ERROR_STOP=1"]
        finished = subprocess.run([*command, "-c", statement], check=False, capture_output=True, text=True)
        if finished.returncode != 0:
            raise SystemExit(f"site_bench: SQL failed: {finished.stderr.strip()}")
        return finished.stdout.strip()

    def prepare_database(self) -> None:
        step = time.monotonic()
        for statement in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
            subprocess.run(["psql", "-h", HOST, "-U", "postgres", "-qc", statement], check=True)
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        # The perf-floor's own articles, so that the article pages compare like with like with (b0).
        with tempfile.TemporaryDirectory(prefix="site-bench-documents-") as folder:
            documents = write_seed_documents(Path(folder), SIZES[0])
            self.manage("import_seeds", str(documents), "--no-progress", "-v0")
        self.sql("VACUUM ANALYZE")
        count = self.sql("SELECT count(*) FROM articles_article")
        print(
            f"database {DATABASE}: {count} generated articles imported in {time.monotonic() - step:.0f}s",
            flush=True,
        )

    def in_process_costs(self) -> None:
        """Print what each uncached page costs in process against (b0) in the same process."""
        subprocess.run(
            [
                sys.executable,
                str(PROJECT / "benchmarks" / "page_cost.py"),
                "--database-url",
                POSTGRES + DATABASE,
            ],
            cwd=PROJECT,
            env=self.environment,
            check=False,
        )

    def grow_to(self, size: int) -> None:
        """Copy the imported articles in SQL until there are ``size`` articles."""
        step = time.monotonic()
        have = int(self.sql("SELECT count(*) FROM articles_article"))
        if have >= size:
            return
        columns = [
            column
            for column in self.sql(
                "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns "
                "WHERE table_name = 'articles_article' AND column_name <> 'id'"
            ).split(",")
        ]
        replaced = {
            "title": "t.title || ' 〔' || g.n || '〕'",
            "slug": "left(t.slug, 100) || '-b' || g.n",
            "published_at": "now() - (g.n * 7 + t.id % 7) * interval '1 minute'",
            "revised_at": "now() - (g.n * 7 + t.id % 7) * interval '1 minute'",
            "is_featured": "g.n % 500 = 0",
            "import_key": "NULL",
            "import_hash": "''",
            "import_source_path": "'bench/' || t.id",
        }
        expressions = ",".join(replaced.get(column, f"t.{column}") for column in columns)
        start = have
        statements = f"""
            CREATE TEMP TABLE template AS SELECT row_number() OVER (ORDER BY id) - 1 AS number, id
              FROM articles_article WHERE import_source_path NOT LIKE 'bench/%' AND status = 'published';
            INSERT INTO articles_article ({",".join(columns)})
              SELECT {expressions}
              FROM generate_series({start}, {size - 1}) AS g(n)
              JOIN template tt ON tt.number = g.n % (SELECT count(*) FROM template)
              JOIN articles_article t ON t.id = tt.id;
            INSERT INTO articles_byline (article_id, author_id, position)
              SELECT a.id, b.author_id, b.position FROM articles_article a
              JOIN articles_byline b ON b.article_id = (CASE WHEN a.import_source_path LIKE 'bench/%' THEN substr(a.import_source_path, 7)::bigint END)
              WHERE a.import_source_path LIKE 'bench/%' AND NOT EXISTS (SELECT 1 FROM articles_byline x WHERE x.article_id = a.id);
            INSERT INTO articles_taggedarticle (content_object_id, tag_id)
              SELECT a.id, x.tag_id FROM articles_article a
              JOIN articles_taggedarticle x ON x.content_object_id = (CASE WHEN a.import_source_path LIKE 'bench/%' THEN substr(a.import_source_path, 7)::bigint END)
              WHERE a.import_source_path LIKE 'bench/%' AND NOT EXISTS (SELECT 1 FROM articles_taggedarticle y WHERE y.content_object_id = a.id);
            INSERT INTO article_search (article_id, status, published_at, title, title_document, document)
              SELECT a.id, a.status, a.published_at, a.title, s.title_document, s.document FROM articles_article a
              JOIN article_search s ON s.article_id = (CASE WHEN a.import_source_path LIKE 'bench/%' THEN substr(a.import_source_path, 7)::bigint END)
              WHERE a.import_source_path LIKE 'bench/%' ON CONFLICT (article_id) DO NOTHING;
        """
        self.sql(statements)
        # As autovacuum would: statistics, and the visibility map that index-only scans need.
        self.sql("VACUUM ANALYZE")
        count = self.sql("SELECT count(*) FROM articles_article")
        print(
            f"database {DATABASE}: {count} articles after {time.monotonic() - step:.0f}s of copying",
            flush=True,
        )

    def paths(self) -> dict[str, list[str]]:
        slugs = self.sql(
            "SELECT string_agg(slug, ' ') FROM (SELECT slug FROM articles_article WHERE status = 'published' "
            "ORDER BY id DESC LIMIT 50) s"
        ).split()
        tags = self.sql(
            "SELECT string_agg(slug, ' ') FROM (SELECT t.slug FROM articles_tag t JOIN articles_taggedarticle x"
            " ON x.tag_id = t.id GROUP BY t.slug ORDER BY count(*) DESC LIMIT 10) s"
        ).split()
        return {
            "template": [f"/baseline/template/{slug}/" for slug in slugs[:10]],
            "article": [f"/articles/{slug}/" for slug in slugs],
            "api list": ["/api/v1/articles/"],
            "api detail": [f"/api/v1/articles/{slug}/" for slug in slugs],
            "home": ["/"],
            "category p1": ["/category/xin-mei-ti/"],
            "category p50": ["/category/xin-mei-ti/?page=50"],
            "tag": [f"/tag/{slug}/" for slug in tags],
            "search": [f"/search/?q={word}" for word in SEARCH_WORDS],
        }

    # ------------------------------------------------------------------ the report

    def report_api(self, rate) -> None:
        """Print the Content API's rates next to the HTML article page's, taken in the same run."""
        lines = []
        for size in self.sizes:
            for mode in ("cached", "uncached"):
                article = rate("article", size, mode)
                for page in API_PAGES:
                    api = rate(page, size, mode)
                    if api and article:
                        lines.append(
                            f"  {page:10} {mode:8} @{size}: {api['rps']:7.0f} req/s, "
                            f"{api['rps'] / article['rps']:.0%} of the HTML article page's {article['rps']:.0f}"
                        )
        if lines:
            print("\nContent API next to the HTML article page (same server, same run):")
            print("\n".join(lines))

    def report(self, elapsed: float) -> None:
        def rate(name: str, size: int, mode: str) -> dict | None:
            for result in self.results:
                if result["name"] == name and result["articles"] == size and result["mode"] == mode:
                    return result
            return None

        trivial = rate("baseline (a) trivial 19 KB", self.sizes[0], "baseline")
        template = rate("baseline (b) template only", self.sizes[0], "baseline")
        floor = rate("baseline (b0) perf floor", self.sizes[0], "baseline")
        baselines = {
            size: (
                rate("baseline (a) trivial 19 KB", size, "baseline"),
                rate("baseline (b) template only", size, "baseline"),
                rate("baseline (b0) perf floor", size, "baseline"),
            )
            for size in self.sizes
        }
        checks = []

        def check(label: str, value: float, target: float, passed: bool) -> None:
            checks.append(
                {"target": label, "value": round(value, 3), "bound": round(target, 3), "met": passed}
            )

        if trivial and template:
            for size in self.sizes:
                trivial_here, template_here, floor_here = baselines[size]
                trivial_here, template_here = trivial_here or trivial, template_here or template
                floor_here = floor_here or floor
                for page in HTML_PAGES:
                    cached = rate(page, size, "cached")
                    if cached:
                        bound = 0.95 * trivial_here["rps"]
                        check(
                            f"cached {page} @{size} >= 95% of (a)",
                            cached["rps"],
                            bound,
                            cached["rps"] >= bound,
                        )
                for page, share in FLOOR_SHARES.items():
                    uncached = rate(page, size, "uncached")
                    if uncached and floor_here:
                        bound = share * floor_here["rps"]
                        check(
                            f"uncached {page} @{size} >= {share:.0%} of (b0)",
                            uncached["rps"],
                            bound,
                            uncached["rps"] >= bound,
                        )
                uncached = rate("article", size, "uncached")
                if uncached:
                    bound = 0.5 * template_here["rps"]
                    check(
                        f"uncached article @{size} >= 50% of (b)",
                        uncached["rps"],
                        bound,
                        uncached["rps"] >= bound,
                    )
                for mode in ("cached", "uncached"):
                    first, fiftieth = rate("category p1", size, mode), rate("category p50", size, mode)
                    if first and fiftieth:
                        bound = 0.9 * first["rps"]
                        check(
                            f"{mode} category p50 @{size} >= 90% of p1",
                            fiftieth["rps"],
                            bound,
                            fiftieth["rps"] >= bound,
                        )
            for page in self.pages:
                for mode in ("cached", "uncached"):
                    if len(self.sizes) < 2:
                        continue
                    small, large = rate(page, self.sizes[0], mode), rate(page, self.sizes[1], mode)
                    if small and large:
                        bound = 0.8 * small["rps"]
                        check(
                            f"{mode} {page} @{self.sizes[1]} >= 80% of @{self.sizes[0]}",
                            large["rps"],
                            bound,
                            large["rps"] >= bound,
                        )
            for result in self.results:
                if result["mode"] == "reference" or "p50_ms" not in result:
                    continue
                bound = 2 * result["p50_ms"]
                check(
                    f"p99 <= 2x p50: {result['name']} {result['mode']} @{result['articles']}",
                    result["p99_ms"],
                    bound,
                    result["p99_ms"] <= bound,
                )
                memory_bound = 1.5 * trivial["worker_rss_mb"]
                check(
                    f"worker memory <= 1.5x (a): {result['name']} {result['mode']} @{result['articles']}",
                    result["worker_rss_mb"],
                    memory_bound,
                    result["worker_rss_mb"] <= memory_bound,
                )
        memory_lines = []
        for page in MEMORY_TIER_PAGES:
            with_memory = rate(page, self.sizes[0], MEMORY_AND_REDIS)
            redis_only = rate(page, self.sizes[0], REDIS_ONLY)
            if with_memory and redis_only:
                bound = (1 + MEMORY_TIER_MIN_GAIN) * redis_only["rps"]
                gain = with_memory["rps"] / redis_only["rps"] - 1
                check(
                    f"memory tier earns its keep: cached {page} >= {1 + MEMORY_TIER_MIN_GAIN:.0%} of Redis only",
                    with_memory["rps"],
                    bound,
                    with_memory["rps"] >= bound,
                )
                memory_lines.append(
                    f"  cached {page:8} @{self.sizes[0]}: {with_memory['rps']:7.0f} req/s with it, "
                    f"{redis_only['rps']:7.0f} Redis only: {gain:+.1%} "
                    f"({'pays' if gain >= MEMORY_TIER_MIN_GAIN else 'does NOT pay'}: "
                    f"kept only at >= +{MEMORY_TIER_MIN_GAIN:.0%})"
                )
        if memory_lines:
            print(
                "\nThe per-process memory tier (NEWSROOM_PAGE_MEMORY_BYTES) against Redis only, back to back:"
            )
            print("\n".join(memory_lines))
        drafts = rate("home under draft saves", self.sizes[0], "cached")
        if drafts:
            check(
                "cached home hit rate > 99% while an Editor saves a draft every second",
                drafts["hit_rate"] * 100,
                99,
                drafts["hit_rate"] > 0.99 and drafts["drafts_saved"] > 0 and not drafts["draft_saves_failed"],
            )
        search = rate("search", SEARCH_SIZE, "uncached")
        if search:
            check(
                f"search p95 @{SEARCH_SIZE} < 50 ms (PostgreSQL)", search["p95_ms"], 50, search["p95_ms"] < 50
            )

        for result in self.results:
            if result["mode"] == "reference":
                print(
                    f"\nReference, no Django: {result['name']} @{result['articles']}: {result['rps']:.0f} req/s,"
                    f" p99 = {result['p99_ms'] / result['p50_ms']:.1f}x p50 (the floor gunicorn, wrk and"
                    " this machine set for every page's latency tail)"
                )
        self.report_api(rate)
        print(f"\nTargets ({sum(c['met'] for c in checks)} of {len(checks)} met):")
        for item in checks:
            print(
                f"  {'ok  ' if item['met'] else 'MISS'} {item['target']}: {item['value']:.2f} (bound {item['bound']:.2f})"
            )
        print(
            f"\nsite_bench finished in {elapsed:.0f}s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        output = PROJECT / "artifacts" / "bench" / "site.json"
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps(
                {"seconds": round(elapsed), "results": self.results, "targets": checks},
                indent=2,
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    sys.exit(main())
