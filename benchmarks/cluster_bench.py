"""Cluster benchmark: pages through Varnish against nginx's static-file ceiling and gunicorn,
and a breaking-news run with the story edited under load.

    SEED_CORPUS=../shared/corpus python benchmarks/cluster_bench.py [--seconds N] [--quick]

Starts the cluster of deploy/cluster.py (Varnish in front of two gunicorn app servers with 2
sync workers each, PostgreSQL and Redis) on its own database (CLUSTER_BENCH_DATABASE, default
newsroom_cluster_bench, dropped and re-created) and Redis (CLUSTER_BENCH_REDIS_URL, default
redis://127.0.0.1:6379/13), imports the corpus ($SEED_CORPUS, else seeds/), and loads
127.0.0.1 only, with wrk (2 threads, 32 connections, `Accept-Encoding: gzip` as browsers send):

1. the ceiling: nginx (deploy/nginx/static-ceiling.conf) serving a saved copy of an article
   page as a static file (and its gzipped copy);
2. cached article pages (50 of them) and the home page through Varnish;
3. the same pages from one gunicorn app server directly (its page cache in Redis);
4. breaking news: 64 connections on one article through Varnish (without gzip, so that each
   answer can be read) while an editor changes its title in the admin every 5 seconds. Every
   answer's version is recorded with its time; an answer showing an older version than the
   last saved more than SETTLE seconds (0.5) before is a stale read. Prints errors, stale
   reads, and each app server's requests and CPU use during the run.

Target: cached articles through Varnish at >= 50% of the nginx rate; breaking news with 0
errors and 0 stale reads. Figures go to artifacts/bench/cluster.json. Ports: app servers
8101-8120, Varnish 6081-6089, nginx 8121-8130 (the first free ones).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from deploy.cluster import Cluster, ClusterError, stop_process  # noqa: E402
from tests.cluster import AdminSession, fetch, free_ports  # noqa: E402

HOST = "127.0.0.1"
POSTGRES = "postgres://postgres@127.0.0.1:5432/"
DATABASE = os.environ.get("CLUSTER_BENCH_DATABASE", "newsroom_cluster_bench")
REDIS_URL = os.environ.get("CLUSTER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
# Until the page-cache branch adds s-maxage and Surrogate-Key: its temporary stand-in.
APP_SETTINGS = os.environ.get("CLUSTER_BENCH_SETTINGS", "newsroom.settings")
CONNECTIONS = 32
BREAKING_CONNECTIONS = 64
EDIT_EVERY_SECONDS = 5
SETTLE_SECONDS = 0.5
BREAKING_TITLE = "突发新闻直播 第{}版"
EDITOR_PASSWORD = secrets.token_urlsafe(16)

LOAD_LUA = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["Accept-Encoding"] = "gzip"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.bytes))
end
"""

# Each thread counts the answers of each version per 10 ms of wall-clock time (LuaJIT's FFI
# reads the clock Python's time.time() reads).
BREAKING_LUA = """
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_usec; } newsroom_timeval;
  int gettimeofday(newsroom_timeval *tv, void *tz);
]]
local now = ffi.new("newsroom_timeval")
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) seen = {} unreadable = 0 end
request = function() return wrk.format("GET", "%s") end
response = function(status, headers, body)
  local version = body and string.match(body, "%s")
  if status ~= 200 or not version then
    unreadable = unreadable + 1
    return
  end
  ffi.C.gettimeofday(now, nil)
  local key = version .. ":" .. tostring(tonumber(now.tv_sec) * 100 + math.floor(tonumber(now.tv_usec) / 10000))
  seen[key] = (seen[key] or 0) + 1
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.bytes))
  for _, thread in ipairs(threads) do
    io.write(string.format("UNREADABLE %%d\\n", thread:get("unreadable")))
    for key, count in pairs(thread:get("seen")) do
      io.write(string.format("SEEN %%s %%d\\n", key, count))
    end
  end
end
"""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seconds", type=int, default=int(os.environ.get("WRK_SECONDS", "10")), help="per case"
    )
    parser.add_argument("--breaking-seconds", type=int, default=30, help="length of the breaking-news run")
    parser.add_argument("--quick", action="store_true", help="3 s per case, 12 s of breaking news")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.seconds, arguments.breaking_seconds = 3, 12
    for tool, package in (("wrk", "wrk"), ("nginx", "nginx-light"), ("varnishd", "varnish varnish-modules")):
        if shutil.which(tool) is None:
            print(
                f"cluster_bench: {tool} is missing (bash deploy/install-packages.sh --bench, or apt-get install {package})"
            )
            return 1
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other processes skew the figures)"
    )
    started = time.monotonic()
    bench = ClusterBench(arguments.seconds, arguments.breaking_seconds)
    try:
        bench.run()
    except ClusterError as error:
        print(f"cluster_bench: {error}", file=sys.stderr)
        return 1
    finally:
        bench.stop()
    return bench.report(time.monotonic() - started)


