"""The whole corpus imports, checked against values computed here from the files, independently of the importer.

The expectations use plain PyYAML and regular expressions over the raw text, not the importer's own
parsing, so a mistake in the importer cannot hide in both.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.core.management import call_command

from articles.models import Article, Author, Category, Tag
from tests.documents import SEEDS_DIR, document_paths, is_empty_post

pytestmark = pytest.mark.django_db

TOPIC_TAG = re.compile(r'<a href="[^"]*/tag/([^"/]+)\.htm">(?:<i>#</i>)?([^<]+)</a>')
EDITOR = re.compile(r"(?:责任编辑|责编|<p>编辑)\s*[：:|｜]\s*([^<]+?)\s*<")
SOURCE = re.compile(r'原文链接：<a href="([^"]+)"[^>]*>([^<]+)</a>')


# The feeds whose "GMT" is a local wall-clock time, and that zone (decided from evidence, as
# feeds.toml records it; written out here so that a mistake in the profiles cannot hide in both).
LOCAL_TIME_FEEDS = {
    "快科技（原驱动之家）": "Asia/Shanghai",
    "证券时报网": "Asia/Shanghai",
    "游民星空": "Asia/Shanghai",
    "猫眼电影": "Asia/Shanghai",
    "Animen 动漫平台": "Asia/Taipei",
}
SITE_ZONE = ZoneInfo("Asia/Shanghai")


def publication_time(value, feed: str) -> dt.datetime | None:
    """Return the instant a raw date means for ``feed`` (None when it is no publication time)."""
    if isinstance(value, dt.datetime):  # a naive YAML timestamp
        return value.replace(tzinfo=ZoneInfo(LOCAL_TIME_FEEDS.get(feed, "Asia/Shanghai"))).astimezone(dt.UTC)
    if value is None or value == "Invalid Date":
        return None
    labelled = parsedate_to_datetime(value)
    if feed in LOCAL_TIME_FEEDS:
        labelled = labelled.replace(tzinfo=ZoneInfo(LOCAL_TIME_FEEDS[feed]))
    instant = labelled.astimezone(dt.UTC)
    return None if instant.year > dt.datetime.now(dt.UTC).year + 1 else instant


def expected(path) -> dict:
    """Return what the article for the file at ``path`` must hold, computed from the raw file."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"\s*---\n(.*?)\n---\n(.*)", text, re.S)
    front, body = yaml.safe_load(match.group(1)), match.group(2)
    categories = []
    for item in front["categories"]:
        name = item[0] if isinstance(item, list) else item
        categories.append(name.strip().lstrip("—-– ").strip())
    tags = {}
    if 'class="bqian"' in body:
        topic_block = body[body.index('class="bqian"') :].split("</p>", 1)[0]
        tags = {html.unescape(name).strip(): slug for slug, name in TOPIC_TAG.findall(topic_block)}
    editor = EDITOR.search(body)
    source = SOURCE.search(body)
    return {
        "title": front["title"],
        "published_at": publication_time(front.get("date"), categories[1]),
        "category": " / ".join(categories),
        "outlet": front["author"],
        "tags": tags,
        "editor": editor.group(1).strip() if editor else None,
        "source": (html.unescape(source.group(2)).strip(), html.unescape(source.group(1)))
        if source
        else None,
    }


def import_and_compare(paths, root) -> None:
    call_command("import_seeds", str(root), workers=1, no_progress=True, verbosity=0)
    paths = [path for path in paths if not is_empty_post(path)]  # skipped: nothing to import
    expectations = [expected(path) for path in paths]
    articles = {
        (article.title, article.published_at): article
        for article in Article.objects.select_related("category", "editor").prefetch_related(
            "bylines__author", "tags"
        )
    }
    assert len(articles) == len(paths) == Article.objects.count()
    assert {e["category"] for e in expectations} == set(
        Category.objects.filter(children__isnull=True).values_list("name_path", flat=True)
    )
    for wanted in expectations:
        article = articles[(wanted["title"], wanted["published_at"])]
        label = wanted["title"]
        if wanted["published_at"] is None:  # an unusable date: a draft, never an invented time
            assert article.status == Article.Status.DRAFT, label
        else:
            assert article.status == Article.Status.PUBLISHED, label
        assert article.category.name_path == wanted["category"], label
        assert {tag.name: tag.slug for tag in article.tags.all()} == wanted["tags"], label
        assert {tag.name: tag.source_slug for tag in article.tags.all()} == wanted["tags"], label
        assert (article.editor.name if article.editor else None) == wanted["editor"], label
        if wanted["source"]:
            assert (article.source_name, article.source_url) == wanted["source"], label
        outlets = [b.author.name for b in article.bylines.all() if b.author.kind == Author.Kind.ORGANISATION]
        assert outlets == [wanted["outlet"]], label
    tag_names = Counter(name for e in expectations for name in e["tags"])
    assert set(Tag.objects.values_list("name", flat=True)) >= set(tag_names)
    editors = {e["editor"] for e in expectations if e["editor"]}
    assert editors <= set(Author.objects.filter(kind=Author.Kind.PERSON).values_list("name", flat=True))


def test_the_whole_corpus_imports_as_the_files_say(corpus_dir, corpus_paths):
    import_and_compare(corpus_paths, corpus_dir)


def test_the_corpus_category_tree_has_three_levels_and_no_glitches(corpus_dir):
    call_command("import_seeds", str(corpus_dir), workers=1, no_progress=True, verbosity=0)
    tops = {
        path.relative_to(corpus_dir).parts[0]
        for path in corpus_dir.rglob("*.md")
        if path.parent != corpus_dir
    }
    assert set(Category.objects.filter(depth=0).values_list("name", flat=True)) == tops
    assert not Category.objects.filter(depth__gt=2).exists()
    assert not Category.objects.filter(name__startswith="—").exists()
    assert not Category.objects.filter(name__startswith="[").exists()
    assert Category.objects.get(name_path="二次元 / AcFun / 番剧").articles.count() == 6


def test_our_seeds_import_as_the_files_say():
    paths = [path for path in document_paths(SEEDS_DIR) if "date: " in path.read_text(encoding="utf-8")]
    rfc2822 = [path for path in paths if re.search(r"^date: \w{3}, ", path.read_text(encoding="utf-8"), re.M)]
    call_command("import_seeds", str(SEEDS_DIR), workers=1, no_progress=True, verbosity=0)
    for path in rfc2822:
        wanted = expected(path)
        if not wanted["title"].strip():  # untitled: titled from its body (tests/importing/test_normalise.py)
            continue
        article = Article.objects.get(title=wanted["title"], published_at=wanted["published_at"])
        assert article.category.name_path == wanted["category"]
        assert {tag.name: tag.source_slug for tag in article.tags.all() if tag.source_slug} == wanted["tags"]
        assert (article.editor.name if article.editor else None) == wanted["editor"]
