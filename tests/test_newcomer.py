"""The newcomer's path: a fresh clone, `make run`, and the production site answers on 127.0.0.1.

Slow (about a minute: migrations, an import, collectstatic, gunicorn), so marked ``slow``; it runs
in CI with the rest. The clone is of the committed tree, as a newcomer gets it. It reuses this
checkout's virtualenv (``VENV=``) instead of installing from the package index again: every
other step is the one a newcomer runs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
VENV = PROJECT / ".venv"
STARTUP_SECONDS = 300
# One of our own sample documents stands in for a newcomer's archive.
ARCHIVE_DOCUMENT = "新媒体/cnBeta/最新/开源编辑器Lumen 2.0发布：插件体系重写 启动速度提升3倍.md"
ARCHIVE_TITLE = "开源编辑器Lumen 2.0发布"
SEED_ONLY_TITLE = "灯塔下的约定"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("git") and shutil.which("make") and (PROJECT / ".git").exists()),
        reason="needs git, make and a git checkout",
    ),
    pytest.mark.skipif(not (VENV / "bin" / "gunicorn").exists(), reason="needs the project's .venv"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, dict, str]:
    """Return the status, headers and text of ``url``, without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=20) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


@pytest.fixture
def running_site(tmp_path):
    """Clone the repository, `make run` it on a free port, and yield its address and folder."""
    clone = tmp_path / "newsroom"
    subprocess.run(["git", "clone", "--quiet", str(PROJECT), str(clone)], check=True, timeout=120)
    # The virtualenv is already installed from these very files.
    for name in ("requirements.txt", "requirements-dev.txt"):
        os.utime(clone / name, (0, 0))
    archive = tmp_path / "archive"
    (archive / ARCHIVE_DOCUMENT).parent.mkdir(parents=True)
    shutil.copy(PROJECT / "seeds" / ARCHIVE_DOCUMENT, archive / ARCHIVE_DOCUMENT)
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_", "DATABASE_URL", "REDIS_URL", "CACHE_URL", "PYTEST"))
    } | {"SEED_CORPUS": str(archive), "PIP_NO_INDEX": "1"}
    log = (tmp_path / "make-run.log").open("w")
    server = subprocess.Popen(
        ["make", "run", f"PORT={port}", f"VENV={VENV}"],
        cwd=clone,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"make run stopped: {(tmp_path / 'make-run.log').read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail(f"make run did not answer in time: {(tmp_path / 'make-run.log').read_text()[-3000:]}")
        yield address, clone
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()


def test_make_run_serves_the_production_site_from_a_fresh_clone(running_site):
    address, clone = running_site
    status, headers, home = fetch(address + "/")
    assert status == 200
    # The archive in SEED_CORPUS, not the invented seeds/ stories.
    assert ARCHIVE_TITLE in home and SEED_ONLY_TITLE not in home
    # Collected, hashed static files, served: production storage, not DEBUG's.
    stylesheet = next(part.split('"')[0] for part in home.split('href="')[1:] if "/static/css/site." in part)
    assert stylesheet != "/static/css/site.css"
    assert fetch(address + stylesheet)[0] == 200
    # Plain HTTP on this machine: no redirect to https, no HSTS.
    assert "Strict-Transport-Security" not in headers

    status, _headers, missing = fetch(address + "/no/such/page/")
    assert status == 404
    assert "页面不存在" in missing or "Page not found" in missing
    assert "URLconf" not in missing and "Traceback" not in missing

    key = clone / "data" / "secret-key"
    assert len(key.read_text().strip()) >= 50 and key.stat().st_mode & 0o077 == 0
