"""Where the tests find seed-format documents: our seeds/ and, when set, $SEED_CORPUS."""

import os
from pathlib import Path

import pytest

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
NOT_DOCUMENTS = {"README.md", "MANIFEST.md"}
CORPUS_SKIP_REASON = (
    "SEED_CORPUS is not set: these tests need the seed corpus (.ci/run sets SEED_CORPUS=../shared/corpus)"
)


def document_paths(root: Path) -> list[Path]:
    """Return every seed document below ``root``, sorted, leaving out READMEs and manifests."""
    return sorted(path for path in root.rglob("*.md") if path.name not in NOT_DOCUMENTS)


def corpus_root() -> Path | None:
    """Return the corpus folder named by $SEED_CORPUS, or None when it is not set."""
    value = os.environ.get("SEED_CORPUS", "").strip()
    if not value:
        return None
    root = Path(value).resolve()
    if not root.is_dir():
        raise RuntimeError(f"SEED_CORPUS={value!r} is not a directory")
    return root


def require_corpus() -> Path:
    """Return the corpus folder, or skip the calling test with the reason."""
    root = corpus_root()
    if root is None:
        pytest.skip(CORPUS_SKIP_REASON)
    return root
