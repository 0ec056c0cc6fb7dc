"""Every page has a strict Content Security Policy (django-csp): no inline script runs but the editor's
import map, by this request's nonce."""

import re

import pytest
from django.urls import reverse

from tests import factories
from tests.admin_forms import editor

pytestmark = pytest.mark.django_db
SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_the_article_form_runs_no_inline_script_but_the_import_map_by_its_nonce(client):
    client.force_login(editor())
    response = client.get(reverse("admin:articles_article_add"))
    script_sources = directives(response)["script-src"]
    assert "'unsafe-inline'" not in script_sources and not any("sha256" in s for s in script_sources)
    nonces = [source for source in script_sources if source.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    import_maps = 0
    for script in SCRIPT.finditer(response.content.decode()):
        attributes, body = script["attributes"], script["body"]
        if 'type="importmap"' in attributes:
            assert f'nonce="{nonce}"' in attributes
            import_maps += 1
        elif "application/json" not in attributes:
            assert "src=" in attributes and not body.strip(), f"inline script: {script.group()[:200]}"
    assert import_maps == 1


def test_each_request_gets_its_own_nonce(client):
    client.force_login(editor())
    first = directives(client.get(reverse("admin:articles_article_add")))["script-src"]
    second = directives(client.get(reverse("admin:articles_article_add")))["script-src"]
    assert first != second


def test_an_injected_import_map_carries_no_nonce_so_it_does_not_run(client):
    """An import map typed into a field is escaped; even one that reached the page would lack the nonce."""
    client.force_login(editor())
    injected = '<script type="importmap">{"imports": {"django-prose-editor/editor": "https://evil.example/x.js"}}</script>'
    article = factories.article(injected, published=False, summary=injected, body=f"<p>x</p>{injected}")
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    page = response.content.decode()
    maps = [s for s in SCRIPT.finditer(page) if 'type="importmap"' in s["attributes"]]
    assert len(maps) == 1 and "evil.example" not in maps[0]["body"]
    assert "nonce=" in maps[0]["attributes"]


def test_every_asset_of_the_editor_is_served_from_our_own_static_files(client):
    client.force_login(editor())
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert any("django_prose_editor" in source for source in sources)
    assert all(source.startswith("/static/") for source in sources), sources


def test_admin_pages_without_the_editor_allow_no_inline_script_at_all(client):
    client.force_login(editor())
    script_sources = directives(client.get(reverse("admin:articles_article_changelist")))["script-src"]
    assert script_sources == ["'self'"]


@pytest.mark.parametrize("address", ["/", "/search/?q=x", "/no-such-page/", "/rss.xml"])
def test_reader_pages_allow_no_inline_script_and_no_framing(client, address):
    factories.article("文章")
    policy = directives(client.get(address))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["style-src"] == ["'self'"] and policy["style-src-attr"] == ["'unsafe-inline'"]


def test_the_article_page_allows_frames_only_from_the_embed_hosts(client, settings):
    article = factories.article("视频", body='<iframe src="https://www.youtube.com/embed/x"></iframe>')
    policy = directives(client.get(article.get_absolute_url()))
    assert (
        "https://www.youtube.com" in policy["frame-src"] and "https://*.cnbetacdn.com" in policy["frame-src"]
    )
    assert "'self'" not in policy["frame-src"]


def test_a_cached_page_keeps_its_policy(client):
    article = factories.article("缓存")
    first = client.get(article.get_absolute_url())
    again = client.get(article.get_absolute_url())
    assert again.get("X-Cache") == "hit"
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_the_server_error_page_needs_no_inline_style_element():
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "templates" / "500.html").read_text()
    assert "<style" not in page and "<script" not in page
