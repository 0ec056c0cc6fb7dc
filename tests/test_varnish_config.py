"""The shipped Varnish configuration (deploy/varnish/), run by Varnish's own test tool.

Each ``deploy/varnish/tests/*.vtc`` starts a real varnishd with ``newsroom.vcl`` in front of a
scripted backend and checks what is stored, purged, passed and served stale. They need Debian's
``varnish`` and ``varnish-modules`` (xkey, var); `.ci/run` installs them.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

VARNISH_DIR = Path(__file__).resolve().parent.parent / "deploy" / "varnish"
VMOD_DIR = Path("/usr/lib/x86_64-linux-gnu/varnish/vmods")

pytestmark = pytest.mark.skipif(
    shutil.which("varnishtest") is None or shutil.which("varnishd") is None,
    reason="Varnish is not installed (apt-get install varnish varnish-modules; .ci/run does it)",
)


def require_varnish_modules():
    if not any(VMOD_DIR.glob("libvmod_xkey.so")) and not list(Path("/usr/lib").rglob("libvmod_xkey.so")):
        pytest.skip("varnish-modules is not installed (apt-get install varnish-modules)")


@pytest.mark.parametrize("case", sorted(path.name for path in (VARNISH_DIR / "tests").glob("*.vtc")))
def test_varnish_behaves_as_the_vcl_promises(case):
    require_varnish_modules()
    result = subprocess.run(
        # Verbose: when a case fails, its log says which step waited or differed.
        ["varnishtest", "-v", str(VARNISH_DIR / "tests" / case)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_the_example_site_vcl_compiles(tmp_path):
    require_varnish_modules()
    result = subprocess.run(
        [
            "varnishd",
            "-C",
            # No privilege separation: the compiler writes in tmp_path, which only we may.
            "-j",
            "none",
            "-n",
            str(tmp_path),
            "-f",
            str(VARNISH_DIR / "default.vcl"),
            "-p",
            f"vcl_path={VARNISH_DIR}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
