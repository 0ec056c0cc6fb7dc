"""manage.py makemessages, reading the reader site's Jinja2 templates with Jinja2's parser.

Django's command reads every ``.html`` file as a Django template; the files under the Jinja2
backend's folders (``templates/jinja2/``) are turned into Python gettext calls instead
(``articles.site.templating.gettext_calls``), which xgettext reads like any Python file. Everything
else, arguments included, is Django's command.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import cast

from django.conf import settings
from django.core.management.commands import makemessages

from articles.site.templating import gettext_calls


def jinja_folders() -> list[Path]:
    """Return the template folders of the Jinja2 backends in TEMPLATES."""
    return [
        Path(folder).resolve()
        for engine in settings.TEMPLATES
        if engine["BACKEND"] == "django.template.backends.jinja2.Jinja2"
        # The django-stubs plugin types each engine from the values settings.py gives (object).
        for folder in cast("list[str | Path]", engine.get("DIRS", []))
    ]


class JinjaAwareBuildFile(makemessages.BuildFile):
    """A file on its way to xgettext; a Jinja2 template goes as the calls it makes."""

    @cached_property
    def is_jinja(self) -> bool:
        if self.domain != "django" or not self.path.endswith((".html", ".txt", ".xml")):
            return False
        path = Path(os.path.abspath(self.path))
        return any(path.is_relative_to(folder) for folder in jinja_folders())

    def preprocess(self) -> None:
        if not self.is_jinja:
            return super().preprocess()
        with open(self.path, encoding="utf-8") as source:
            calls = gettext_calls(source.read())
        with open(self.work_path, "w", encoding="utf-8") as work:
            work.write(calls)


class Command(makemessages.Command):
    build_file_class = JinjaAwareBuildFile
