"""One allow-list for every stored address (http and https), on every write path and on every page."""

from __future__ import annotations

import importlib
import json
import re
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from articles.importing.normalise import normalise
from articles.importing.parse import parse
from articles.models import Article, Author
from articles.safe_urls import browser_form, is_web_url, web_url_problem
from tests import factories
from tests.admin_forms import change_form_data, editor
from tests.attacks import GOOD_URLS, HOSTILE_URLS

URL_FIELDS = ("source_url", "lead_image_url", "thumbnail_url")
HREF_OR_SRC = re.compile(r'(?:href|src)="([^"]*)"')


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_address_is_not_on_the_allow_list(url):
    assert not is_web_url(url)
    assert web_url_problem(url)


@pytest.mark.parametrize("url", GOOD_URLS)
def test_http_and_https_addresses_are_on_the_allow_list(url):
    assert is_web_url(url), web_url_problem(url)


def test_the_browser_form_drops_tabs_newlines_and_surrounding_controls():
    assert browser_form("\x01 jav\tas\ncr\ript:alert(1) \x00") == "javascript:alert(1)"


def test_the_allow_list_explains_each_refusal():
    with translation.override("en"):
        assert "http" in web_url_problem("javascript:alert(1)")
        assert "backslash" in web_url_problem("https://evil.example\\@www.youtube.com/")
        assert "user" in web_url_problem("https://www.youtube.com@evil.example/")
        assert "tab" in web_url_problem("https://example.com/\tx")


# -- the model: every write path that calls save() ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("field", URL_FIELDS)
@pytest.mark.parametrize("url", ["javascript:alert(1)", "jav\tascript:alert(1)", "file:///etc/passwd"])
def test_saving_an_article_with_a_hostile_address_is_refused_naming_the_field(field, url):
    article = Article(title="标题", **{field: url})
    with pytest.raises(ValidationError) as refusal:
        article.save()
    assert list(refusal.value.message_dict) == [field]
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_an_existing_article_cannot_be_saved_with_a_hostile_address():
    article = factories.article(source_url="https://example.com/a")
    article.source_url = "javascript:alert(1)"
    with pytest.raises(ValidationError):
        article.save()
    assert Article.objects.get().source_url == "https://example.com/a"


@pytest.mark.django_db
def test_full_clean_names_the_field_of_a_hostile_address():
    article = Article(title="标题", thumbnail_url="data:image/svg+xml,<svg onload=alert(1)>")
    with pytest.raises(ValidationError) as refusal:
        article.full_clean()
    assert "thumbnail_url" in refusal.value.message_dict
    assert len(refusal.value.message_dict["thumbnail_url"]) == 1


@pytest.mark.django_db
def test_an_author_website_must_be_http_or_https():
    with pytest.raises(ValidationError) as refusal:
        Author.objects.create(name="某人", website="javascript:alert(1)")
    assert "website" in refusal.value.message_dict


@pytest.mark.django_db
def test_good_addresses_are_stored_as_given():
    article = factories.article(**dict.fromkeys(URL_FIELDS, "https://例子.中国/新闻/1"))
    article.refresh_from_db()
    assert [getattr(article, field) for field in URL_FIELDS] == ["https://例子.中国/新闻/1"] * 3


# -- the admin -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://www.youtube.com@evil.example/"])
def test_the_admin_form_refuses_a_hostile_address_on_its_field(client, url):
    client.force_login(editor())
    article = factories.article(published=False)
    change = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(change, change_form_data(client.get(change), source_url=url))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["source_url"]
    article.refresh_from_db()
    assert article.source_url == ""


# -- pages: a row written around save() never puts its address in a page ----------------------


@pytest.fixture
def written_around_save(db):
    """A published article whose addresses were set with ``update()``, as raw SQL or a restore would."""
    article = factories.article(
        "绕过保存的文章", source_name="某网站", is_featured=True, summary="摘要", body="<p>正文</p>"
    )
    Article.objects.filter(pk=article.pk).update(
        source_url="jav\tascript:alert(document.domain)",
        lead_image_url="javascript:alert(1)",
        thumbnail_url="data:image/svg+xml,<svg onload=alert(1)>",
    )
    return article


def addresses_in(html: str) -> list[str]:
    return [value for value in HREF_OR_SRC.findall(html) if ":" in value.split("/")[0]]


def test_the_article_page_never_shows_a_hostile_address(client, written_around_save):
    page = client.get(written_around_save.get_absolute_url()).content.decode()
    assert "javascript" not in page.lower() and "data:image" not in page
    assert "某网站" in page
    for address in addresses_in(page):
        assert address.startswith(("http://", "https://")), address


def test_listings_never_show_a_hostile_thumbnail(client, written_around_save):
    for address in ["/", "/search/?q=绕过"]:
        page = client.get(address).content.decode()
        assert "data:image" not in page and "javascript" not in page.lower(), address


def test_structured_data_never_carries_a_hostile_image(client, written_around_save):
    page = client.get(written_around_save.get_absolute_url()).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    assert "image" not in data


@pytest.mark.django_db
def test_the_admin_change_list_never_shows_a_hostile_thumbnail(client, written_around_save):
    client.force_login(editor())
    page = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "data:image/svg" not in page and "javascript:alert" not in page


