"""manage.py import_seeds: the tally, the exit status, the report, dry runs and workers."""

from __future__ import annotations

import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.importing import pipeline
from articles.models import Article, Author, Category, Tag
from tests.documents import SEEDS_DIR, document_paths, story_variants
from tests.factories import wipe_content

SEED_COUNT = len(document_paths(SEEDS_DIR))
# seeds/MANIFEST.md has no front matter: every import of the folder reports it as skipped.
SEED_FILES = len(list(SEEDS_DIR.rglob("*.md")))
SEED_SKIPPED = SEED_FILES - SEED_COUNT
K1 = "新媒体/快科技（原驱动之家）/最新新闻/国产半固态电池完成零下30℃冷启动测试 续航衰减不到15%.md"
A2 = "二次元/AcFun/番剧/第2话 - 潮汐与旧信.md"
C6 = "新媒体/cnBeta/最新/城市低空物流航线试运行一个月 日均配送超过300单.md"
P1 = "新媒体/人人都是产品经理/最新文章/B端产品的权限设计：从一张表格到一套模型.md"
# A document whose title is a list: refused, naming the field.
NO_TITLE = "\n---\ntitle: [甲, 乙]\ncategories:\n - 新媒体\ndate: Sat, 15 Jan 2022 20:08:45 GMT\n---\n\n<div><p>标题是个列表。</p></div>\n"
NO_TITLE_REASON = "title: must be text, not list ['甲', '乙']"


def import_seeds(*arguments, workers: int = 1) -> tuple[str, str]:
    """Run the command; return (stdout, stderr)."""
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "import_seeds", *map(str, arguments), "--workers", str(workers), stdout=stdout, stderr=stderr
    )
    return stdout.getvalue(), stderr.getvalue()


def import_failing(*arguments) -> tuple[str, str]:
    """Run the command expecting exit status 1; return (stdout, stderr)."""
    stdout, stderr = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("import_seeds", *map(str, arguments), "--workers", "1", stdout=stdout, stderr=stderr)
    assert exit_status.value.code == 1
    return stdout.getvalue(), stderr.getvalue()


def tally(created=0, updated=0, unchanged=0, conflicts=0, duplicates=0, failed=0, skipped=0) -> str:
    return (
        f"{created} created, {updated} updated, {unchanged} unchanged, "
        f"{conflicts} conflicts, {duplicates} duplicates, {skipped} skipped, {failed} failed"
    )


def copy_seeds(folder, *relative_paths):
    for relative in relative_paths:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SEEDS_DIR / relative, target)
    return folder


# -- the tally ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_import_of_the_seeds_creates_every_document():
    stdout, _ = import_seeds(SEEDS_DIR)
    assert tally(created=SEED_COUNT, skipped=SEED_SKIPPED) in stdout.splitlines()[-1]
    assert f"({SEED_FILES} documents in " in stdout
    assert Article.objects.count() == SEED_COUNT


@pytest.mark.django_db
def test_second_import_of_the_same_files_changes_nothing():
    import_seeds(SEEDS_DIR)
    versions = dict(Article.objects.values_list("pk", "version"))
    stdout, _ = import_seeds(SEEDS_DIR)
    assert tally(unchanged=SEED_COUNT, skipped=SEED_SKIPPED) in stdout.splitlines()[-1]
    assert dict(Article.objects.values_list("pk", "version")) == versions


@pytest.mark.django_db
def test_warnings_are_printed_with_the_file_name():
    stdout, _ = import_seeds(SEEDS_DIR)
    assert f"warning {A2}: category item '— 番剧' has a stray dash; read as '番剧'" in stdout


@pytest.mark.django_db
def test_verbosity_two_prints_one_line_per_document():
    stdout, _ = import_seeds(SEEDS_DIR, "--verbosity", "2")
    assert f"created: {K1}" in stdout.splitlines()
    assert len([line for line in stdout.splitlines() if line.startswith("created: ")]) == SEED_COUNT


@pytest.mark.django_db
def test_conflict_is_reported_and_force_overwrites(tmp_path):
    copy_seeds(tmp_path, K1)
    import_seeds(tmp_path)
    article = Article.objects.get()
    article.title = "编辑改过的标题"
    article.save()
    path = tmp_path / K1
    path.write_text(
        path.read_text(encoding="utf-8").replace("</div>", "<p>补充。</p></div>", 1), encoding="utf-8"
    )

    stdout, _ = import_seeds(tmp_path)
    assert tally(conflicts=1) in stdout
    assert f"CONFLICT {K1}: the article was changed in the admin" in stdout
    assert Article.objects.get().title == "编辑改过的标题"

    stdout, _ = import_seeds(tmp_path, "--force")
    assert tally(updated=1) in stdout
    assert Article.objects.get().title != "编辑改过的标题"