class ClusterBench:
    def __init__(self, seconds: int, breaking_seconds: int) -> None:
        self.seconds, self.breaking_seconds = seconds, breaking_seconds
        self.scratch = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
        # nginx's workers run as another user (www-data when started as root): they must read the file.
        self.scratch.chmod(0o755)
        self.results: list[dict] = []
        self.breaking: dict = {}
        self.nginx: subprocess.Popen | None = None
        self.cluster = Cluster(
            database_url=POSTGRES + DATABASE,
            redis_url=REDIS_URL,
            app_ports=free_ports(8101, 8120, 2),
            varnish_ports=free_ports(6081, 6089, 1),
            workers_per_app=2,
            run_dir=self.scratch / "cluster",
            settings_module=APP_SETTINGS,
            import_seeds=True,
            quiet=True,
            environment={
                "DJANGO_STATIC_ROOT": str(self.scratch / "static"),
                "CACHE_KEY_PREFIX": "cluster-bench",
                "NEWSROOM_DATA_DIR": str(self.scratch / "data"),
            },
        )
        self.nginx_port = free_ports(8121, 8130, 1)[0]

    # ------------------------------------------------------------------ the run

    def run(self) -> None:
        step = time.monotonic()
        for statement in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
            subprocess.run(["psql", "-h", HOST, "-U", "postgres", "-qc", statement], check=True)
        subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=False, capture_output=True)
        self.cluster.start()
        self.cluster.manage("shell", "-c", CREATE_EDITOR.format(password=EDITOR_PASSWORD))
        print(f"cluster up in {time.monotonic() - step:.0f}s (corpus imported)", flush=True)
        varnish, app = self.cluster.varnish_urls[0], self.cluster.app_urls[0]
        articles = self.article_paths(varnish)
        self.start_nginx(fetch(varnish, articles[0], headers={"Accept-Encoding": "identity"}).body)
        self.case("nginx static file (the ceiling)", f"http://{HOST}:{self.nginx_port}", ["/article.html"])
        self.case("article via Varnish", varnish, articles)
        self.case("home via Varnish", varnish, ["/"])
        self.case("article via gunicorn", app, articles)
        self.case("home via gunicorn", app, ["/"])
        self.breaking_news(varnish, articles[0])

    def article_paths(self, varnish: str) -> list[str]:
        home = fetch(varnish, "/").text
        paths = list(dict.fromkeys(re.findall(r'href="(/articles/[^"/]+/)"', home)))
        if not paths:
            raise ClusterError("the home page links no article: was the corpus imported?")
        return paths[:50]

    def case(self, name: str, base_url: str, paths: list[str]) -> None:
        for path in paths:  # each page once: caches fill, a broken page stops the run
            status = fetch(base_url, quote(path, safe="/?=&%")).status
            if status != 200:
                raise ClusterError(f"{base_url}{path} answered {status}")
        self.wrk(base_url, LOAD_LUA % self.lua_paths(paths), 1, CONNECTIONS)
        figures = self.wrk(base_url, LOAD_LUA % self.lua_paths(paths), self.seconds, CONNECTIONS)
        figures["name"] = name
        self.results.append(figures)
        print(
            f"{name:34} {figures['rps']:9.0f} req/s  p50 {figures['p50_ms']:6.2f} ms  p99 {figures['p99_ms']:7.2f} ms"
            f"  {figures['bytes_per_request']:6.0f} B/answer"
            + (f"  ERRORS {figures['errors']}" if figures["errors"] else ""),
            flush=True,
        )

    def breaking_news(self, varnish: str, path: str) -> None:
        """64 connections on one story through Varnish while it is edited every 5 seconds."""
        pk = int(self.cluster_shell(f"print(Article.objects.get(slug={path.split('/')[2]!r}).pk)"))
        desk = AdminSession(self.cluster.app_urls[0], "bench-editor", EDITOR_PASSWORD)
        desk.change_article(pk, title=BREAKING_TITLE.format(1))
        saved = {1: time.time()}
        fetch(varnish, path)
        cpu_before = {url: app_cpu_seconds(self.cluster, url) for url in self.cluster.app_urls}
        requests_before = {url: app_requests(self.cluster, url) for url in self.cluster.app_urls}
        stop = threading.Event()

        def edit() -> None:
            version = 1
            while not stop.wait(EDIT_EVERY_SECONDS):
                version += 1
                desk.change_article(pk, title=BREAKING_TITLE.format(version))
                saved[version] = time.time()

        editor = threading.Thread(target=edit, daemon=True)
        run_started = time.time()
        editor.start()
        lua = BREAKING_LUA % (path, BREAKING_TITLE.replace("{}", "(%d+)"))
        figures = self.wrk(varnish, lua, self.breaking_seconds, BREAKING_CONNECTIONS, threads=2)
        stop.set()
        editor.join(timeout=30)
        elapsed = time.time() - run_started
        stale, reads_by_version = count_stale(figures.pop("seen"), saved)
        self.breaking = figures | {
            "name": "breaking news via Varnish",
            "edits": len(saved) - 1,
            "stale_reads": stale,
            "reads_by_version": reads_by_version,
            "app_servers": [
                {
                    "url": url,
                    "cpu_percent": round(
                        100 * (app_cpu_seconds(self.cluster, url) - cpu_before[url]) / elapsed, 1
                    ),
                    "requests": app_requests(self.cluster, url) - requests_before[url],
                }
                for url in self.cluster.app_urls
            ],
        }
        print(
            f"{'breaking news via Varnish':34} {figures['rps']:9.0f} req/s  p50 {figures['p50_ms']:6.2f} ms"
            f"  p99 {figures['p99_ms']:7.2f} ms  {self.breaking['edits']} edits  errors {figures['errors']}"
            f"  stale reads {stale}  unreadable {figures['unreadable']}",
            flush=True,
        )
        for server in self.breaking["app_servers"]:
            print(
                f"    app server {server['url']}: {server['requests']} requests, {server['cpu_percent']:.0f}% of a CPU",
                flush=True,
            )

    # ------------------------------------------------------------------ tools

    def wrk(self, base_url: str, script_text: str, seconds: int, connections: int, threads: int = 2) -> dict:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as script:
            script.write(script_text)
        try:
            output = subprocess.run(
                [
                    "wrk",
                    f"-t{threads}",
                    f"-c{connections}",
                    f"-d{seconds}s",
                    "--timeout",
                    "5s",
                    "-s",
                    script.name,
                    base_url,
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=seconds + 60,
            ).stdout
        finally:
            os.unlink(script.name)
        match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", output)
        if match is None:
            raise ClusterError(f"wrk printed no result: {output[-2000:]}")
        requests, duration, p50, p99, errors, bad_status, received = map(int, match.groups())
        seen: dict[tuple[int, int], int] = {}
        for version, bucket, count in re.findall(r"SEEN (\d+):(\d+) (\d+)", output):
            key = (int(version), int(bucket))
            seen[key] = seen.get(key, 0) + int(count)
        return {
            "rps": requests / (duration / 1e6),
            "p50_ms": p50 / 1000,
            "p99_ms": p99 / 1000,
            "errors": errors + bad_status,
            "requests": requests,
            "bytes_per_request": received / max(requests, 1),
            "seen": seen,
            "unreadable": sum(int(count) for count in re.findall(r"UNREADABLE (\d+)", output)),
        }

    @staticmethod
    def lua_paths(paths: list[str]) -> str:
        return ",".join(json.dumps(quote(path, safe="/?=&%")) for path in paths)

    def start_nginx(self, page: bytes) -> None:
        prefix, root = self.scratch / "nginx", self.scratch / "static-files"
        for folder in (prefix, root):
            folder.mkdir(parents=True, exist_ok=True)
        (root / "article.html").write_bytes(page)
        (root / "article.html.gz").write_bytes(gzip.compress(page, 6))
        config = (PROJECT / "deploy" / "nginx" / "static-ceiling.conf").read_text()
        for token, value in {
            "@PREFIX@": str(prefix),
            "@ROOT@": str(root),
            "@PORT@": str(self.nginx_port),
        }.items():
            config = config.replace(token, value)
        (prefix / "nginx.conf").write_text(config)
        self.nginx = subprocess.Popen(
            ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                status = fetch(f"http://{HOST}:{self.nginx_port}", "/article.html").status
            except OSError as error:
                status = error
            if status == 200:
                return
            time.sleep(0.1)
        raise ClusterError(f"nginx did not serve the page ({status}); see {prefix / 'error.log'}")

    def cluster_shell(self, code: str) -> str:
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "--no-imports",
                "-c",
                "from articles.models import Article; " + code,
            ],
            cwd=PROJECT,
            env=self.cluster.app_environment(),
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        if self.nginx is not None:
            stop_process(self.nginx)
        self.cluster.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)

    # ------------------------------------------------------------------ the report

    def report(self, elapsed: float) -> int:
        rates = {result["name"]: result for result in self.results}
        checks = []
        ceiling, article = rates.get("nginx static file (the ceiling)"), rates.get("article via Varnish")
        if ceiling and article:
            bound = 0.5 * ceiling["rps"]
            checks.append(
                (
                    "cached article via Varnish >= 50% of nginx static",
                    article["rps"],
                    bound,
                    article["rps"] >= bound,
                )
            )
        if self.breaking:
            checks.append(
                ("breaking news: 0 errors", self.breaking["errors"], 0, self.breaking["errors"] == 0)
            )
            checks.append(
                (
                    "breaking news: 0 stale reads",
                    self.breaking["stale_reads"],
                    0,
                    self.breaking["stale_reads"] == 0,
                )
            )
        print(f"\nTargets ({sum(check[3] for check in checks)} of {len(checks)} met):")
        for label, value, bound, met in checks:
            print(f"  {'ok  ' if met else 'MISS'} {label}: {value:.0f} (bound {bound:.0f})")
        print(
            f"\ncluster_bench finished in {elapsed:.0f}s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        output = PROJECT / "artifacts" / "bench" / "cluster.json"
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps(
                {
                    "seconds": round(elapsed),
                    "results": [{k: v for k, v in result.items() if k != "seen"} for result in self.results],
                    "breaking_news": self.breaking,
                    "targets": [
                        {"target": label, "value": value, "bound": bound, "met": met}
                        for label, value, bound, met in checks
                    ],
                },
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
        return 0 if all(check[3] for check in checks) else 1


CREATE_EDITOR = """
from django.contrib.auth.models import Group, User
from articles import roles
user, _ = User.objects.get_or_create(username="bench-editor", defaults={{"is_staff": True}})
user.set_password({password!r}); user.is_staff = True; user.save()
user.groups.add(Group.objects.get(name=roles.EDITOR))
"""


def count_stale(seen: dict[tuple[int, int], int], saved: dict[int, float]) -> tuple[int, dict[int, int]]:
    """Return the reads of a version older than the newest saved SETTLE_SECONDS before them, and reads per version."""
    stale, by_version = 0, {}
    for (version, bucket), count in seen.items():
        by_version[version] = by_version.get(version, 0) + count
        read_at = (bucket + 1) / 100  # the end of its 10 ms: the strict reading
        settled = [number for number, at in saved.items() if at + SETTLE_SECONDS <= read_at]
        if settled and version < max(settled):
            stale += count
    return stale, dict(sorted(by_version.items()))


def app_cpu_seconds(cluster: Cluster, url: str) -> float:
    """Return the CPU time used so far by the app server at ``url`` (its master and workers)."""
    port = urlsplit(url).port
    master = cluster.processes[f"app-{port}"].pid
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid, parent = int(stat.parent.name), int(fields[1])
        if pid == master or parent == master:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def app_requests(cluster: Cluster, url: str) -> int:
    """Return how many requests the app server at ``url`` has logged (newsroom.request records)."""
    log = cluster.log(f"app-{urlsplit(url).port}")
    try:
        with log.open("rb") as lines:
            return sum(b'"logger": "newsroom.request"' in line for line in lines)
    except OSError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
