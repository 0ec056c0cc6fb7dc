"""Editing in the admin: no lost edits, slugs, images, rich text, autocomplete, revisions."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from reversion.models import Version

from articles.images import MESSAGES
from articles.models import Article, Category, SlugRedirect
from tests import factories
from tests.admin_forms import change_form_data, editor

pytestmark = pytest.mark.django_db
Status = Article.Status


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def editor_client(client):
    client.force_login(editor())
    return client


def jpeg_upload(name="photo.jpg", size=(1200, 800)):
    return SimpleUploadedFile(name, factories.jpeg(size), content_type="image/jpeg")


class TestNoLostEdits:
    def test_the_second_of_two_saves_from_the_same_version_is_refused_and_keeps_its_text(self, client):
        article = factories.article("原标题", published=False, body="<p>原文</p>")
        first, second = editor("first"), editor("second")
        client.force_login(first)
        first_form = change_form_data(client.get(change_url(article)), body="<p>第一位编辑的修改</p>")
        client.force_login(second)
        second_form = change_form_data(client.get(change_url(article)), body="<p>第二位编辑的修改</p>")

        client.force_login(first)
        assert client.post(change_url(article), first_form).status_code == 302
        client.force_login(second)
        refused = client.post(change_url(article), second_form)

        assert refused.status_code == 200
        form = refused.context["adminform"].form
        [message] = form.non_field_errors()
        assert "first" in message  # who saved in between
        assert "第二位编辑的修改" in form["body"].value()
        article.refresh_from_db()
        assert article.body == "<p>第一位编辑的修改</p>"

    def test_saving_again_after_the_warning_replaces_the_other_version_knowingly(self, client):
        article = factories.article("原标题", published=False)
        client.force_login(editor())
        stale = change_form_data(client.get(change_url(article)), title="我的标题")
        Article.objects.get(pk=article.pk).save()  # someone else saves meanwhile
        refused = client.post(change_url(article), stale)
        assert refused.status_code == 200
        again = change_form_data(refused)
        assert client.post(change_url(article), again).status_code == 302
        article.refresh_from_db()
        assert article.title == "我的标题"

    def test_the_form_carries_the_version_it_was_opened_at(self, editor_client):
        article = factories.article(published=False)
        article.save()
        form = editor_client.get(change_url(article)).context["adminform"].form
        assert form["expected_version"].value() == 2


class TestSlugs:
    def test_an_empty_slug_is_made_from_the_title(self, editor_client):
        page = editor_client.get(reverse("admin:articles_article_add"))
        editor_client.post(
            reverse("admin:articles_article_add"), change_form_data(page, title="阿里张勇连线商家")
        )
        assert Article.objects.get().slug == "a-li-zhang-yong-lian-xian-shang-jia"

    def test_changing_the_slug_of_a_published_article_keeps_the_old_address(self, editor_client):
        article = factories.article("旧标题")
        data = change_form_data(editor_client.get(change_url(article)), slug="new-title")
        assert editor_client.post(change_url(article), data).status_code == 302
        assert SlugRedirect.objects.get(old_slug="jiu-biao-ti").article == article
        response = editor_client.get("/articles/jiu-biao-ti/")
        assert (response.status_code, response["Location"]) == (301, "/articles/new-title/")


class TestLeadImage:
    def test_a_text_file_renamed_jpg_is_refused_with_a_clear_message(self, editor_client, media):
        article = factories.article(published=False)
        data = change_form_data(editor_client.get(change_url(article)))
        data["lead_image"] = SimpleUploadedFile("photo.jpg", "不是图片".encode(), content_type="image/jpeg")
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        [error] = response.context["adminform"].form.errors.as_data()["lead_image"]
        assert error.code in {"invalid_image", "not_image"}
        assert error.messages == [str(MESSAGES["not_image"])]
        assert escape(error.messages[0]) in response.content.decode()
        article.refresh_from_db()
        assert not article.lead_image

    def test_an_uploaded_image_gets_renditions_and_a_thumbnail_in_the_list(self, editor_client, media):
        article = factories.article("有图", published=False)
        data = change_form_data(
            editor_client.get(change_url(article)), lead_image_caption="图说", lead_image_credit="摄影：李四"
        )
        data["lead_image"] = jpeg_upload()
        assert editor_client.post(change_url(article), data).status_code == 302
        article.refresh_from_db()
        assert (article.lead_image_caption, article.lead_image_credit) == ("图说", "摄影：李四")
        folder = media / "renditions" / article.lead_image.name
        assert sorted(path.name for path in folder.iterdir()) == ["1200w.jpg", "480w.jpg", "960w.jpg"]
        listing = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
        assert f"/media/renditions/{article.lead_image.name}/480w.jpg" in listing


class TestRichTextAndPickers:
    def test_the_body_uses_the_packaged_rich_text_editor(self, editor_client):
        page = editor_client.get(reverse("admin:articles_article_add")).content.decode()
        assert "data-django-prose-editor-configurable" in page
        assert "django_prose_editor/editor.js" in page
        # Every script and stylesheet comes from this site (a random CSRF token may spell "cdn").
        assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', page)
        assert assets and all(asset.startswith("/") and not asset.startswith("//") for asset in assets)

    def test_the_body_from_the_editor_is_sanitised_on_save(self, editor_client):
        article = factories.article(published=False)
        data = change_form_data(
            editor_client.get(change_url(article)), body='<p onclick="x()">正文<script>alert(1)</script></p>'
        )
        editor_client.post(change_url(article), data)
        article.refresh_from_db()
        assert article.body == "<p>正文</p>"

    def test_the_category_autocomplete_shows_the_full_path(self, editor_client):
        factories.category_path("新媒体", "快科技（原驱动之家）", "最新新闻")
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "articles", "model_name": "article", "field_name": "category", "term": "最新"},
        )
        texts = [result["text"] for result in json.loads(response.content)["results"]]
        assert texts == ["新媒体 / 快科技（原驱动之家） / 最新新闻"]

    def test_tags_are_picked_with_autocomplete_and_new_ones_typed(self, editor_client):
        existing = factories.article(published=False)
        existing.tags.add("芯片")
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "articles", "model_name": "article", "field_name": "tags", "term": "芯"},
        )
        [found] = json.loads(response.content)["results"]
        article = factories.article(published=False)
        data = change_form_data(
            editor_client.get(change_url(article)), tags=[found["id"]], new_tags="电池，新能源"
        )
        assert editor_client.post(change_url(article), data).status_code == 302
        assert sorted(tag.name for tag in article.tags.all()) == ["新能源", "电池", "芯片"]


class TestRevisions:
    def save_title(self, client, article, title):
        data = change_form_data(client.get(change_url(article)), title=title)
        assert client.post(change_url(article), data).status_code == 302

    def test_every_save_keeps_a_revision_with_who_and_when(self, editor_client):
        article = factories.article("第一版", published=False)
        self.save_title(editor_client, article, "第二版")
        self.save_title(editor_client, article, "第三版")
        versions = Version.objects.get_for_object(article)
        # The version made outside the admin is kept first, before the first change.
        assert [version.field_dict["title"] for version in versions] == ["第三版", "第二版", "第一版"]
        assert versions[0].revision.user.username == "editor"
        assert versions[2].revision.user is None

    def test_two_revisions_are_compared_field_by_field(self, editor_client):
        article = factories.article("第一版", published=False, body="<p>甲</p><p>乙</p>")
        self.save_title(editor_client, article, "第二版")
        data = change_form_data(editor_client.get(change_url(article)), body="<p>甲</p><p>丙</p>")
        editor_client.post(change_url(article), data)
        newer, older = Version.objects.get_for_object(article)[:2]
        url = reverse("admin:articles_article_compare", args=[article.pk])
        response = editor_client.get(url, {"from": older.pk, "to": newer.pk})
        assert [change["name"] for change in response.context["changes"]] == ["body"]
        page = response.content.decode()
        assert "<del>-&lt;p&gt;乙&lt;/p&gt;</del>" in page and "<ins>+&lt;p&gt;丙&lt;/p&gt;</ins>" in page

    def test_restoring_a_revision_brings_back_its_text_and_counts_a_new_version(self, editor_client):
        article = factories.article("第一版", published=False)
        self.save_title(editor_client, article, "第二版")
        self.save_title(editor_client, article, "第三版")
        oldest = Version.objects.get_for_object(article).last()
        url = reverse("admin:articles_article_revision", args=[article.pk, oldest.pk])
        page = editor_client.get(url)
        assert page.status_code == 200
        response = editor_client.post(url, change_form_data(page))
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.title == "第一版"
        assert article.version == 4


def test_moving_a_category_keeps_the_picker_path_current():
    section = factories.category_path("新媒体", "cnBeta")
    assert str(Category.objects.get(pk=section.pk)) == "新媒体 / cnBeta"


def test_the_edit_page_costs_the_same_queries_whatever_the_archive_s_size(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(editor())
    article = factories.article("被编辑的", published=False, body="<p>正文</p>")
    article.tags.add("芯片")
    article.bylines.create(author=factories.author("张三"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(change_url(article)).status_code == 200
        return len(captured)

    client.get(change_url(article))
    few = queries()
    for number in range(30):
        other = factories.article(f"别的{number}", published=False)
        other.tags.add(f"标签{number}")
    assert queries() == few
