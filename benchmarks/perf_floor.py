"""The neutral page-rendering floor (b0) of the page benchmarks, and its articles as seed documents.

``../shared/perf-floor/`` (see its README) holds a view rendering a 19 KB news article page from
memory with Django's template engine, and the generator of its articles (``textgen.py``). It is
not ours and is not copied into the project: it is found through ``PERF_FLOOR``, or beside the
seed corpus (``$SEED_CORPUS/../perf-floor``), or at ``../shared/perf-floor`` from the project.

``write_seed_documents()`` writes the generator's articles as seed documents, so that the
benchmarks import the very articles the floor renders and compare like with like.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# Where the generated articles go: one section of the corpus's shape, so category pages are real.
CATEGORIES = ["新媒体", "快科技（原驱动之家）", "最新新闻"]
OUTLET = "快科技"


def floor_dir() -> Path | None:
    """Return the perf-floor folder, or None when it cannot be found."""
    candidates = []
    if os.environ.get("PERF_FLOOR"):
        candidates.append(Path(os.environ["PERF_FLOOR"]))
    if os.environ.get("SEED_CORPUS"):
        candidates.append(Path(os.environ["SEED_CORPUS"]).resolve().parent / "perf-floor")
    candidates.append(PROJECT.parent / "shared" / "perf-floor")
    for candidate in candidates:
        if (candidate / "views.py").is_file() and (candidate / "textgen.py").is_file():
            return candidate.resolve()
    return None


def require_floor_dir() -> Path:
    """Return the perf-floor folder, on ``sys.path`` so that ``textgen`` and its view import."""
    found = floor_dir()
    if found is None:
        raise SystemExit("perf-floor not found: set PERF_FLOOR (or SEED_CORPUS beside it)")
    if str(found) not in sys.path:
        sys.path.insert(0, str(found))
    return found


def floor_views():
    """Return the perf-floor's ``views`` module, imported from its folder under its own name."""
    import importlib.util

    name = "perf_floor_views"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, require_floor_dir() / "views.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def seed_document(number: int) -> str:
    """Return the generator's article ``number`` as a seed document (front matter + HTML body)."""
    require_floor_dir()
    import textgen

    article = textgen.article(number, body_min=4800, body_max=5200, ntags=10)
    lines = [
        "",
        "---",
        f"title: {_quoted(article['title'])}",
        "categories:",
        *[f"  - {name}" for name in CATEGORIES],
        "tags:",
        *[f"  - {_quoted(tag)}" for tag in article["tags"]],
        f"author: {OUTLET}",
        f"date: {article['date'].strftime('%a, %d %b %Y %H:%M:%S GMT')}",
        "comments: false",
        "---",
        article["body"] + f'<p class="url">责任编辑：{article["author"]}</p>',
    ]
    return "\n".join(lines) + "\n"


def write_seed_documents(folder: Path, count: int, first: int = 1) -> Path:
    """Write the generator's articles ``first`` … ``first + count - 1`` into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(first, first + count):
        (folder / f"article-{number:05d}.md").write_text(seed_document(number), encoding="utf-8")
    return folder
