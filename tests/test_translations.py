"""The Simplified Chinese catalogue is complete: nothing untranslated or fuzzy, nothing new to extract,
and the compiled catalogues match their sources. Needs GNU gettext (makemessages needs it too)."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.admin_forms import editor

PROJECT = Path(__file__).resolve().parent.parent
CATALOGUES = PROJECT / "locale" / "zh_Hans" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
# What makemessages reads: the project's own code and templates, never the tests or the virtualenv.
SOURCES = ("manage.py", "newsroom", "articles", "templates", "static", "locale")
MSGID = re.compile(r'^msgid(?:_plural)? "(.*)"$', re.MULTILINE)

pytestmark = pytest.mark.skipif(
    not (shutil.which("msgfmt") and shutil.which("xgettext") and shutil.which("msgcat")),
    reason="needs GNU gettext (msgfmt, xgettext, msgcat): apt-get install gettext",
)


def statistics(po: Path) -> str:
    """Return msgfmt's count of translated, fuzzy and untranslated messages in ``po``."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.strip().splitlines()[-1]


def msgids(po: Path) -> set[str]:
    """Return the message ids of ``po`` (obsolete entries left out), each on one line."""
    text = subprocess.run(
        ["msgcat", "--no-wrap", "--no-location", "--sort-output", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = "\n".join(line for line in text.splitlines() if not line.startswith("#~"))
    return set(MSGID.findall(text)) - {""}


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_is_translated_and_none_is_fuzzy(domain):
    line = statistics(CATALOGUES / f"{domain}.po")
    assert re.fullmatch(r"\d+ translated messages\.", line), f"{domain}.po: {line}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_matches_its_source(domain, tmp_path):
    compiled = tmp_path / f"{domain}.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(CATALOGUES / f"{domain}.po")], check=True)
    with compiled.open("rb") as fresh, (CATALOGUES / f"{domain}.mo").open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog, (
            f"run: python manage.py compilemessages -l zh_Hans --ignore=.venv ({domain}.mo is stale)"
        )


def test_makemessages_finds_nothing_new(tmp_path):
    for name in SOURCES:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    for domain in DOMAINS:
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-d", domain, "--no-obsolete"],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "NEWSROOM_DATA_DIR": str(tmp_path / "data"), "LC_ALL": "C.UTF-8"},
            capture_output=True,
            check=True,
        )
        extracted = msgids(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po")
        ours = msgids(CATALOGUES / f"{domain}.po")
        assert not extracted - ours, f"{domain}.po lacks {sorted(extracted - ours)}: run makemessages"
        assert not ours - extracted, f"{domain}.po keeps messages no longer used: {sorted(ours - extracted)}"


@pytest.mark.django_db
def test_the_admin_speaks_chinese_and_english_stays_available(client):
    client.force_login(editor())
    add = reverse("admin:articles_article_add")
    page = client.get(add).content.decode()
    assert "标题" in page and "发布时间" in page and "头图" in page and "状态" in page
    english = Client(headers={"accept-language": "en"})
    english.force_login(editor("english-editor"))
    page = english.get(add).content.decode()
    assert "Publication time" in page and "发布时间" not in page


@pytest.mark.django_db
def test_the_editor_s_own_words_come_from_our_catalogue(client):
    client.force_login(editor())
    catalogue = client.get(reverse("admin:jsi18n")).content.decode()
    assert "\\u56fe\\u7247\\u5730\\u5740" in catalogue or "图片地址" in catalogue  # Image URL → 图片地址
