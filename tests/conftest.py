import pytest

from tests.documents import SEEDS_DIR, document_paths, require_corpus


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

    from articles import caching, invalidation

    settings.NEWSROOM_CACHE_SYNC_SECONDS = 3600
    cache.clear()
    caching.pages().clear()
    invalidation.freshness.reset()
    yield
    cache.clear()
    caching.pages().clear()
    invalidation.freshness.reset()
