"""newsroom's cluster on one machine: Varnish in front of several gunicorn app servers that
share PostgreSQL and Redis. For trying the deployment and for the tests and benchmarks that
need it; production runs the same pieces as services (see the README's deployment section).

    python deploy/cluster.py start     # `make cluster`: starts everything, Ctrl-C stops it
    python deploy/cluster.py stop      # `make cluster-stop`, from another terminal

PostgreSQL (``DATABASE_URL``, default the local server's ``newsroom_cluster`` database) and
Redis (``REDIS_URL``, default ``redis://127.0.0.1:6379/0``) are used as they are when they
answer; otherwise a local Debian PostgreSQL cluster on that port is started with
``pg_ctlcluster`` and a ``redis-server`` on that port, and both are stopped at the end. The
database is created when missing, migrated, and filled with seeds/ (and ``$SEED_CORPUS``).
Then:

- app servers: ``gunicorn -c deploy/gunicorn.conf.py newsroom.wsgi`` on ``CLUSTER_APP_PORTS``
  (default 8101,8102), production settings (DEBUG off, a generated secret key, plain HTTP),
  JSON request logs in ``data/cluster/app-PORT.log``, each purging every Varnish node;
- Varnish: ``varnishd`` on ``CLUSTER_VARNISH_PORTS`` (default 6081) with
  ``deploy/varnish/newsroom.vcl`` and a site file written for these ports
  (``data/cluster/site.vcl``), 256 MB of memory each, without privilege separation (a trial
  on one machine; Debian's service runs it as its own users).

The site is then at http://127.0.0.1:6081/ (the admin at /admin/, login from
``manage.py ensure_admin``). Everything the script started is recorded in
``data/cluster/cluster.json`` (``CLUSTER_RUN_DIR`` changes the folder) so that ``stop`` finds it.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parent.parent
VARNISH_DIR = PROJECT / "deploy" / "varnish"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsroom_cluster"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}

SITE_VCL = """vcl 4.1;

# Written by deploy/cluster.py for this cluster; see deploy/varnish/default.vcl.
include "newsroom.vcl";
{backends}
sub vcl_init {{
    new newsroom_app = directors.round_robin();
{additions}}}

sub newsroom_backend {{
    set req.backend_hint = newsroom_app.backend();
}}

acl newsroom_purgers {{
    "127.0.0.1";
    "::1";
}}

sub newsroom_check_purger {{
    if (client.ip !~ newsroom_purgers) {{
        return (synth(403, "Forbidden"));
    }}
}}
"""
BACKEND_VCL = """
backend app_{port} {{
    .host = "127.0.0.1";
    .port = "{port}";
    .probe = newsroom_health;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}}
