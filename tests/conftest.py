import pytest

from tests import data_folder
from tests.documents import SEEDS_DIR, document_paths, require_corpus


@pytest.fixture(scope="session", autouse=True)
def real_data_folder_untouched():
    """Fail the run if anything in it wrote into the project's data/ folder (see tests/data_folder.py)."""
    yield
    changes = data_folder.changes()
    assert not changes, (
        f"The tests must leave {data_folder.REAL_DATA_DIR} alone (a server of yours running on it "
        "meanwhile would explain a change too):\n" + "\n".join(changes)
    )


@pytest.fixture(scope="session")
def seed_paths():
    """Our own sample documents in seeds/."""
    return document_paths(SEEDS_DIR)


@pytest.fixture(scope="session")
def corpus_dir():
    """The seed corpus folder ($SEED_CORPUS); skips the test when it is not set."""
    return require_corpus()


@pytest.fixture(scope="session")
def corpus_paths(corpus_dir):
    """Every document of the seed corpus."""
    return document_paths(corpus_dir)


@pytest.fixture(autouse=True)
def empty_cache(settings):
    """Start every test with empty caches, as a new process that has read nothing of the purge log.

    The log is read again only when a test says so (or commits a change): a read falling inside a
    query count would make it depend on the machine's speed.
    """
    from django.core.cache import cache

    from articles.cache import invalidation, store

    settings.NEWSROOM_CACHE_SYNC_SECONDS = 3600
    cache.clear()
    store.pages().clear()
    invalidation.freshness.reset()
    yield
    cache.clear()
    store.pages().clear()
    invalidation.freshness.reset()


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to this test's own folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(settings, monkeypatch):
    """The clock by which this process reads the purge log once a second (NEWSROOM_CACHE_SYNC_SECONDS)."""
    from articles.cache import invalidation

    settings.NEWSROOM_CACHE_SYNC_SECONDS = 1
    moved = Clock()
    monkeypatch.setattr(invalidation.freshness, "clock", moved)
    return moved


@pytest.fixture
def elsewhere(django_capture_on_commit_callbacks):
    """Make a change as another process would: committed, but this process is not told."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=False):
            return action(*args, **kwargs)

    return run