@pytest.mark.django_db
def test_force_overwrites_admin_edits_even_when_the_file_is_unchanged(tmp_path):
    copy_seeds(tmp_path, K1)
    import_seeds(tmp_path)
    article = Article.objects.get()
    original_title = article.title
    article.title = "编辑改过的标题"
    article.save()

    stdout, _ = import_seeds(tmp_path, "--force")
    assert tally(updated=1) in stdout
    assert Article.objects.get().title == original_title


@pytest.mark.django_db
def test_duplicate_is_reported_naming_the_first_file(tmp_path):
    copy_seeds(tmp_path / "a", K1)
    copy_seeds(tmp_path / "b", K1)
    stdout, _ = import_seeds(tmp_path)
    assert tally(created=1, duplicates=1) in stdout
    assert f"DUPLICATE b/{K1}: same feed, title and date as a/{K1}" in stdout


@pytest.mark.django_db
def test_same_relative_path_under_two_folder_arguments_is_a_duplicate(tmp_path):
    copy_seeds(tmp_path / "a", K1)
    copy_seeds(tmp_path / "b", K1)
    stdout, _ = import_seeds(tmp_path / "a", tmp_path / "b")
    assert tally(created=1, duplicates=1) in stdout


# -- bad documents ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bad_file_among_good_ones_exits_one_and_the_good_ones_import(tmp_path):
    copy_seeds(tmp_path, K1, A2, C6)
    (tmp_path / "坏文件.md").write_text(NO_TITLE, encoding="utf-8")
    stdout, stderr = import_failing(tmp_path)
    assert tally(created=3, failed=1) in stdout
    assert f"FAILED 坏文件.md: {NO_TITLE_REASON}" in stderr
    assert "Traceback" not in stdout + stderr
    assert Article.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, reason",
    [
        (b"\n---\ntitle: x\n---\n\x00\x01", "NUL bytes"),
        (b"\n---\ntitle: [unclosed\n---\n", "invalid YAML in front matter"),
        (b"\n---\ntitle: t\ndate: 'someday'\n---\n", "date: 'someday' is not a date"),
        (b"\n---\ntitle: t\ncomments: 'yes'\n---\n", "comments: must be true or false"),
    ],
)
def test_each_kind_of_bad_file_is_reported_by_name_and_reason(tmp_path, content, reason):
    copy_seeds(tmp_path, K1)
    (tmp_path / "bad.md").write_bytes(content)
    stdout, stderr = import_failing(tmp_path)
    assert tally(created=1, failed=1) in stdout
    (line,) = [line for line in stderr.splitlines() if line.startswith("FAILED ")]
    assert line.startswith("FAILED bad.md: ")
    assert reason in line


LOADER_BREAKERS = {
    "impossible-unquoted-date": ("title: t\ndate: 2022-02-30\n", "date"),
    "deep-nesting": ("title: t\nextra: " + "[" * 2_000 + "]" * 2_000 + "\n", "nested too deeply"),
}


def import_loader_breaker(tmp_path, case: str) -> tuple[str, str]:
    copy_seeds(tmp_path, K1)
    front_matter, _ = LOADER_BREAKERS[case]
    (tmp_path / "bad.md").write_text(f"\n---\n{front_matter}---\n<p>x</p>\n", encoding="utf-8")
    return import_failing(tmp_path)


@pytest.mark.django_db
@pytest.mark.parametrize("case", LOADER_BREAKERS)
def test_front_matter_that_breaks_the_loader_fails_alone(tmp_path, case):
    stdout, stderr = import_loader_breaker(tmp_path, case)
    assert tally(created=1, failed=1) in stdout
    assert "FAILED bad.md: " in stderr
    assert "Traceback" not in stdout + stderr


@pytest.mark.django_db
@pytest.mark.parametrize("case", LOADER_BREAKERS)
def test_front_matter_that_breaks_the_loader_fails_with_a_reason_naming_the_problem(tmp_path, case):
    _, stderr = import_loader_breaker(tmp_path, case)
    (line,) = [line for line in stderr.splitlines() if line.startswith("FAILED bad.md: ")]
    assert LOADER_BREAKERS[case][1] in line.removeprefix("FAILED bad.md: ")
    assert "unexpected error" not in line


