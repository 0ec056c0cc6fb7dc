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
def empty_cache():
    """Start every test with an empty cache: pages and the publication epoch live there."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
