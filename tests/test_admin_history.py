"""History in the admin: the first revision, restoring content only, and times that keep their seconds."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.admin.history import record_first_revision
from articles.admin.views import compare_versions
from articles.models import Article, SlugRedirect
from tests import factories
from tests.admin_forms import change_form_data, editor

pytestmark = pytest.mark.django_db
Status = Article.Status


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def revision_url(article, version):
    return reverse("admin:articles_article_revision", args=[article.pk, version.pk])


@pytest.fixture
def editor_client(client):
    client.force_login(editor())
    return client


def save(client, article, **changes):
    response = client.post(change_url(article), change_form_data(client.get(change_url(article)), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    return article


def published_article(title="旧标题", **fields):
    # A time with seconds and fractions, as "publish now" gives.
    moment = timezone.now().replace(microsecond=123456) - dt.timedelta(days=2, seconds=17)
    return factories.article(title, published_at=moment, body="<p>第一版正文</p>", **fields)


def test_restoring_the_version_before_a_rename_keeps_the_live_address_working(editor_client, client):
    article = published_article(slug="jiu-biao-ti")
    save(editor_client, article, title="新标题", slug="xin-biao-ti", body="<p>改过的正文</p>")
    before_rename = Version.objects.get_for_object(article).last()

    page = editor_client.get(revision_url(article, before_rename))
    assert page.context["adminform"].form["slug"].value() == "jiu-biao-ti"
    assert editor_client.post(revision_url(article, before_rename), change_form_data(page)).status_code == 302

    article.refresh_from_db()
    assert (article.title, article.slug, article.body) == ("旧标题", "jiu-biao-ti", "<p>第一版正文</p>")
    assert client.get("/articles/jiu-biao-ti/").status_code == 200
    response = client.get("/articles/xin-biao-ti/")
    assert (response.status_code, response["Location"]) == (301, "/articles/jiu-biao-ti/")
    assert not SlugRedirect.objects.filter(old_slug="jiu-biao-ti").exists()


def test_a_restore_keeps_the_status_and_the_publication_time_to_the_second(editor_client):
    article = factories.article("草稿时的标题", published=False)
    save(editor_client, article, title="发布时的标题")
    draft_version = Version.objects.get_for_object(article).last()
    moment = timezone.now().replace(microsecond=654321) - dt.timedelta(hours=5, seconds=41)
    Article.objects.filter(pk=article.pk).update(status=Status.PUBLISHED, published_at=moment)

    page = editor_client.get(revision_url(article, draft_version))
    form = page.context["adminform"].form
    assert form["status"].value() == Status.PUBLISHED  # not the revision's draft
    response = editor_client.post(revision_url(article, draft_version), change_form_data(page))
    assert response.status_code == 302  # no "say why it goes back to draft"
    article.refresh_from_db()
    assert (article.title, article.status, article.published_at) == ("草稿时的标题", Status.PUBLISHED, moment)


def test_the_editor_may_change_the_status_while_restoring(editor_client):
    article = published_article()
    save(editor_client, article, title="第二版")
    first = Version.objects.get_for_object(article).last()
    page = editor_client.get(revision_url(article, first))
    data = change_form_data(page, status=Status.DRAFT, review_note="先撤回，核实后再发。")
    assert editor_client.post(revision_url(article, first), data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.status) == ("旧标题", Status.DRAFT)


def test_restoring_brings_back_bylines_and_tags(editor_client):
    article = published_article()
    article.tags.add("芯片")
    article.bylines.create(author=factories.author("张三"))
    record_first_revision(article)
    article.tags.set(["电池"])
    article.bylines.all().delete()
    save(editor_client, article, title="改了")
    first = Version.objects.get_for_object(article).last()
    page = editor_client.get(revision_url(article, first))
    editor_client.post(revision_url(article, first), change_form_data(page))
    assert [tag.name for tag in article.tags.all()] == ["芯片"]
    assert [byline.author.name for byline in article.bylines.all()] == ["张三"]


def test_viewing_a_revision_changes_nothing(editor_client):
    article = published_article(slug="jiu-biao-ti")
    save(editor_client, article, title="新标题", slug="xin-biao-ti")
    first = Version.objects.get_for_object(article).last()
    editor_client.get(revision_url(article, first))
    article.refresh_from_db()
    assert (article.title, article.slug) == ("新标题", "xin-biao-ti")


def test_saving_a_published_article_unchanged_keeps_the_seconds_and_records_no_time_change(editor_client):
    article = published_article()
    moment = article.published_at
    page = editor_client.get(change_url(article))
    assert page.context["adminform"].form["published_at"].value().second == moment.second
    assert f'value="{timezone.localtime(moment):%H:%M:%S}"' in page.content.decode()
    save(editor_client, article, body="<p>只改正文</p>")
    assert article.published_at == moment
    newer, older = Version.objects.get_for_object(article)[:2]
    assert [change["name"] for change in compare_versions(older, newer)] == ["body"]
    entry = newer.revision.comment
    assert "发布时间" not in entry and "publication time" not in entry


def test_a_changed_time_is_saved_with_its_seconds(editor_client):
    article = published_article()
    later = timezone.localtime(article.published_at + dt.timedelta(minutes=3))
    save(
        editor_client,
        article,
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1=later.strftime("%H:%M:%S"),
    )
    assert article.published_at == later.replace(microsecond=0)


def test_the_first_change_of_an_imported_article_keeps_it_as_imported_first(editor_client):
    article = published_article("导入的标题", import_source_path="cnBeta/导入.md")
    save(editor_client, article, title="编辑改过的标题")
    newest, first = Version.objects.get_for_object(article)
    assert first.field_dict["title"] == "导入的标题"
    assert first.revision.date_created < newest.revision.date_created
    assert "cnBeta/导入.md" in first.revision.comment
    assert newest.field_dict["title"] == "编辑改过的标题"


def test_the_first_revision_is_made_once(editor_client):
    article = published_article()
    assert record_first_revision(article) is True
    assert record_first_revision(article) is False
    save(editor_client, article, title="改")
    assert Version.objects.get_for_object(article).count() == 2


def test_a_bulk_action_records_one_revision_per_article(editor_client):
    first, second = factories.article("一", published=False), factories.article("二", published=False)
    editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [first.pk, second.pk]},
    )
    newest = Version.objects.get_for_object(first).first()
    assert {
        version.object_id for version in newest.revision.version_set.filter(content_type=newest.content_type)
    } == {str(first.pk)}


def test_the_history_page_of_an_unchanged_import_says_so(editor_client):
    article = published_article(import_source_path="cnBeta/导入.md")
    page = editor_client.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert "cnBeta/导入.md" in page