@pytest.mark.django_db
def test_oversized_file_is_reported_with_its_size(tmp_path, settings):
    settings.NEWSROOM_IMPORT_MAX_BYTES = 20_000
    copy_seeds(tmp_path, K1)
    (tmp_path / "big.md").write_text("\n---\ntitle: t\n---\n" + "<p>长</p>" * 5_000, encoding="utf-8")
    _, stderr = import_failing(tmp_path)
    assert "FAILED big.md: the file is " in stderr
    assert "the limit is 20,000" in stderr


@pytest.mark.django_db
def test_missing_path_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="No such file or folder"):
        import_seeds(tmp_path / "nowhere")


@pytest.mark.django_db
def test_folder_without_documents_is_a_command_error(tmp_path):
    (tmp_path / "notes.txt").write_text("not a document", encoding="utf-8")
    with pytest.raises(CommandError, match="No .md documents found"):
        import_seeds(tmp_path)


@pytest.mark.django_db
def test_readme_and_manifest_in_a_folder_are_skipped(tmp_path):
    copy_seeds(tmp_path, K1)
    (tmp_path / "README.md").write_text("# 说明\n\n不是文档。\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "MANIFEST.md").write_text("# Manifest\n", encoding="utf-8")
    stdout, stderr = import_seeds(tmp_path)
    assert tally(created=1, skipped=2) in stdout
    assert "SKIPPED README.md: not a seed document: no front matter" in stdout
    assert "SKIPPED sub/MANIFEST.md: not a seed document" in stdout
    assert "FAILED" not in stdout + stderr


@pytest.mark.django_db
def test_a_single_file_can_be_imported():
    stdout, _ = import_seeds(SEEDS_DIR / K1)
    assert tally(created=1) in stdout


# -- options --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_report_has_a_summary_and_one_entry_per_document(tmp_path):
    copy_seeds(tmp_path / "docs", K1, A2, P1)
    (tmp_path / "docs" / "坏文件.md").write_text(NO_TITLE, encoding="utf-8")
    report_path = tmp_path / "reports" / "import.json"
    import_failing(tmp_path / "docs", "--report", report_path)

    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["dry_run"] is False
    assert isinstance(report["seconds"], int | float)
    assert report["summary"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "conflicts": 0,
        "duplicates": 0,
        "skipped": 0,
        "failed": 1,
    }
    entries = {entry["path"]: entry for entry in report["documents"]}
    assert set(entries) == {K1, A2, P1, "坏文件.md"}
    for entry in report["documents"]:
        assert set(entry) == {
            "path", "outcome", "reason", "article_id", "import_key", "warnings", "furniture_removed", "feed",
        }  # fmt: skip
    assert entries[A2]["feed"] == "AcFun"
    feeds = {feed["feed"]: feed for feed in report["feeds"]}
    assert feeds["AcFun"]["documents"] == 1 and feeds["AcFun"]["created"] == 1
    assert feeds["AcFun"]["warnings"] == {"category-repaired": 1}
    assert feeds["快科技（原驱动之家）"]["furniture_removed"]["editor-line"] == 1
    article = Article.objects.get(title="第2话 - 潮汐与旧信")
    assert entries[A2]["outcome"] == "created"
    assert entries[A2]["article_id"] == article.pk
    assert entries[A2]["import_key"] == article.import_key
    assert entries[A2]["warnings"] == ["category item '— 番剧' has a stray dash; read as '番剧'"]
    assert entries[K1]["furniture_removed"]
    assert entries["坏文件.md"]["outcome"] == "failed"
    assert entries["坏文件.md"]["reason"] == NO_TITLE_REASON
    assert entries["坏文件.md"]["article_id"] is None


@pytest.mark.django_db
def test_dry_run_writes_nothing_but_reports_what_would_happen(tmp_path):
    report_path = tmp_path / "report.json"
    stdout, _ = import_seeds(SEEDS_DIR, "--dry-run", "--report", report_path)
    assert f"Dry run, nothing written: {tally(created=SEED_COUNT, skipped=SEED_SKIPPED)}" in stdout
    for model in (Article, Category, Author, Tag):
        assert not model.objects.exists(), model
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["dry_run"] is True
    documents = [entry for entry in report["documents"] if entry["path"] != "MANIFEST.md"]
    assert {entry["outcome"] for entry in documents} == {"created"}
    assert {entry["reason"] for entry in documents} == {"dry run: would be created"}


@pytest.mark.django_db
def test_dry_run_after_an_import_reports_updates_and_conflicts(tmp_path):
    copy_seeds(tmp_path, K1, C6)
    import_seeds(tmp_path)
    edited = Article.objects.get(title__startswith="城市低空物流")
    edited.title = "编辑改过"
    edited.save()
    for relative in (K1, C6):
        path = tmp_path / relative
        path.write_text(
            path.read_text(encoding="utf-8").replace("</div>", "<p>补充。</p></div>", 1), encoding="utf-8"
        )
    bodies = dict(Article.objects.values_list("pk", "body"))

    stdout, _ = import_seeds(tmp_path, "--dry-run")
    assert f"Dry run, nothing written: {tally(updated=1, conflicts=1)}" in stdout
    assert dict(Article.objects.values_list("pk", "body")) == bodies


@pytest.mark.django_db
def test_status_draft_imports_drafts():
    import_seeds(SEEDS_DIR, "--status", "draft")
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.DRAFT}
    # the drafts keep their dates; only documents whose date is unusable have none
    undated = Article.objects.filter(published_at=None)
    assert {article.front_matter["date"] for article in undated} == {
        "Invalid Date",
        "Wed, 08 Apr 2189 00:00:00 GMT",
    }


