"""upsert(): one document into the database, in one transaction, found again by its import key."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from articles.importing import upsert as upsert_module
from articles.importing.normalise import normalise
from articles.importing.parse import parse
from articles.importing.pipeline import Importer, find_documents
from articles.importing.read import content_hash, decode
from articles.importing.upsert import Lookups, Outcome, upsert
from articles.models import Article, Author, Byline, Category, Tag, TaggedArticle
from tests.documents import SEEDS_DIR

pytestmark = pytest.mark.django_db

SEEDS = {
    "K1": "新媒体/快科技（原驱动之家）/最新新闻/国产半固态电池完成零下30℃冷启动测试 续航衰减不到15%.md",
    "K2": '新媒体/快科技（原驱动之家）/最新新闻/"一觉睡到自然醒"真的更健康吗？医生给出答案.md',
    "K3": "新媒体/快科技（原驱动之家）/最新新闻/高校食堂上线刷脸称重自助餐 学生：排队时间少了一半.md",
    "K7": "新媒体/快科技（原驱动之家）/最新新闻/续航提升15倍 翼田科技发布氢燃料电池植保无人机.md",
    "C1": "新媒体/cnBeta/最新/国产半固态电池完成零下30℃冷启动测试 续航衰减不到15%.md",
    "C6": "新媒体/cnBeta/最新/城市低空物流航线试运行一个月 日均配送超过300单.md",
    "P1": "新媒体/人人都是产品经理/最新文章/B端产品的权限设计：从一张表格到一套模型.md",
    "I1": "新媒体/199IT/首页更新/2023年上半年全球折叠屏手机出货量同比增长六成.md",
    "A1": "二次元/AcFun/番剧/第1话 - 灯塔下的约定.md",
    "A2": "二次元/AcFun/番剧/第2话 - 潮汐与旧信.md",
    "N3": "二次元/Animen 动漫平台/news/《劇場版 空色シグナル》確定2024年夏季上映，全新主視覺圖公開！.md",
}
SAVEPOINT_STATEMENT = re.compile(r"^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) ")
C1_SUMMARY = (
    "近日，电池企业澜川新能公布了第二代半固态电池包的低温实测结果。"
    "在漠河进行的12天测试中，这套电池包在零下30℃停放一夜后仍可冷启动，低温续航衰减不到15%。"
)


def seed_text(identifier: str) -> str:
    return (SEEDS_DIR / SEEDS[identifier]).read_text(encoding="utf-8")


def store(text: str, *, name: str = "document.md", lookups: Lookups | None = None, force: bool = False):
    """Normalise ``text`` and upsert it as the importer does; return the UpsertResult."""
    data = text.encode("utf-8")
    post = normalise(parse(decode(data)))
    return upsert(post, content_hash=content_hash(data), source_path=name, force=force, lookups=lookups)


def store_seed(identifier: str, **options):
    return store(seed_text(identifier), name=SEEDS[identifier], **options)


def changed(text: str) -> str:
    """Return ``text`` with a story sentence changed (same title, date and feed: same key)."""
    return text.replace("</div>", "<p>更正：本文已更新。</p>\n</div>", 1)


def write_seed(folder, identifier: str, text: str | None = None):
    path = folder / SEEDS[identifier]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(seed_text(identifier) if text is None else text, encoding="utf-8")
    return path


def run(folder, **options) -> list:
    """Import every document under ``folder`` with a fresh Importer; return the reports."""
    return list(Importer(**options).run(find_documents([folder])))


# -- create, unchanged, update ----------------------------------------------------------------------


def test_new_document_is_created_with_its_fields():
    result = store_seed("K1")
    assert result.outcome is Outcome.CREATED
    article = Article.objects.get(pk=result.article_id)
    assert article.title == "国产半固态电池完成零下30℃冷启动测试 续航衰减不到15%"
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == dt.datetime(2023, 3, 14, 2, 36, 10, tzinfo=dt.UTC)
    assert article.category.name_path == "新媒体 / 快科技（原驱动之家） / 最新新闻"
    assert article.import_source_path == SEEDS["K1"]
    assert article.import_version == article.version
    assert not article.edited_since_import
    assert article.allow_comments is False


def test_same_document_again_is_unchanged_and_writes_nothing():
    first = store_seed("K1")
    version = Article.objects.get(pk=first.article_id).version
    second = store_seed("K1")
    assert (second.outcome, second.article_id) == (Outcome.UNCHANGED, first.article_id)
    assert Article.objects.get().version == version


def test_changed_document_updates_its_article():
    first = store_seed("K1")
    result = store(changed(seed_text("K1")), name=SEEDS["K1"])
    assert (result.outcome, result.article_id) == (Outcome.UPDATED, first.article_id)
    article = Article.objects.get()
    assert "更正：本文已更新。" in article.body
    assert not article.edited_since_import


def test_update_replaces_tags_and_bylines():
    store_seed("K1")
    text = seed_text("K1").replace("comments: false\n", "comments: false\ntags: 新增标签\n", 1)
    text = text.replace("author: 快科技（原驱动之家）", "author: 驱动之家", 1)
    assert store(text).outcome is Outcome.UPDATED
    article = Article.objects.get()
    assert [tag.name for tag in article.tags.order_by("tagged_articles__id")][0] == "新增标签"
    assert article.tags.count() == 4
    assert [byline.author.name for byline in article.bylines.all()] == ["驱动之家"]


def test_front_matter_import_key_keeps_the_article_when_the_title_changes():
    text = "\n---\ntitle: '初稿标题'\ndate: 2023-01-01 10:00:00\nnewsroom:\n  import_key: story-42\n---\n\n<div><p>正文。</p></div>\n"
    first = store(text)
    result = store(text.replace("初稿标题", "终稿标题"))
    assert (result.outcome, result.article_id) == (Outcome.UPDATED, first.article_id)
    article = Article.objects.get()
    assert (article.title, article.import_key) == ("终稿标题", "story-42")


# -- editor changes -----------------------------------------------------------------------------------


def test_reimport_keeps_editor_changes():
    first = store_seed("K1")
    article = Article.objects.get(pk=first.article_id)
    article.title = "编辑改过的标题"
    article.save()
    assert article.edited_since_import

    result = store(changed(seed_text("K1")))
    assert (result.outcome, result.article_id) == (Outcome.KEPT_EDITOR_CHANGES, first.article_id)
    assert str(result.outcome) == "conflict"
    assert "--force" in result.reason
    article.refresh_from_db()
    assert article.title == "编辑改过的标题"
    assert "更正：本文已更新。" not in article.body


def test_unchanged_document_leaves_editor_changes_alone():
    first = store_seed("K1")
    article = Article.objects.get(pk=first.article_id)
    article.title = "编辑改过的标题"
    article.save()
    assert store_seed("K1").outcome is Outcome.UNCHANGED
    assert Article.objects.get().title == "编辑改过的标题"


def test_force_overwrites_editor_changes_and_later_updates_go_through():
    store_seed("K1")
    article = Article.objects.get()
    article.title = "编辑改过的标题"
    article.save()

    result = store(changed(seed_text("K1")), force=True)
    assert result.outcome is Outcome.UPDATED
    article.refresh_from_db()
    assert article.title == "国产半固态电池完成零下30℃冷启动测试 续航衰减不到15%"
    assert not article.edited_since_import
    again = store(changed(changed(seed_text("K1"))))
    assert again.outcome is Outcome.UPDATED


# -- duplicates and failures within one run ----------------------------------------------------------


def test_two_files_with_the_same_key_in_one_run_import_once(tmp_path):
    write_seed(tmp_path / "a", "K1")
    copy = tmp_path / "b" / "另一个文件名.md"
    copy.parent.mkdir()
    shutil.copyfile(tmp_path / "a" / SEEDS["K1"], copy)

    reports = run(tmp_path)
    assert [report.outcome for report in reports] == [Outcome.CREATED, Outcome.DUPLICATE]
    assert f"a/{SEEDS['K1']}" in reports[1].reason
    assert reports[1].import_key == reports[0].import_key
    assert Article.objects.count() == 1


def test_failure_after_the_article_insert_leaves_nothing_half_written(tmp_path, monkeypatch):
    write_seed(tmp_path / "first", "K1")
    write_seed(tmp_path / "second", "K3")
    real_set_tags = upsert_module._set_tags

    def fail_once(article, *args, **kwargs):
        assert Article.objects.filter(pk=article.pk).exists()  # the insert happened
        monkeypatch.setattr(upsert_module, "_set_tags", real_set_tags)
        raise DatabaseError("disk full")

    monkeypatch.setattr(upsert_module, "_set_tags", fail_once)
    importer = Importer()
    failed, created = importer.run(
        [(tmp_path / "first" / SEEDS["K1"], "first"), (tmp_path / "second" / SEEDS["K3"], "second")]
    )

    assert (failed.outcome, created.outcome) == (Outcome.FAILED, Outcome.CREATED)
    assert "disk full" in failed.reason
    article = Article.objects.get()
    assert article.title.startswith("高校食堂")
    # The same category path was created again by the second document, not taken from a stale cache.
    assert Category.objects.filter(pk=article.category_id).exists()
    assert Category.objects.count() == 3
    assert article.category.name_path == "新媒体 / 快科技（原驱动之家） / 最新新闻"
    assert not Author.objects.filter(name="若溪").exists()
    assert not Tag.objects.filter(name="固态电池").exists()
    assert Byline.objects.count() == 1
    assert set(importer.lookups.authors) == {("person", "子墨"), ("organisation", "快科技（原驱动之家）")}


def test_failed_document_leaves_no_rows_when_alone(monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("boom")

    monkeypatch.setattr(upsert_module, "_set_tags", fail)
    lookups = Lookups()
    with pytest.raises(DatabaseError):
        store_seed("K1", lookups=lookups)
    assert not Article.objects.exists()
    assert not Category.objects.exists()
    assert not Author.objects.exists()
    assert (lookups.categories, lookups.authors, lookups.tags) == ({}, {}, {})


# -- identity and slugs -----------------------------------------------------------------------------


def test_same_title_in_two_feeds_gives_two_articles_with_distinct_slugs():
    original, reprint = store_seed("K1"), store_seed("C1")
    assert original.outcome is reprint.outcome is Outcome.CREATED
    first, second = Article.objects.get(pk=original.article_id), Article.objects.get(pk=reprint.article_id)
    assert first.title == second.title
    assert first.slug and second.slug and first.slug != second.slug
    assert first.category != second.category


def test_glitched_categories_land_in_the_same_category_as_their_siblings():
    clean, dashed = store_seed("A1"), store_seed("A2")
    first, second = Article.objects.get(pk=clean.article_id), Article.objects.get(pk=dashed.article_id)
    assert first.category_id == second.category_id
    assert second.front_matter["categories"] == ["二次元", "AcFun", "— 番剧"]
    assert any("stray dash" in note for note in second.import_notes)
    assert Category.objects.filter(name__contains="—").count() == 0


def test_nested_list_category_keeps_the_raw_value_and_a_note():
    article = Article.objects.get(pk=store_seed("N3").article_id)
    assert article.category.name == "news"
    assert article.front_matter["categories"] == ["二次元", "Animen 动漫平台", ["news"]]
    assert article.import_notes


# -- fields from furniture and front matter ---------------------------------------------------------


def test_topic_tags_keep_their_source_slugs():
    article = Article.objects.get(pk=store_seed("K7").article_id)
    tags = {tag.name: (tag.slug, tag.source_slug) for tag in article.tags.all()}
    assert tags == {
        "无人机": ("wurenji", "wurenji"),
        "eVTOL": ("evtol", "evtol"),
        "Wi-Fi 7": ("wi-fi_7", "wi-fi_7"),
        "氢燃料电池": ("qingranliaodianchi", "qingranliaodianchi"),
    }


def test_tag_slug_taken_by_another_tag_gets_a_number_and_keeps_the_source_slug():
    Tag.objects.create(name="别的标签", slug="wurenji")
    article = Article.objects.get(pk=store_seed("K7").article_id)
    tag = article.tags.get(name="无人机")
    assert (tag.slug, tag.source_slug) == ("wurenji-2", "wurenji")


def test_existing_tag_is_reused_across_documents():
    store_seed("K7")
    store_seed("C6")  # front-matter tag 无人机
    assert Tag.objects.filter(name="无人机").count() == 1
    assert TaggedArticle.objects.filter(tag__name="无人机").count() == 2


def tagged(title: str, tag: str) -> str:
    return (
        f"\n---\ntitle: '{title}'\ndate: 2023-01-01 10:00:00\ntags: {tag}\n---\n\n<div><p>正文。</p></div>\n"
    )


def test_tags_differing_only_in_case_are_one_tag_within_a_run():
    lookups = Lookups()
    store(tagged("第一篇", "eVTOL"), lookups=lookups)
    store(tagged("第二篇", "EVTOL"), lookups=lookups)
    assert Tag.objects.count() == 1


def test_tags_differing_only_in_case_are_one_tag_across_runs():
    store(tagged("第一篇", "eVTOL"), lookups=Lookups())
    store(tagged("第二篇", "EVTOL"), lookups=Lookups())
    assert Tag.objects.count() == 1


def test_cnbeta_lead_line_is_the_summary():
    assert Article.objects.get(pk=store_seed("C1").article_id).summary == C1_SUMMARY


def test_editor_and_source_link_of_a_kkj_story():
    article = Article.objects.get(pk=store_seed("K2").article_id)
    assert (article.editor.name, article.editor.kind) == ("晚舟", Author.Kind.PERSON)
    assert article.source_name == "健康晨读"
    assert article.source_url == "https://mp.weixin.qq.com/s/Qm7tK2vXeR9pLw3ZsYb1nA"
    assert [(b.author.name, b.author.kind) for b in article.bylines.all()] == [
        ("快科技（原驱动之家）", Author.Kind.ORGANISATION)
    ]


def test_credit_lines_give_writer_first_then_outlet():
    article = Article.objects.get(pk=store_seed("P1").article_id)
    assert [(b.author.name, b.author.kind, b.position) for b in article.bylines.all()] == [
        ("林一舟", Author.Kind.PERSON, 0),
        ("人人都是产品经理", Author.Kind.ORGANISATION, 1),
    ]
    assert "作者：林一舟；公众号：后台产品札记" in article.credits
    assert article.rights_notice.startswith("本文由 @林一舟 原创发布于人人都是产品经理")
    assert article.lead_image_credit == "Unsplash，基于 CC0 协议"
    assert article.editor is None


def test_placeholder_headimg_is_kept_in_the_front_matter_only():
    article = Article.objects.get(pk=store_seed("I1").article_id)
    assert article.lead_image_url == ""
    assert article.front_matter["headimg"] == "https://picsum.photos/400/300?random=4417"
    assert any("placeholder" in note for note in article.import_notes)


def test_document_without_date_is_a_draft_with_a_note():
    result = store("\n---\ntitle: '没有日期的稿件'\n---\n\n<div><p>正文。</p></div>\n")
    article = Article.objects.get(pk=result.article_id)
    assert (article.status, article.published_at) == (Article.Status.DRAFT, None)
    assert any("no date" in note for note in article.import_notes)


def test_unknown_front_matter_keys_are_stored():
    article = Article.objects.get(pk=store_seed("C6").article_id)
    assert article.front_matter == {"keywords": "低空经济,无人机配送,城市物流", "date": "2023-06-18 14:30:00"}


# -- limits the database sets -----------------------------------------------------------------------


def test_title_longer_than_the_field_fails_naming_the_title(tmp_path):
    (tmp_path / "long.md").write_text(
        f"\n---\ntitle: '{'长' * 400}'\ndate: 2023-01-01\n---\n<p>x</p>\n", encoding="utf-8"
    )
    (report,) = run(tmp_path)
    assert report.outcome is Outcome.FAILED
    assert "title" in report.reason


def test_nul_character_from_a_yaml_escape_fails_naming_the_title(tmp_path):
    (tmp_path / "nul.md").write_text(
        '\n---\ntitle: "标题\\0尾巴"\ndate: 2023-01-01\n---\n<p>x</p>\n', encoding="utf-8"
    )
    (report,) = run(tmp_path)
    assert report.outcome is Outcome.FAILED
    assert "title" in report.reason


# -- cost --------------------------------------------------------------------------------------------


def new_document_after_warm_up():
    """Return (post, hash, lookups) for K3 after K1 made the feed's categories and outlet."""
    lookups = Lookups()
    store_seed("K1", lookups=lookups)
    text = seed_text("K3").encode("utf-8")
    return normalise(parse(decode(text))), content_hash(text), lookups


