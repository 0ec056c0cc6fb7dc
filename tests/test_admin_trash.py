"""Deleting in the admin moves an article to the trash; editors restore it whole, or delete it for good."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from reversion.models import Revision, Version

from articles.admin.history import record_first_revision
from articles.images import render_renditions
from articles.models import Article, SlugRedirect
from articles.preview import share
from tests import factories
from tests.admin_forms import change_form_data, editor, writer
from tests.test_images import image_bytes

pytestmark = pytest.mark.django_db
Status = Article.Status
LIST_URL = reverse("admin:articles_article_changelist")


def delete_url(article):
    return reverse("admin:articles_article_delete", args=[article.pk])


@pytest.fixture
def editor_client(client):
    client.force_login(editor())
    return client


def imported_article(title="导入的文章"):
    """An article as the importer leaves it: published, with an old address, tags and a byline; no revision."""
    article = factories.article(
        title, import_source_path=f"新媒体/{title}.md", import_key=title, body="<p>正文</p>"
    )
    article.tags.add("芯片")
    article.bylines.create(author=factories.author("快科技", "organisation"))
    SlugRedirect.objects.create(old_slug="old-address", article=article)
    return article


def test_deleting_an_imported_article_moves_it_to_the_trash_and_readers_no_longer_see_it(editor_client):
    article = imported_article()
    page = editor_client.get(delete_url(article))
    assert page.status_code == 200 and "回收站" in page.content.decode()
    assert editor_client.post(delete_url(article), {"post": "yes"}).status_code == 302
    article.refresh_from_db()
    assert article.in_trash and article.status_before_trash == Status.PUBLISHED
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert editor_client.get(article.get_absolute_url()).status_code == 404
    assert editor_client.get("/articles/old-address/").status_code == 404
    assert "导入的文章" not in [a.title for a in editor_client.get(LIST_URL).context["cl"].result_list]


def test_restoring_from_the_trash_brings_back_everything_it_had(editor_client, client):
    article = imported_article()
    editor_client.post(delete_url(article), {"post": "yes"})
    trash_list = editor_client.get(LIST_URL + "?status=trashed")
    assert [a.title for a in trash_list.context["cl"].result_list] == ["导入的文章"]

    response = editor_client.post(reverse("admin:articles_article_restore", args=[article.pk]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED and not article.in_trash
    assert [tag.name for tag in article.tags.all()] == ["芯片"]
    assert [byline.author.name for byline in article.bylines.all()] == ["快科技"]
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/articles/old-address/").status_code == 301


def test_the_history_of_an_imported_article_starts_with_it_as_imported(editor_client):
    article = imported_article()
    editor_client.post(delete_url(article), {"post": "yes"})
    first, trashed = reversed(Version.objects.get_for_object(article))
    assert first.field_dict["status"] == Status.PUBLISHED and "新媒体/导入的文章.md" in first.revision.comment
    assert trashed.field_dict["status"] == Status.TRASHED


def test_bulk_trash_and_bulk_restore(editor_client):
    articles = [factories.article("一"), factories.article("二", published=False)]
    selected = [article.pk for article in articles]
    editor_client.post(LIST_URL, {"action": "trash", "_selected_action": selected})
    assert set(Article.objects.in_trash().values_list("title", flat=True)) == {"一", "二"}
    editor_client.post(
        LIST_URL + "?status=trashed", {"action": "restore_selected", "_selected_action": selected}
    )
    assert dict(Article.objects.values_list("title", "status")) == {"一": "published", "二": "draft"}


def test_the_trash_list_offers_restoring_and_deleting_for_good_only(editor_client):
    factories.article("废稿", published=False).move_to_trash()
    choices = dict(
        editor_client.get(LIST_URL + "?status=trashed").context["action_form"].fields["action"].choices
    )
    assert set(choices) - {""} == {"restore_selected", "delete_selected_for_good"}
    choices = dict(editor_client.get(LIST_URL).context["action_form"].fields["action"].choices)
    assert "trash" in choices and "delete_selected" not in choices


def test_deleting_for_good_asks_first_then_removes_the_article_its_history_and_its_image(
    editor_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("articles/lead.jpg", ContentFile(image_bytes(1000, 500, "JPEG")))
    article = factories.article("彻底删除", published=False, lead_image=name)
    article.lead_image_renditions = render_renditions(name)
    article.save()
    record_first_revision(article)
    share(article)
    article.move_to_trash()

    data = {"action": "delete_selected_for_good", "_selected_action": [article.pk]}
    page = editor_client.post(LIST_URL + "?status=trashed", data)
    assert page.status_code == 200 and "彻底删除" in page.content.decode()
    assert Article.objects.filter(pk=article.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(LIST_URL + "?status=trashed", {**data, "apply": "1"})
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not Version.objects.get_for_object_reference(Article, article.pk).exists()
    assert not Revision.objects.exists()
    assert not (tmp_path / name).exists()
    assert not [path for path in (tmp_path / "renditions").rglob("*") if path.is_file()]


def test_a_lead_image_another_article_shows_is_kept_when_one_is_deleted_for_good(
    editor_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("fetched/ab/shared.jpg", ContentFile(image_bytes(800, 400, "JPEG")))
    gone = factories.article("删掉", published=False, lead_image=name)
    factories.article("留下", lead_image=name)
    gone.move_to_trash()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            LIST_URL + "?status=trashed",
            {"action": "delete_selected_for_good", "_selected_action": [gone.pk], "apply": "1"},
        )
    assert (tmp_path / name).exists()


def test_emptying_the_trash_deletes_only_what_is_in_it(editor_client):
    factories.article("回收站一", published=False).move_to_trash()
    factories.article("回收站二").move_to_trash()
    factories.article("正常的")
    url = reverse("admin:articles_article_empty_trash")
    page = editor_client.get(url)
    assert page.context["count"] == 2
    editor_client.post(url)
    assert list(Article.objects.values_list("title", flat=True)) == ["正常的"]


def test_an_article_in_the_trash_cannot_be_edited_only_restored(editor_client):
    article = factories.article("只读", published=False)
    article.move_to_trash()
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert page.context["has_change_permission"] is False
    assert reverse("admin:articles_article_restore", args=[article.pk]) in page.content.decode()


def test_writers_cannot_trash_restore_or_empty(client):
    user = writer()
    mine = factories.article("我的草稿", published=False, created_by=user)
    trashed = factories.article("别人删的", published=False, created_by=user)
    trashed.move_to_trash()
    client.force_login(user)
    assert client.post(delete_url(mine), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:articles_article_restore", args=[trashed.pk])).status_code == 403
    assert client.post(reverse("admin:articles_article_empty_trash")).status_code == 403
    assert Article.objects.in_trash().count() == 1 and not Article.objects.get(pk=mine.pk).in_trash


def test_a_reimport_with_force_leaves_a_trashed_article_in_the_trash(tmp_path):
    from articles.importing.pipeline import Importer
    from tests.documents import SEEDS_DIR, document_paths

    path = document_paths(SEEDS_DIR)[0]
    list(Importer(workers=1).run([(path, path.name)]))
    article = Article.objects.get()
    article.move_to_trash()
    changed = tmp_path / path.name
    changed.write_text(path.read_text(encoding="utf-8").replace("</p>", "（更新）</p>", 1), encoding="utf-8")
    [report] = Importer(force=True, workers=1).run([(changed, path.name)])
    assert report.outcome == "conflict" and "trash" in report.reason
    article.refresh_from_db()
    assert article.in_trash


def test_recover_deleted_links_lead_to_the_trash(editor_client):
    response = editor_client.get(reverse("admin:articles_article_recoverlist"))
    assert response.status_code == 302 and response["Location"].endswith("?status=trashed")


def test_saving_a_restored_article_keeps_working(editor_client):
    article = factories.article("恢复后编辑", published=False)
    article.move_to_trash()
    editor_client.post(reverse("admin:articles_article_restore", args=[article.pk]))
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(editor_client.get(url), title="恢复后改了标题")
    assert editor_client.post(url, data).status_code == 302
    assert Article.objects.get(pk=article.pk).title == "恢复后改了标题"