@pytest.mark.django_db
def test_unknown_status_is_refused_by_the_argument_parser():
    with pytest.raises(CommandError):
        import_seeds(SEEDS_DIR, "--status", "secret")


@pytest.mark.django_db
def test_progress_lines_are_plain_when_not_a_terminal():
    _, stderr = import_seeds(SEEDS_DIR)
    lines = [line for line in stderr.splitlines() if " documents, " in line]
    assert lines, stderr
    assert lines[-1].startswith(f"{SEED_FILES}/{SEED_FILES} documents, ")
    assert f"created={SEED_COUNT}" in lines[-1]
    assert "\r" not in stderr and "\x1b" not in stderr


@pytest.mark.django_db
@pytest.mark.parametrize("option", [["--no-progress"], ["--verbosity", "0"]])
def test_no_progress_lines_when_asked_for_none(option):
    _, stderr = import_seeds(SEEDS_DIR, *option)
    assert " documents, " not in stderr


@pytest.mark.django_db
def test_verbosity_zero_still_prints_the_tally():
    stdout, _ = import_seeds(SEEDS_DIR, "--verbosity", "0")
    assert tally(created=SEED_COUNT, skipped=SEED_SKIPPED) in stdout
    assert "warning " not in stdout


# -- workers ----------------------------------------------------------------------------------------------


def snapshot() -> list[tuple]:
    """Return every article as comparable values (no ids), in import-key order."""
    rows = []
    for article in Article.objects.select_related("category", "editor").order_by("import_key"):
        rows.append(
            (
                article.import_key, article.title, article.slug, article.summary, article.body,
                article.status, article.published_at, article.category.name_path,
                article.editor.name if article.editor else None,
                [(b.author.name, b.author.kind, b.position) for b in article.bylines.select_related("author")],
                sorted((tag.name, tag.slug, tag.source_slug) for tag in article.tags.all()),
                article.front_matter, article.import_notes, article.import_source_path,
            )
        )  # fmt: skip
    return rows


@pytest.mark.django_db(transaction=True)
def test_two_workers_give_the_same_result_as_one(tmp_path, monkeypatch):
    total = story_variants(tmp_path, copies=2)
    assert total >= pipeline.MIN_DOCUMENTS_FOR_WORKERS
    pools = []
    real_pool = pipeline.ProcessPoolExecutor

    def counting_pool(*args, **kwargs):
        pools.append(args)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", counting_pool)

    stdout, _ = import_seeds(tmp_path, "--no-progress", workers=1)
    assert tally(created=total) in stdout
    assert pools == []
    one_worker = snapshot()

    wipe_content()
    stdout, _ = import_seeds(tmp_path, "--no-progress", workers=2)
    assert tally(created=total) in stdout
    assert pools == [(2,)]
    assert snapshot() == one_worker

    stdout, _ = import_seeds(tmp_path, "--no-progress", workers=2)
    assert tally(unchanged=total) in stdout


@pytest.mark.django_db(transaction=True)
def test_two_workers_report_bad_files_like_one(tmp_path):
    total = story_variants(tmp_path, copies=2)
    (tmp_path / "坏文件.md").write_text(NO_TITLE, encoding="utf-8")
    stdout, stderr = StringIO(), StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import_seeds", str(tmp_path), "--workers", "2", "--no-progress", stdout=stdout, stderr=stderr
        )
    assert tally(created=total, failed=1) in stdout.getvalue()
    assert f"FAILED 坏文件.md: {NO_TITLE_REASON}" in stderr.getvalue()
