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
    """Return every seed document below ``root``, sorted, leaving out files without front matter
    (READMEs, manifests: the importer skips them)."""
    return sorted(
        path
        for path in root.rglob("*.md")
        if path.name not in NOT_DOCUMENTS
        and path.read_text(encoding="utf-8").lstrip("\ufeff \r\n").startswith("---")
    )


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


def story_variants(folder: Path, copies: int) -> int:
    """Write ``copies`` variants of every seed into ``folder`` (each a new story: its title changes)."""
    written = 0
    for number in range(copies):
        for path in document_paths(SEEDS_DIR):
            text = path.read_text(encoding="utf-8")
            text = text.replace("title: '", f"title: '第{number}版 ", 1).replace(
                'title: "', f'title: "第{number}版 ', 1
            )
            target = folder / f"copy-{number}" / path.relative_to(SEEDS_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written += 1
    return written


def is_empty_post(path: Path) -> bool:
    """Return whether the document has neither a title nor anything in its body (the importer skips it)."""
    import re

    import yaml

    match = re.match(r"\s*---\n(.*?)\n---\n(.*)", path.read_text(encoding="utf-8"), re.S)
    if match is None:
        return False
    front = yaml.safe_load(match.group(1)) or {}
    body = re.sub(r"<[^>]*>", "", match.group(2))
    return not str(front.get("title") or "").strip() and not body.strip()