def test_a_new_document_costs_at_most_fifteen_queries_besides_savepoints():
    post, digest, lookups = new_document_after_warm_up()
    with CaptureQueriesContext(connection) as queries:
        result = upsert(post, content_hash=digest, source_path="K3", lookups=lookups)
    assert result.outcome is Outcome.CREATED
    statements = [query["sql"] for query in queries.captured_queries]
    assert len([sql for sql in statements if not SAVEPOINT_STATEMENT.match(sql)]) <= 15, statements


def test_a_new_document_costs_at_most_sixteen_queries(django_assert_max_num_queries):
    # Fifteen, and the page cache's purge-log row for the whole document (articles/cache/invalidation.py).
    post, digest, lookups = new_document_after_warm_up()
    with django_assert_max_num_queries(16):
        result = upsert(post, content_hash=digest, source_path="K3", lookups=lookups)
    assert result.outcome is Outcome.CREATED


def test_an_unchanged_document_costs_at_most_three_queries(django_assert_max_num_queries):
    lookups = Lookups()
    store_seed("K1", lookups=lookups)
    text = seed_text("K1").encode("utf-8")
    post = normalise(parse(decode(text)))
    with django_assert_max_num_queries(3):
        result = upsert(post, content_hash=content_hash(text), source_path="K1", lookups=lookups)
    assert result.outcome is Outcome.UNCHANGED


