"""The tests never write into the project's real ``data/`` folder.

A pytest plugin (``-p tests.data_folder`` in pyproject.toml), so that it runs before pytest-django
reads the settings: it points ``NEWSROOM_DATA_DIR`` at a temporary folder for the whole run. The
settings put everything they keep on disk there (the SQLite databases and the test databases beside
them, media, collected static files, the password ``ensure_admin`` writes), and every process the
tests start inherits it. ``changes()`` tells what happened to the real folder since the run began;
the session fixture ``real_data_folder_untouched`` in tests/conftest.py fails the run on any.
"""

import os
import shutil
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
REAL_DATA_DIR = PROJECT / "data"


def snapshot(folder: Path) -> dict[str, tuple[int, int]] | None:
    """Return every path under ``folder`` with its modification time and size; None when absent."""
    if not folder.exists():
        return None
    found = {}
    for path in [folder, *folder.rglob("*")]:
        try:
            status = path.lstat()
        except FileNotFoundError:  # removed while we looked (a SQLite journal)
            continue
        found[str(path.relative_to(folder))] = (status.st_mtime_ns, status.st_size)
    return found


def changes() -> list[str]:
    """Return what was created, changed or removed in the real data folder since the run began."""
    after = snapshot(REAL_DATA_DIR)
    if after == BEFORE:
        return []
    if BEFORE is None:
        return [f"created {REAL_DATA_DIR}"] + [
            f"created {path}" for path in sorted(after or {}) if path != "."
        ]
    if after is None:
        return [f"removed {REAL_DATA_DIR}"]
    return (
        [f"created {path}" for path in sorted(after.keys() - BEFORE.keys())]
        + [f"removed {path}" for path in sorted(BEFORE.keys() - after.keys())]
        + [f"changed {path}" for path in sorted(after.keys() & BEFORE.keys()) if after[path] != BEFORE[path]]
    )


BEFORE = snapshot(REAL_DATA_DIR)
TEMPORARY_DATA_DIR = Path(tempfile.mkdtemp(prefix="newsroom-tests-data-"))
os.environ["NEWSROOM_DATA_DIR"] = str(TEMPORARY_DATA_DIR)
# Media and static files follow the data folder unless these name another one.
os.environ.pop("DJANGO_MEDIA_ROOT", None)
os.environ.pop("DJANGO_STATIC_ROOT", None)


def pytest_unconfigure(config) -> None:
    shutil.rmtree(TEMPORARY_DATA_DIR, ignore_errors=True)
