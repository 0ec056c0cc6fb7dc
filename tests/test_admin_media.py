"""The media library and what the body editor puts in an article: figures with alt text and credit, embeds."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.admin.media import body_url
from articles.models import Article, MediaImage
from articles.sanitise import sanitise
from tests import factories
from tests.admin_forms import change_form_data, editor, writer

pytestmark = pytest.mark.django_db
PICKER = reverse("admin:articles_mediaimage_picker")
ADD_IMAGE = reverse("admin:articles_mediaimage_add")


def jpeg(name="photo.jpg", size=(1600, 900), colour=(20, 120, 200)):
    return SimpleUploadedFile(name, factories.jpeg(size, colour), content_type="image/jpeg")


def upload(client, **fields):
    data = {
        "file": jpeg(),
        "alt_text": "测试现场的电池组",
        "caption": "低温测试",
        "credit": "摄影：李四",
        **fields,
    }
    return client.post(ADD_IMAGE, data)


def files_under(folder):
    return sorted(path.name for path in folder.rglob("*") if path.is_file())


def test_an_uploaded_image_records_its_renditions_and_who_uploaded_it(client, media):
    user = editor()
    client.force_login(user)
    assert upload(client).status_code == 302
    image = MediaImage.objects.get()
    assert (image.width, image.height, image.uploaded_by) == (1600, 900, user)
    assert sorted(int(width) for width in image.renditions) == [480, 960, 1600]
    assert all((media / name).is_file() for name in image.renditions.values())
    assert body_url(image).endswith("/960w.jpg")


def test_alternative_text_is_required(client, media):
    client.force_login(editor())
    response = upload(client, alt_text="")
    assert response.status_code == 200 and "alt_text" in response.context["adminform"].form.errors


def test_replacing_an_image_deletes_the_old_renditions(client, media, django_capture_on_commit_callbacks):
    client.force_login(editor())
    upload(client)
    image = MediaImage.objects.get()
    old = dict(image.renditions)
    url = reverse("admin:articles_mediaimage_change", args=[image.pk])
    data = {
        "file": jpeg("other.jpg", (1000, 600), (200, 20, 20)),
        "alt_text": "换了一张",
        "caption": "",
        "credit": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    image.refresh_from_db()
    assert not any((media / name).exists() for name in old.values())
    assert sorted(int(width) for width in image.renditions) == [480, 960, 1000]
    assert all((media / name).is_file() for name in image.renditions.values())


def test_the_picker_lists_searches_and_hands_over_address_alt_text_and_caption(client, media):
    client.force_login(editor())
    upload(client)
    upload(client, alt_text="发布会现场", caption="", credit="图：新华社")
    page = client.get(PICKER, {"CKEditorFuncNum": "-1"})
    assert [choice["image"].alt_text for choice in page.context["images"]] == [
        "发布会现场",
        "测试现场的电池组",
    ]
    html = page.content.decode()
    assert 'data-caption="低温测试 摄影：李四"' in html and 'data-alt="测试现场的电池组"' in html
    found = client.get(PICKER, {"q": "发布会"}).context["images"]
    assert [choice["image"].alt_text for choice in found] == ["发布会现场"]
    assert 'src="/static/articles/admin/media-picker.js"' in html


def test_a_writer_uploads_from_the_picker_and_the_new_image_is_picked(client, media):
    client.force_login(writer())
    data = {"file": jpeg(), "alt_text": "新上传的图", "caption": "", "credit": "摄影：王五"}
    page = client.post(PICKER + "?CKEditorFuncNum=-2", data)
    assert page.status_code == 200
    chosen = page.context["chosen"]
    assert chosen["image"].alt_text == "新上传的图" and chosen["url"].endswith("960w.jpg")
    assert "data-chosen" in page.content.decode()
    assert (
        client.post(
            reverse("admin:articles_mediaimage_delete", args=[chosen["image"].pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_the_picker_refuses_people_without_the_library(client):
    from tests.admin_forms import staff_user

    client.force_login(staff_user("nobody", None))
    assert client.get(PICKER).status_code == 403


def test_a_figure_from_the_library_and_an_allowed_embed_survive_the_sanitiser(client, media):
    client.force_login(editor())
    upload(client)
    image = MediaImage.objects.get()
    body = (
        "<p>正文</p>"
        f'<figure class="figure"><img src="{body_url(image)}" alt="{image.alt_text}" data-file="{image.pk}">'
        '<figcaption class="figure-caption">低温测试 摄影：李四</figcaption></figure>'
        '<iframe src="https://player.bilibili.com/player.html?bvid=BV1xx411c7mD" width="640" height="360"'
        ' allowfullscreen="allowfullscreen"></iframe>'
        '<iframe src="https://evil.example.com/embed/1"></iframe>'
    )
    article = factories.article("带图的文章", published=False)
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert client.post(url, change_form_data(client.get(url), body=body)).status_code == 302
    article.refresh_from_db()
    assert (
        f'<figure><img src="{body_url(image)}" alt="测试现场的电池组"><figcaption>低温测试 摄影：李四</figcaption></figure>'
        in article.body
    )
    assert '<iframe src="https://player.bilibili.com/player.html?bvid=BV1xx411c7mD"' in article.body
    assert "sandbox=" in article.body
    assert '<a href="https://evil.example.com/embed/1"' in article.body
    assert sanitise(article.body) == article.body


def test_the_change_list_thumbnail_reads_the_recorded_renditions_without_listing_storage(
    client, media, monkeypatch
):
    client.force_login(editor())
    article = factories.article("有头图", published=False)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(client.get(url))
    data["lead_image"] = jpeg()
    client.post(url, data)
    article.refresh_from_db()
    assert sorted(int(width) for width in article.lead_image_renditions) == [480, 960, 1600]
    monkeypatch.setattr(default_storage, "listdir", lambda *args: pytest.fail("storage was listed"))
    listing = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert f"/media/{article.lead_image_renditions['480']}" in listing


def test_replacing_the_lead_image_deletes_the_old_renditions(
    client, media, django_capture_on_commit_callbacks
):
    client.force_login(editor())
    article = factories.article("换头图", published=False)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(client.get(url))
    data["lead_image"] = jpeg()
    client.post(url, data)
    article.refresh_from_db()
    old = dict(article.lead_image_renditions)
    data = change_form_data(client.get(url))
    data["lead_image"] = jpeg("second.jpg", (800, 600))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
    article.refresh_from_db()
    assert not any((media / name).exists() for name in old.values())
    assert sorted(int(width) for width in article.lead_image_renditions) == [480, 800]


def test_restoring_a_revision_with_the_old_lead_image_renders_it_again(
    client, media, django_capture_on_commit_callbacks
):
    from reversion.models import Version

    client.force_login(editor())
    article = factories.article("头图恢复", published=False)
    url = reverse("admin:articles_article_change", args=[article.pk])
    for name, size in (("first.jpg", (1000, 500)), ("second.jpg", (700, 400))):
        data = change_form_data(client.get(url))
        data["lead_image"] = jpeg(name, size)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, data)
    with_first = Version.objects.get_for_object(article)[1]
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, with_first.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(revision_url, change_form_data(client.get(revision_url)))
    article = Article.objects.get(pk=article.pk)
    assert "first" in article.lead_image.name
    assert sorted(int(width) for width in article.lead_image_renditions) == [480, 960, 1000]
    assert all((media / name).is_file() for name in article.lead_image_renditions.values())