def test_revision_time_is_the_source_update_or_the_publication():
    text = seed_text("K1")
    published = Article.objects.get(pk=store(text).article_id)
    assert published.revised_at == published.published_at
    updated = text.replace("\ndate:", "\nupdated: 2024-01-02 08:00:00\ndate:", 1)
    revised = Article.objects.get(pk=store(updated, force=True).article_id)
    assert revised.revised_at == dt.datetime(2024, 1, 2, tzinfo=dt.UTC)


def import_key_lookups(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.startswith("SELECT") and '"import_key" =' in sql]


def test_a_document_known_to_be_new_is_inserted_without_looking_for_its_article():
    post, digest, lookups = new_document_after_warm_up()
    with CaptureQueriesContext(connection) as queries:
        result = upsert(post, content_hash=digest, source_path="K3", lookups=lookups, may_exist=False)
    assert result.outcome is Outcome.CREATED
    assert import_key_lookups([query["sql"] for query in queries.captured_queries]) == []
    assert Article.objects.get(import_key=post.import_key).title == post.title


def test_a_document_said_to_be_new_whose_article_exists_is_found_on_the_retry():
    # What happens when another import creates the article between the run's start and this document.
    first = store_seed("K1")
    text = seed_text("K1").encode("utf-8")
    post = normalise(parse(decode(text)))
    result = upsert(post, content_hash=content_hash(text), source_path="K1", may_exist=False)
    assert (result.outcome, result.article_id) == (Outcome.UNCHANGED, first.article_id)
    assert Article.objects.filter(import_key=post.import_key).count() == 1