def test_the_template_guard_lets_only_allowed_addresses_through():
    template = Template("{% load web_urls %}[{{ url|web_url }}]")
    for url in HOSTILE_URLS:
        assert template.render(Context({"url": url})) == "[]", url
    assert template.render(Context({"url": None})) == "[]"
    assert template.render(Context({"url": "https://example.com/?a=1&b=2"})) == (
        "[https://example.com/?a=1&amp;b=2]"
    )


# -- the importer ------------------------------------------------------------------------------------

DOCUMENT = """---
title: '带恶意链接的文章'
categories:
 - 新媒体
 - 快科技（原驱动之家）
 - 最新新闻
date: Sat, 15 Jan 2022 20:08:45 GMT
headimg: '{headimg}'
thumbnail: '{thumbnail}'
{extension}---

<div>
<p>正文第一段。</p>
<p class="url">
     <span>原文链接：<a href="{source}">健康晨读</a></span>
</p>
</div>
"""


def imported(headimg="", thumbnail="", source="https://example.com/s", extension=""):
    text = DOCUMENT.format(headimg=headimg, thumbnail=thumbnail, source=source, extension=extension)
    return normalise(parse(text))


@pytest.mark.parametrize(
    "source",
    ["jav&#x09;ascript:alert(document.domain)", "jav&#9;ascript:alert(1)", "javascript&colon;alert(1)",
     "&#106;avascript:alert(1)", "java&#x0A;script:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,x"],
)  # fmt: skip
def test_an_original_link_that_is_not_http_is_refused_with_a_warning(source):
    post = imported(source=source)
    assert post.source_url == ""
    assert any(warning.startswith("source_url (原文链接)") for warning in post.warnings), post.warnings


def test_an_original_link_is_read_as_a_browser_reads_it():
    post = imported(source="https://exa&#x09;mple.com/a&#10;b")
    assert post.source_url == "https://example.com/ab"
    assert post.source_name == "健康晨读"


@pytest.mark.parametrize("field", ["headimg", "thumbnail"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "jav\\tascript:x"])
def test_image_addresses_that_are_not_http_are_refused_with_a_warning_naming_the_field(field, url):
    post = imported(**{field: url})
    assert post.lead_image_url == "" and post.thumbnail_url == ""
    assert any(warning.startswith(field) for warning in post.warnings), post.warnings


def test_a_source_url_in_the_newsroom_extension_is_checked_too():
    post = imported(extension="newsroom:\n  source_url: 'javascript:alert(1)'\n")
    assert post.source_url == ""
    assert any(warning.startswith("newsroom.source_url") for warning in post.warnings)


@pytest.mark.django_db
def test_import_stores_no_hostile_address_and_reports_it(tmp_path):
    document = tmp_path / "x.md"
    document.write_text(
        DOCUMENT.format(
            headimg="javascript:alert(1)",
            thumbnail="https://example.com/t.jpg",
            source="jav&#x09;ascript:alert(document.domain)",
            extension="",
        ),
        encoding="utf-8",
    )
    stdout = StringIO()
    call_command("import_seeds", str(tmp_path), "--workers", "1", stdout=stdout, stderr=StringIO())
    article = Article.objects.get()
    assert (article.source_url, article.lead_image_url) == ("", "")
    assert article.thumbnail_url == "https://example.com/t.jpg"
    assert "warning x.md: headimg" in stdout.getvalue()
    assert any("source_url (原文链接)" in note for note in article.import_notes)


@pytest.mark.django_db
def test_an_export_of_a_row_written_around_save_re_imports_without_its_hostile_address(tmp_path):
    article = factories.article("导出往返", source_url="https://example.com/ok")
    Article.objects.filter(pk=article.pk).update(lead_image_url="javascript:alert(1)")
    call_command("export_seeds", str(tmp_path / "export"), stdout=StringIO())
    factories.wipe_content()
    call_command(
        "import_seeds", str(tmp_path / "export"), "--workers", "1", stdout=StringIO(), stderr=StringIO()
    )
    again = Article.objects.get()
    assert again.lead_image_url == "" and again.source_url == "https://example.com/ok"


# -- the data migration --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_blanks_stored_hostile_addresses_and_keeps_good_ones():
    migration = importlib.import_module("articles.migrations.0008_blank_unsafe_urls")
    good = factories.article("好", source_url="https://example.com/a", thumbnail_url="http://example.com/t")
    bad = factories.article("坏", source_url="https://example.com/b")
    author = factories.author("某人")
    Article.objects.filter(pk=bad.pk).update(
        source_url="jav\tascript:alert(1)",
        lead_image_url="file:///etc/passwd",
        thumbnail_url="https://example.org/t",
    )
    Author.objects.filter(pk=author.pk).update(website="https://www.youtube.com@evil.example/")
    migration.blank_unsafe_urls(django_apps, connection.schema_editor())
    good.refresh_from_db()
    bad.refresh_from_db()
    author.refresh_from_db()
    assert (good.source_url, good.thumbnail_url) == ("https://example.com/a", "http://example.com/t")
    assert (bad.source_url, bad.lead_image_url, bad.thumbnail_url) == ("", "", "https://example.org/t")
    assert author.website == ""
    for url in HOSTILE_URLS:
        assert not migration.allowed(url), url
    for url in GOOD_URLS:
        assert migration.allowed(url), url


def test_refusals_are_translated_into_chinese():
    with translation.override("zh-hans"):
        assert "只允许 http 或 https 地址" in web_url_problem("javascript:alert(1)")
