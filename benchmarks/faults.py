"""Fault script: the site under load while Redis, a worker and PostgreSQL fail (``make faults``).

    python benchmarks/faults.py [--phase-seconds N]

Starts everything it needs on 127.0.0.1 and stops it at the end: a database of its own
(FAULTS_DATABASE, default newsroom_faults_run, dropped and re-created on the shared PostgreSQL,
which is never stopped), a redis-server of its own on a free port (6400-6420) saving to disk as
Debian's does, a TCP proxy in front of PostgreSQL that the script can make refuse connections,
and gunicorn (2 sync workers, DEBUG off) reaching PostgreSQL through that proxy.

wrk loads the site (one thread, 4 connections) in phases, one fault each:

  uncached            the same load with the page cache off: the p99 the outage targets compare to
  warm                the page cache on, nothing broken
  redis stopped       redis-server shut down (SIGTERM: it saves its pages to disk first)
  redis restarted     started again on the same files: every page cached before is back
  redis hung          redis-server frozen (SIGSTOP): connections hang until the timeout
  redis resumed       SIGCONT
  worker killed       kill -9 of one gunicorn worker
  postgres refused    the proxy refuses connections and cuts those open
  postgres back       the proxy accepts again

The load is the home page, category pages and articles (cached after the first read), and
one request in twenty for an address never asked before (an uncached article page). Meanwhile
a checker edits, unpublishes and republishes articles through the ORM (not while PostgreSQL is
refused) and reads their pages: a page read more than 2 s after a change that still shows the
old state is a *stale* page. Per phase it prints requests, non-2xx answers (and of those, 5xx
other than 503), socket errors, p50, p99 and stale pages, then the targets of issue 11:
0 failed requests while Redis is down or hung, 0 stale pages, p99 during a Redis outage within
3x the uncached p99, no 500 while PostgreSQL is refused. Takes about three minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
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
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
HOST = "127.0.0.1"
POSTGRES_PORT = 5432
DATABASE = os.environ.get("FAULTS_DATABASE", "newsroom_faults_run")
STALE_AFTER_SECONDS = 2.0
PORTS = range(6400, 6421)
LUA = """
local paths = {%s}
local nonce = "%s"
local counter = 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  ok, redirects, client_errors, unavailable, server_errors = 0, 0, 0, 0, 0
end
function request()
  counter = counter + 1
  if counter %% 20 == 0 then
    return wrk.format("GET", paths[(counter %% #paths) + 1] .. "?uncached=" .. nonce .. "-" .. counter)
  end
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
function response(status, headers, body)
  if status < 300 then ok = ok + 1
  elseif status < 400 then redirects = redirects + 1
  elseif status == 503 then unavailable = unavailable + 1
  elseif status < 500 then client_errors = client_errors + 1
  else server_errors = server_errors + 1 end
end
function done(summary, latency, requests)
  local totals = {0, 0, 0, 0, 0}
  for _, thread in ipairs(threads) do
    totals[1] = totals[1] + thread:get("ok")
    totals[2] = totals[2] + thread:get("redirects")
    totals[3] = totals[3] + thread:get("client_errors")
    totals[4] = totals[4] + thread:get("unavailable")
    totals[5] = totals[5] + thread:get("server_errors")
  end
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    totals[1], totals[2], totals[3], totals[4], totals[5]))
end
"""


_given: set[int] = set()


def free_port() -> int:
    """Return a free port of PORTS that this script has not handed out yet."""
    for port in PORTS:
        if port in _given:
            continue
        with contextlib.closing(socket.socket()) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            _given.add(port)
            return port
    raise SystemExit(f"faults: no free port in {PORTS.start}-{PORTS.stop - 1}")


class PostgresProxy:
    """A TCP proxy to PostgreSQL that can refuse connections (and cut open ones) and accept again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()

    def accept(self) -> None:
        self.listener = socket.create_server((HOST, self.port))
        threading.Thread(target=self._serve, args=(self.listener,), daemon=True).start()

    def refuse(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self.lock:
            for connection in self.open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self.open.clear()

    def _serve(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection((HOST, POSTGRES_PORT))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open |= {client, upstream}
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
        with self.lock:
            self.open -= {source, target}


class RedisServer:
    """A redis-server of the script's own, saving its data on shutdown as Debian's configuration does."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                HOST,
                "--dir",
                str(self.directory),
                "--save",
                "3600 1 300 100 60 10000",
                "--appendonly",
                "no",
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection((HOST, self.port), timeout=0.5) as probe,
            ):
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.1)
        raise SystemExit("faults: redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)
            self.process = None

    def hang(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


class Checker:
    """Changes articles through the ORM and reads their pages: any page read more than
    STALE_AFTER_SECONDS after a change that still shows the state before it is stale."""

    def __init__(self, port: int, articles: list) -> None:
        self.port = port
        self.articles = articles
        self.paused = threading.Event()
        self.idle = threading.Event()
        self.stopped = threading.Event()
        self.events: list[dict] = []  # {"at": time.time(), "stale": bool}
        self.changes = 0

    def run(self) -> None:
        from django.db import close_old_connections

        from articles.models import Article

        number = 0
        while not self.stopped.is_set():
            if self.paused.is_set():
                self.idle.set()
                time.sleep(0.1)
                continue
            self.idle.clear()
            article = self.articles[number % len(self.articles)]
            number += 1
            close_old_connections()
            # Edit the title (the page must show the new one) or withdraw (the page must be a 404),
            # then publish again with a new title.
            withdraw = number % 3 == 0
            if withdraw:
                article.status = Article.Status.DRAFT
                article.review_note = "faults: withdrawn"
            else:
                article.status = Article.Status.PUBLISHED
                article.title = f"{article.title.split(' 〔')[0]} 〔检查 {number}〕"
            article.save()
            changed_at = time.time()
            self.changes += 1
            expected = None if withdraw else f"检查 {number}〕"
            while time.time() < changed_at + STALE_AFTER_SECONDS + 0.6 and not self.stopped.is_set():
                started = time.time()
                status, body = self._get(article.get_absolute_url())
                if status is not None and started > changed_at + STALE_AFTER_SECONDS:
                    fresh = status == 404 if expected is None else (status == 200 and expected in body)
                    self.events.append({"at": started, "stale": not fresh and status != 503})
                time.sleep(0.1)

    def verify(self) -> None:
        """Read each article's page a few times (both workers), against what the database says now."""
        from django.utils.html import escape

        for article in self.articles:
            article.refresh_from_db()
            for _ in range(4):
                started = time.time()
                status, body = self._get(article.get_absolute_url())
                if article.status != article.Status.PUBLISHED:
                    fresh = status == 404
                else:
                    fresh = status == 200 and escape(article.title) in body
                self.events.append({"at": started, "stale": not fresh})

    def pause(self) -> None:
        """Stop changing articles, once the change under way has been checked.

        A change committed just before PostgreSQL goes away may be served stale until it comes
        back: a process that cannot read the purge log cannot learn of it.
        """
        self.idle.clear()
        self.paused.set()
        self.idle.wait(30)

    def _get(self, path: str) -> tuple[int | None, str]:
        try:
            connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        except OSError:
            return None, ""


class Faults:
    def __init__(self, phase_seconds: int) -> None:
        self.phase_seconds = phase_seconds
        self.work = Path(tempfile.mkdtemp(prefix="newsroom-faults-"))
        self.app_port = free_port()
        self.proxy = PostgresProxy()
        self.redis = RedisServer(self.work)
        self.server: subprocess.Popen | None = None
        self.results: list[dict] = []
        self.environment = os.environ | {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": str(self.work / "static"),
            "DATABASE_URL": f"postgres://postgres@{HOST}:{POSTGRES_PORT}/{DATABASE}",
            "REDIS_URL": f"redis://{HOST}:{self.redis.port}/0",
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "PYTHONPATH": str(PROJECT),
        }
        self.environment.pop("CACHE_URL", None)

    # --------------------------------------------------------------- set-up and tear-down

    def prepare(self) -> None:
        for statement in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
            subprocess.run(["psql", "-h", HOST, "-U", "postgres", "-qc", statement], check=True)
        corpus = os.environ.get("FAULTS_CORPUS") or str(PROJECT / "seeds")
        for arguments in (
            ["migrate", "--noinput"],
            ["collectstatic", "--noinput"],
            ["import_seeds", corpus, "--no-progress"],
        ):
            subprocess.run(
                [sys.executable, "manage.py", *arguments, "-v0"],
                cwd=PROJECT,
                env=self.environment,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        # This process changes articles too (the checker), directly on PostgreSQL.
        os.environ.update(self.environment)
        import django

        django.setup()
        self.proxy.accept()
        self.redis.start()

    def start_server(self, cache: bool) -> None:
        self.stop_server()
        log = open(self.work / "gunicorn.log", "a")  # noqa: SIM115 (kept open while gunicorn runs)
        self.server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "newsroom.wsgi",
                "--bind",
                f"{HOST}:{self.app_port}",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--timeout",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=PROJECT,
            env=self.environment
            | {
                "DATABASE_URL": f"postgres://postgres@{HOST}:{self.proxy.port}/{DATABASE}",
                "NEWSROOM_PAGE_CACHE_SECONDS": "600" if cache else "0",
            },
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        # Both workers up and answering (a worker's first request also reads the purge log).
        deadline = time.monotonic() + 60
        answered = 0
        while time.monotonic() < deadline and answered < 4:
            answered = answered + 1 if self.status("/") == 200 else 0
            time.sleep(0.1)
        if answered < 4:
            raise SystemExit("faults: gunicorn did not start")

    def status(self, path: str) -> int | None:
        try:
            connection = http.client.HTTPConnection(HOST, self.app_port, timeout=10)
            connection.request("GET", path)
            return connection.getresponse().status
        except OSError:
            return None

    def stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        self.server = None

    def stop_everything(self) -> None:
        self.stop_server()
        with contextlib.suppress(Exception):
            self.redis.stop()
        self.proxy.refuse()
        shutil.rmtree(self.work, ignore_errors=True)

    def workers(self) -> list[int]:
        found = []
        for status in Path("/proc").glob("[0-9]*/status"):
            with contextlib.suppress(OSError):
                if f"PPid:\t{self.server.pid}\n" in status.read_text():
                    found.append(int(status.parent.name))
        return found

    # --------------------------------------------------------------- the run

    def run(self) -> None:
        from articles.cache.store import cache_health, reset_pages
        from articles.models import Article

        published = list(Article.objects.published().order_by("-published_at"))
        checked, loaded = published[:3], published[3:]
        paths = [
            "/",
            *(f"/category/{path}/" for path in self._categories()),
            *(a.get_absolute_url() for a in loaded),
        ]

        self.start_server(cache=False)
        self.phase("uncached", paths)
        self.start_server(cache=True)
        for path in paths:
            self.status(path)
        checker = Checker(self.app_port, checked)
        thread = threading.Thread(target=checker.run, daemon=True)
        thread.start()
        steps = [
            ("warm", None),
            ("redis stopped", self.redis.stop),
            ("redis restarted", lambda: self.restart_redis(checker)),
            ("redis hung", self.redis.hang),
            ("redis resumed", self.redis.resume),
            ("worker killed", self.kill_worker),
            ("postgres refused", lambda: self.refuse_postgres(checker, paths)),
            ("postgres back", lambda: (self.proxy.accept(), checker.paused.clear())),
        ]
        try:
            for name, fault in steps:
                started = time.time()
                if fault is not None:
                    fault()
                reset_pages()  # this process's view of Redis, for the health line
                health = cache_health()
                self.phase(name, paths, health)
                self.results[-1]["stale"] = sum(
                    1 for event in checker.events if started <= event["at"] < time.time() and event["stale"]
                )
                self.results[-1]["checks"] = sum(
                    1 for event in checker.events if started <= event["at"] < time.time()
                )
                self.print_phase(self.results[-1])
        finally:
            checker.stopped.set()
            thread.join(10)
        self.results[0]["changes"] = checker.changes

    def kill_worker(self) -> None:
        before = self.workers()
        os.kill(before[0], signal.SIGKILL)
        print(f"(worker {before[0]} killed with SIGKILL; gunicorn starts another)", flush=True)

    def refuse_postgres(self, checker: Checker, paths: list[str]) -> None:
        """Refuse PostgreSQL connections once every page is cached as the last change left it.

        A page that a committed change made stale is never served, so a page purged just before
        the database went away answers 503 until it is back; this phase measures the others.
        """
        checker.pause()
        time.sleep(STALE_AFTER_SECONDS)
        for _ in range(2):
            for path in paths:
                self.status(path)
        self.proxy.refuse()

    def restart_redis(self, checker: Checker) -> None:
        """Start Redis again on its saved pages, and read the checked articles' pages from it.

        The checker changed those articles while Redis was down: the pages Redis restores of them
        are stale, and must not be served once the workers use Redis again.
        """
        checker.pause()
        self.redis.start()
        time.sleep(float(self.environment.get("NEWSROOM_REDIS_RETRY_SECONDS", "5")) + 0.5)
        checker.verify()
        checker.paused.clear()

    def _categories(self) -> list[str]:
        from articles.models import Category

        return list(Category.objects.order_by("depth", "path").values_list("path", flat=True)[:6])

    def phase(self, name: str, paths: list[str], health: dict | None = None) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as script:
            # A new nonce each phase: an address asked in an earlier phase would be cached.
            script.write(LUA % (",".join(json.dumps(path) for path in paths), secrets.token_hex(6)))
        try:
            output = subprocess.run(
                [
                    "wrk",
                    "-t1",
                    "-c4",
                    f"-d{self.phase_seconds}s",
                    "--timeout",
                    "5s",
                    "-s",
                    script.name,
                    f"http://{HOST}:{self.app_port}",
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=self.phase_seconds + 60,
            ).stdout
        finally:
            os.unlink(script.name)
        match = re.search(r"RESULT " + r" ".join([r"(\d+)"] * 10), output)
        (
            requests,
            duration,
            p50,
            p99,
            socket_errors,
            ok,
            redirects,
            client_errors,
            unavailable,
            server_errors,
        ) = map(int, match.groups())
        result = {
            "phase": name,
            "requests": requests,
            "rps": requests / (duration / 1e6),
            "non_2xx": redirects + client_errors + unavailable + server_errors,
            "unavailable_503": unavailable,
            "server_errors": server_errors,
            "socket_errors": socket_errors,
            "p50_ms": p50 / 1000,
            "p99_ms": p99 / 1000,
            "health": (health or {}).get("status", "-"),
            "stale": 0,
            "checks": 0,
        }
        self.results.append(result)
        if name == "uncached":
            self.print_phase(result)

    @staticmethod
    def print_phase(result: dict) -> None:
        print(
            f"{result['phase']:17} {result['requests']:7} requests {result['rps']:7.0f}/s  "
            f"non-2xx {result['non_2xx']:5} (503 {result['unavailable_503']}, other 5xx {result['server_errors']})  "
            f"socket errors {result['socket_errors']:3}  p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:7.2f} ms  "
            f"stale {result['stale']} of {result['checks']} checks  health {result['health']}",
            flush=True,
        )

    def report(self) -> int:
        by_phase = {result["phase"]: result for result in self.results}
        uncached_p99 = by_phase["uncached"]["p99_ms"]
        targets = []
        for name in ("redis stopped", "redis hung"):
            result = by_phase[name]
            targets.append((f"{name}: 0 failed requests", result["non_2xx"] + result["socket_errors"], 0))
            targets.append(
                (
                    f"{name}: p99 <= 3x uncached p99 ({3 * uncached_p99:.1f} ms)",
                    result["p99_ms"],
                    3 * uncached_p99,
                )
            )
        targets.append(("stale pages, all phases", sum(result["stale"] for result in self.results), 0))
        targets.append(
            (
                "postgres refused: no 500 (503 for what is not cached)",
                by_phase["postgres refused"]["server_errors"],
                0,
            )
        )
        for name in ("redis restarted", "redis resumed", "postgres back"):
            result = by_phase[name]
            targets.append((f"{name}: 0 failed requests", result["non_2xx"] + result["socket_errors"], 0))
        met = sum(value <= bound for _, value, bound in targets)
        print(
            f"\n{by_phase['uncached'].get('changes', 0)} changes checked. Targets ({met} of {len(targets)} met):"
        )
        for label, value, bound in targets:
            print(f"  {'ok  ' if value <= bound else 'MISS'} {label}: {value:g} (bound {bound:g})")
        output = PROJECT / "artifacts" / "bench" / "faults.json"
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps({"results": self.results}, indent=2, ensure_ascii=False))
        return 0 if met == len(targets) else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phase-seconds", type=int, default=int(os.environ.get("FAULTS_PHASE_SECONDS", "8")))
    arguments = parser.parse_args()
    for tool in ("wrk", "psql", "redis-server"):
        if shutil.which(tool) is None:
            print(
                f"faults: {tool} is missing (apt-get install -y wrk postgresql-client redis-server)",
                file=sys.stderr,
            )
            return 1
    if subprocess.run(["pg_isready", "-h", HOST, "-q"], check=False).returncode != 0:
        print("faults: PostgreSQL does not answer on 127.0.0.1:5432", file=sys.stderr)
        return 1
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    faults = Faults(arguments.phase_seconds)
    try:
        faults.prepare()
        faults.run()
    finally:
        faults.stop_everything()
    return faults.report()


if __name__ == "__main__":
    sys.exit(main())
