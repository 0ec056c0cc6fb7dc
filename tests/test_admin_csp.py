"""The admin works under a strict Content Security Policy: no inline script but the editor's hashed import map."""

import base64
import hashlib
import re

import pytest
from django.urls import reverse

from tests.admin_forms import editor

pytestmark = pytest.mark.django_db
SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)


def test_the_article_form_has_no_inline_script_but_the_hashed_import_map(client):
    client.force_login(editor())
    response = client.get(reverse("admin:articles_article_add"))
    policy = response["Content-Security-Policy"]
    script_sources = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'sha256-" in script_sources and "'unsafe-inline'" not in script_sources
    import_maps = 0
    for script in SCRIPT.finditer(response.content.decode()):
        attributes, body = script["attributes"], script["body"]
        if 'type="importmap"' in attributes:
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy
            import_maps += 1
        elif "application/json" not in attributes:
            assert "src=" in attributes and not body.strip(), f"inline script: {script.group()[:200]}"
    assert import_maps == 1


def test_every_asset_of_the_editor_is_served_from_our_own_static_files(client):
    client.force_login(editor())
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert any("django_prose_editor" in source for source in sources)
    assert all(source.startswith("/static/") for source in sources), sources


def test_public_pages_are_left_to_the_site(client):
    assert "Content-Security-Policy" not in client.get("/")