def test_the_importer_looks_only_for_articles_it_imported_before(tmp_path):
    write_seed(tmp_path, "K1")
    run(tmp_path)
    write_seed(tmp_path, "K1", changed(seed_text("K1")))
    write_seed(tmp_path, "K3")
    with CaptureQueriesContext(connection) as queries:
        reports = run(tmp_path, workers=1)
    assert sorted(report.outcome for report in reports) == [Outcome.CREATED, Outcome.UPDATED]
    # One lookup: K1's article, known from an earlier run; K3 is inserted without one.
    assert len(import_key_lookups([query["sql"] for query in queries.captured_queries])) == 1


def test_the_writer_takes_the_text_facts_the_worker_made(monkeypatch):
    from articles import text_facts

    post, digest, lookups = new_document_after_warm_up()
    derived = upsert_module.derive(post)
    made = []
    monkeypatch.setattr(text_facts.TextFacts, "of", lambda *args: made.append(args))
    result = upsert(post, content_hash=digest, source_path="K3", lookups=lookups, derived=derived)
    assert made == []
    article = Article.objects.get(pk=result.article_id)
    assert (article.body_language, article.reading_minutes) == (
        derived.text.body_language,
        derived.text.reading_minutes,
    )
    assert list(Article.objects.search("刷脸称重").values_list("pk", flat=True)) == [article.pk]


@pytest.mark.django_db(transaction=True)
def test_only_the_importers_own_transactions_commit_without_waiting_for_the_disk():
    post, digest, lookups = new_document_after_warm_up()
    with CaptureQueriesContext(connection) as queries:
        upsert(post, content_hash=digest, source_path="K3", lookups=lookups)
    relaxed = [query["sql"] for query in queries.captured_queries if "synchronous_commit" in query["sql"]]
    assert relaxed == (["SET LOCAL synchronous_commit TO OFF"] if connection.vendor == "postgresql" else [])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)  # SET LOCAL ended with the transaction
    # Inside a caller's transaction the caller's commit is left as it is.
    text = changed(seed_text("K3")).encode("utf-8")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        upsert(normalise(parse(decode(text))), content_hash=content_hash(text), source_path="K3")
    assert not [query for query in queries.captured_queries if "synchronous_commit" in query["sql"]]