"""


class ClusterError(RuntimeError):
    """The cluster could not be started: the message says which part and why."""


def ports_from_environment(name: str, default: str) -> list[int]:
    """Return the comma-separated port numbers in the environment variable ``name``."""
    text = os.environ.get(name, "") or default
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise ClusterError(f"{name} must be comma-separated port numbers, not {text!r}") from error


@dataclass
class Cluster:
    """The processes of one cluster: start() brings them up, stop() ends those it started."""

    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    redis_url: str = field(default_factory=lambda: os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    app_ports: list[int] = field(
        default_factory=lambda: ports_from_environment("CLUSTER_APP_PORTS", "8101,8102")
    )
    varnish_ports: list[int] = field(
        default_factory=lambda: ports_from_environment("CLUSTER_VARNISH_PORTS", "6081")
    )
    workers_per_app: int = field(default_factory=lambda: int(os.environ.get("CLUSTER_APP_WORKERS", "2")))
    run_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("CLUSTER_RUN_DIR") or PROJECT / "data" / "cluster")
    )
    settings_module: str = field(
        default_factory=lambda: os.environ.get("DJANGO_SETTINGS_MODULE") or "newsroom.settings"
    )
    import_seeds: bool = True
    varnish_memory: str = "256m"
    environment: dict[str, str] = field(default_factory=dict)
    quiet: bool = False

    def __post_init__(self) -> None:
        self.run_dir = Path(self.run_dir)
        self.processes: dict[str, subprocess.Popen] = {}
        self.started_services: list[tuple[str, list[str]]] = []  # (name, command that stops it)

    # ------------------------------------------------------------------ public

    @property
    def varnish_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.varnish_ports]

    @property
    def app_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.app_ports]

    def start(self) -> None:
        """Start every part (PostgreSQL and Redis only when they do not answer); raise ClusterError on failure."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        try:
            for port in [*self.app_ports, *self.varnish_ports]:
                if port_is_open(port):
                    raise ClusterError(f"port {port} is taken: stop what uses it, or set CLUSTER_*_PORTS")
            self.ensure_postgresql()
            self.ensure_redis()
            self.prepare_database()
            for port in self.app_ports:
                self.start_app(port)
            for port in self.app_ports:
                self.wait_for(
                    f"http://127.0.0.1:{port}/health/", f"app server on port {port}", self.log(f"app-{port}")
                )
            for port in self.varnish_ports:
                self.start_varnish(port)
            for port in self.varnish_ports:
                self.wait_for(
                    f"http://127.0.0.1:{port}/health/", f"Varnish on port {port}", self.log(f"varnish-{port}")
                )
        except BaseException:
            self.stop()
            raise
        self.save_state()

    def stop(self) -> None:
        """Stop the processes this cluster started, Varnish first and the database last."""
        for name in reversed(list(self.processes)):
            stop_process(self.processes.pop(name))
        for name, command in reversed(self.started_services):
            self.say(f"stopping {name}")
            subprocess.run(command, check=False, capture_output=True, timeout=60)
        self.started_services = []
        state = self.run_dir / "cluster.json"
        if state.exists():
            state.unlink()

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def app_environment(self) -> dict[str, str]:
        """Return the environment of the app servers (and of manage.py run for them)."""
        origins = ",".join(
            f"http://{host}:{port}" for port in self.varnish_ports for host in ("127.0.0.1", "localhost")
        )
        environment = os.environ | {
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": self.secret_key(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_CSRF_TRUSTED_ORIGINS": origins,
            # Plain HTTP on one machine: no redirect to HTTPS, cookies sent without TLS.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SESSION_COOKIE_SECURE": "0",
            "DJANGO_CSRF_COOKIE_SECURE": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "NEWSROOM_HTTP_CACHE_PURGE_URLS": ",".join(f"{url}/" for url in self.varnish_urls),
            # Every app process reads the page cache's purge log before each request (only
            # Varnish's misses reach it): a miss after a purge is never answered with a page the
            # change made stale, whichever app server Varnish asks. The second purge stays as a
            # second line of defence.
            "NEWSROOM_CACHE_SYNC_SECONDS": os.environ.get("NEWSROOM_CACHE_SYNC_SECONDS", "0"),
            "NEWSROOM_HTTP_CACHE_REPURGE_SECONDS": os.environ.get(
                "NEWSROOM_HTTP_CACHE_REPURGE_SECONDS", "0.7"
            ),
            "NEWSROOM_REQUEST_LOG": "1",
            "DJANGO_LOG_FORMAT": "json",
            "DJANGO_LOG_LEVEL": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
            "PYTHONPATH": str(PROJECT),
        }
        environment.pop("CACHE_URL", None)
        return environment | self.environment

    # ------------------------------------------------------------------ services

    def ensure_postgresql(self) -> None:
        address = urlsplit(self.database_url)
        host, port = address.hostname or "127.0.0.1", address.port or 5432
        if port_is_open(port, host):
            return
        if host not in LOCAL_HOSTS or shutil.which("pg_lsclusters") is None:
            raise ClusterError(f"PostgreSQL does not answer on {host}:{port}")
        for line in subprocess.run(
            ["pg_lsclusters", "--no-header"], capture_output=True, text=True
        ).stdout.splitlines():
            version, name, cluster_port, *_rest = line.split()
            if int(cluster_port) == port:
                self.say(f"starting PostgreSQL {version}/{name} on port {port}")
                command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name]
                subprocess.run([*command, "start"], check=True)
                self.started_services.append((f"PostgreSQL {version}/{name}", [*command, "stop"]))
                wait_until(lambda: port_is_open(port, host), 30, f"PostgreSQL {version}/{name} did not start")
                return
        raise ClusterError(f"PostgreSQL does not answer on port {port} and no local cluster uses that port")

    def ensure_redis(self) -> None:
        address = urlsplit(self.redis_url)
        host, port = address.hostname or "127.0.0.1", address.port or 6379
        if port_is_open(port, host):
            return
        if host not in LOCAL_HOSTS or shutil.which("redis-server") is None:
            raise ClusterError(f"Redis does not answer on {host}:{port}")
        self.say(f"starting redis-server on port {port}")
        self.spawn(
            "redis",
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        )
        wait_until(lambda: port_is_open(port, host), 15, f"redis-server did not start on port {port}")

    def prepare_database(self) -> None:
        import psycopg

        address = urlsplit(self.database_url)
        name = address.path.lstrip("/")
        server = address._replace(path="/postgres").geturl()
        with psycopg.connect(server, autocommit=True, connect_timeout=10) as connection:
            if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                self.say(f"creating database {name}")
                connection.execute(f'CREATE DATABASE "{name}"')
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        if self.import_seeds:
            corpus = os.environ.get("SEED_CORPUS")
            self.manage(
                "import_seeds", "seeds", *([corpus] if corpus else []), "--no-progress", "-v0", check=False
            )
            self.manage("ensure_admin", quiet=False)

    def start_app(self, port: int) -> None:
        self.say(f"starting app server on http://127.0.0.1:{port}/")
        environment = self.app_environment() | {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(self.workers_per_app),
        }
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.spawn(
            f"app-{port}",
            [gunicorn, "-c", str(PROJECT / "deploy" / "gunicorn.conf.py"), "newsroom.wsgi"],
            environment,
        )

    def start_varnish(self, port: int) -> None:
        if shutil.which("varnishd") is None:
            raise ClusterError("varnishd is missing: apt-get install varnish varnish-modules")
        site = self.run_dir / "site.vcl"
        site.write_text(
            SITE_VCL.format(
                backends="".join(BACKEND_VCL.format(port=app) for app in self.app_ports),
                additions="".join(f"    newsroom_app.add_backend(app_{app});\n" for app in self.app_ports),
            )
        )
        self.say(f"starting Varnish on http://127.0.0.1:{port}/")
        workdir = self.run_dir / f"varnish-{port}"
        self.spawn(
            f"varnish-{port}",
            [
                "varnishd",
                "-F",
                "-j",
                "none",
                "-n",
                str(workdir),
                "-a",
                f"127.0.0.1:{port}",
                "-T",
                "127.0.0.1:0",
                "-f",
                str(site),
                "-p",
                f"vcl_path={VARNISH_DIR}",
                "-s",
                f"malloc,{self.varnish_memory}",
            ],
        )

    # ------------------------------------------------------------------ helpers

    def spawn(self, name: str, command: list[str], environment: dict[str, str] | None = None) -> None:
        log = self.log(name).open("ab")
        self.processes[name] = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=environment or os.environ,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.save_state()

    def manage(self, *arguments: str, check: bool = True, quiet: bool = True) -> None:
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=PROJECT,
            env=self.app_environment(),
            capture_output=quiet,
            text=True,
            timeout=1800,
        )
        if check and result.returncode != 0:
            raise ClusterError(f"manage.py {arguments[0]} failed: {(result.stderr or '')[-2000:]}")

    def wait_for(self, url: str, what: str, log: Path, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        last = ""
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise ClusterError(f"{name} exited ({process.returncode}); see {self.log(name)}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                last = f"{error.code} {error.reason}"
            except OSError as error:
                last = str(error)
            time.sleep(0.2)
        raise ClusterError(f"{what} did not become healthy in {seconds:.0f}s ({last}); see {log}")

    def log(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def secret_key(self) -> str:
        path = self.run_dir / "secret-key"
        if not path.exists():
            self.run_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(50))
        return path.read_text().strip()

    def save_state(self) -> None:
        state = {
            "pid": os.getpid(),
            "processes": {
                name: {"pid": process.pid, "command": process.args[0]}
                for name, process in self.processes.items()
            },
            "services": self.started_services,
        }
        (self.run_dir / "cluster.json").write_text(json.dumps(state, indent=2))

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"cluster: {message}", flush=True)


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    """Return whether something accepts connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(condition, seconds: float, failure: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise ClusterError(failure)


def stop_process(process: subprocess.Popen, seconds: float = 20) -> None:
    """End ``process`` and its children (its own session): SIGTERM, then SIGKILL after ``seconds``."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def stop_recorded(run_dir: Path) -> int:
    """Stop the cluster recorded in ``run_dir``: ask its script to stop, or end its processes."""
    state_file = run_dir / "cluster.json"
    if not state_file.exists():
        print("cluster: nothing is running (no data/cluster/cluster.json)")
        return 0
    state = json.loads(state_file.read_text())
    owner = state["pid"]
    if _is_running(owner, "cluster.py"):
        print(f"cluster: asking the cluster script ({owner}) to stop")
        os.kill(owner, signal.SIGTERM)
        wait_until(lambda: not _is_running(owner, "cluster.py"), 60, "the cluster script did not stop")
        return 0
    for name, process in reversed(list(state["processes"].items())):
        if _is_running(process["pid"], Path(process["command"]).name):
            print(f"cluster: stopping {name}")
            os.killpg(process["pid"], signal.SIGTERM)
    for name, command in reversed(state["services"]):
        print(f"cluster: stopping {name}")
        subprocess.run(command, check=False)
    state_file.unlink()
    return 0


def _is_running(pid: int, program: str) -> bool:
    """Return whether process ``pid`` exists and runs ``program`` (a pid may have been reused)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return program in command


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=["start", "stop"])
    arguments = parser.parse_args()
    cluster = Cluster()
    if arguments.action == "stop":
        return stop_recorded(cluster.run_dir)
    if (cluster.run_dir / "cluster.json").exists():
        stop_recorded(cluster.run_dir)  # left over from a script that was killed
    stopping = []

    def request_stop(signum, frame):
        stopping.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, request_stop)
    try:
        cluster.start()
    except ClusterError as error:
        print(f"cluster: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    print(
        "cluster: ready\n"
        + "".join(
            f"  site through Varnish  {url}/  (admin at {url}/admin/)\n" for url in cluster.varnish_urls
        )
        + "".join(f"  app server            {url}/\n" for url in cluster.app_urls)
        + f"  logs                  {cluster.run_dir}/*.log\n"
        + "Ctrl-C (or make cluster-stop) stops what was started here.",
        flush=True,
    )
    try:
        while all(process.poll() is None for process in cluster.processes.values()):
            time.sleep(1)
        stopped = [name for name, process in cluster.processes.items() if process.poll() is not None]
        print(f"cluster: {', '.join(stopped)} exited; stopping the rest", file=sys.stderr)
        return_code = 1
    except KeyboardInterrupt:
        return_code = 0
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print("cluster: stopping", flush=True)
    cluster.stop()
    return return_code


if __name__ == "__main__":
    sys.exit(main())
