"""export_seeds: articles written back as seed documents re-import field for field."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from articles.importing.export import export_article, export_path, export_queryset
from articles.importing.parse import parse
from articles.models import Article, Author, Byline, Category
from tests import factories
from tests.documents import SEEDS_DIR, document_paths, is_empty_post
from tests.factories import wipe_content

pytestmark = pytest.mark.django_db


def import_folder(folder) -> str:
    stdout = StringIO()
    call_command(
        "import_seeds", str(folder), "--workers", "1", "--no-progress", stdout=stdout, stderr=StringIO()
    )
    return stdout.getvalue()


def export_folder(folder) -> str:
    stdout = StringIO()
    call_command("export_seeds", str(folder), stdout=stdout)
    return stdout.getvalue()


def fields(article: Article) -> dict:
    """Return everything an export must carry over, without database ids."""
    return {
        "title": article.title,
        "slug": article.slug,
        "subtitle": article.subtitle,
        "summary": article.summary,
        "body": article.body,
        "status": article.status,
        "published_at": article.published_at,
        "category": [category.name for category in article.category.ancestors(include_self=True)]
        if article.category
        else [],
        "editor": (article.editor.name, article.editor.kind) if article.editor else None,
        "bylines": [
            (byline.author.name, byline.author.kind, byline.position)
            for byline in article.bylines.select_related("author").order_by("position")
        ],
        "tags": sorted((tag.name, tag.slug, tag.source_slug) for tag in article.tags.all()),
        "source_name": article.source_name,
        "source_url": article.source_url,
        "credits": article.credits,
        "rights_notice": article.rights_notice,
        "lead_image_url": article.lead_image_url,
        "thumbnail_url": article.thumbnail_url,
        "lead_image_caption": article.lead_image_caption,
        "lead_image_credit": article.lead_image_credit,
        "allow_comments": article.allow_comments,
        "is_featured": article.is_featured,
        "front_matter": article.front_matter,
        "import_notes": article.import_notes,
        "import_key": article.import_key,
    }


def every_article() -> dict[str, dict]:
    return {article.import_key: fields(article) for article in Article.objects.all()}


def round_trip(source, tmp_path) -> tuple[dict, dict]:
    """Import ``source``, export, wipe, import the export; return (before, after) by import key."""
    import_folder(source)
    before = every_article()
    export_folder(tmp_path / "export")
    wipe_content()
    assert not Article.objects.exists() and not Category.objects.exists()
    assert "0 failed" in import_folder(tmp_path / "export")
    return before, every_article()


def differences(before: dict, after: dict, ignore: tuple[str, ...] = ()) -> list[str]:
    """Return "title: field" for every field that differs after the round trip."""
    found = [f"missing {before[key]['title']}" for key in set(before) - set(after)]
    found += [f"extra {after[key]['title']}" for key in set(after) - set(before)]
    for key in set(before) & set(after):
        for name, value in before[key].items():
            if name not in ignore and after[key][name] != value:
                found.append(
                    f"{value if name == 'title' else before[key]['title']}: {name}: {value!r} → {after[key][name]!r}"
                )
    return sorted(found)


def without_tag_slugs(articles: dict) -> dict:
    return {
        key: article | {"tags": [(name, source_slug) for name, _, source_slug in article["tags"]]}
        for key, article in articles.items()
    }


def test_seeds_round_trip_field_for_field(tmp_path):
    before, after = round_trip(SEEDS_DIR, tmp_path)
    assert len(before) == len(document_paths(SEEDS_DIR))
    assert differences(without_tag_slugs(before), without_tag_slugs(after)) == []


def test_tag_slugs_survive_a_round_trip(tmp_path):
    before, after = round_trip(SEEDS_DIR, tmp_path)
    assert differences(before, after) == []


def test_corpus_round_trips_field_for_field(corpus_dir, corpus_paths, tmp_path):
    before, after = round_trip(corpus_dir, tmp_path)
    assert len(before) == len([path for path in corpus_paths if not is_empty_post(path)])
    assert differences(without_tag_slugs(before), without_tag_slugs(after)) == []


def test_exported_files_parse_as_seed_documents(tmp_path):
    import_folder(SEEDS_DIR)
    assert f"Exported {Article.objects.count()} articles" in export_folder(tmp_path)
    files = document_paths(tmp_path)
    assert len(files) == Article.objects.count()
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("\n---\n"), path
        front_text = text.split("\n---\n", 2)[1]
        front = yaml.safe_load(front_text)
        assert isinstance(front, dict)
        article = Article.objects.get(slug=path.stem)
        assert front["title"] == article.title
        assert front["newsroom"]["import_key"] == article.import_key
        assert parse(text).front_matter == front


def test_export_path_is_the_category_folders_and_the_slug():
    import_folder(SEEDS_DIR)
    article = Article.objects.get(title="第2话 - 潮汐与旧信")
    assert str(export_path(article)) == f"二次元/AcFun/番剧/{article.slug}.md"


def test_export_keeps_the_raw_glitched_categories():
    import_folder(SEEDS_DIR)
    article = export_queryset().get(title="第2话 - 潮汐与旧信")
    front = parse(export_article(article)).front_matter
    assert front["categories"] == ["二次元", "AcFun", "— 番剧"]


def test_export_writes_the_date_as_the_document_had_it():
    import_folder(SEEDS_DIR)
    article = export_queryset().get(title__startswith="城市低空物流")
    assert parse(export_article(article)).front_matter["date"] == "2023-06-18 14:30:00"


def test_export_writes_a_changed_time_with_its_offset():
    import_folder(SEEDS_DIR)
    article = export_queryset().get(title__startswith="城市低空物流")
    article.published_at = dt.datetime(2023, 6, 19, 1, 0, tzinfo=dt.UTC)
    assert parse(export_article(article)).front_matter["date"] == "2023-06-19T09:00:00+08:00"


def hand_made_article() -> Article:
    category = factories.category_path("本站", "专题")
    article = factories.article(
        "编辑部手写的稿件：'引号'与\"双引号\"",
        subtitle="副标题",
        summary="编辑写的摘要。",
        body='<p>第一段。</p>\n<p>第二段，<a href="https://example.com/">链接</a>。</p>',
        category=category,
        editor=factories.author("值班编辑"),
        source_name="本站原创",
        source_url="https://example.com/original",
        credits="作者：张三",
        rights_notice="版权所有",
        lead_image_url="https://example.com/lead.jpg",
        thumbnail_url="https://example.com/thumb.jpg",
        lead_image_caption="图说",
        lead_image_credit="摄影：李四",
        allow_comments=True,
        is_featured=True,
        published_at=dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC),
    )
    Byline.objects.create(article=article, author=factories.author("张三"), position=0)
    Byline.objects.create(
        article=article, author=factories.author("本站", Author.Kind.ORGANISATION), position=1
    )
    article.tags.add("专题", "2024")
    return article


def test_hand_made_article_re_imports_equal(tmp_path):
    article = hand_made_article()
    before = fields(Article.objects.get(pk=article.pk))
    assert before["import_key"] is None
    export_folder(tmp_path)
    wipe_content()
    import_folder(tmp_path)
    after = fields(Article.objects.get())
    assert after.pop("import_key") == f"newsroom-{article.pk}"
    before.pop("import_key")
    assert after == before


def test_hand_made_article_without_summary_re_imports_without_one(tmp_path):
    factories.article("没有摘要的稿件", body="<p>正文第一段。</p>", summary="")
    export_folder(tmp_path)
    wipe_content()
    import_folder(tmp_path)
    assert Article.objects.get().summary == ""


def test_hand_made_draft_without_a_date_re_imports_as_a_draft(tmp_path):
    factories.article("草稿", published=False, body="<p>未完成。</p>", summary="草稿摘要")
    export_folder(tmp_path)
    wipe_content()
    import_folder(tmp_path)
    article = Article.objects.get()
    assert (article.status, article.published_at, article.import_notes) == (Article.Status.DRAFT, None, [])


def exported_documents(folder) -> dict:
    """Return {relative path: (front matter, body)}, tags in name order.

    Tags are compared as a set: taggit's manager drops Tag.Meta.ordering, so the order the
    exporter writes them in is whatever the database returns (it differs on PostgreSQL).
    """
    documents = {}
    for path in document_paths(folder):
        post = parse(path.read_text(encoding="utf-8"))
        front = dict(post.front_matter)
        if "tags" in front:
            front["tags"] = sorted(front["tags"])
        documents[path.relative_to(folder)] = (front, post.body)
    return documents


def test_export_of_a_re_import_is_the_same(tmp_path):
    import_folder(SEEDS_DIR)
    export_folder(tmp_path / "first")
    wipe_content()
    import_folder(tmp_path / "first")
    export_folder(tmp_path / "second")
    first, second = exported_documents(tmp_path / "first"), exported_documents(tmp_path / "second")
    assert len(first) == Article.objects.count()
    assert first == second
